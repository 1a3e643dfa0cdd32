"""One line of crawled text, in the two ways the stages need it.

- :func:`squeeze_spaces` — the extractor's: every run of white space (full-width,
  non-breaking, zero-width, a BOM) becomes one space, and nothing else changes. The
  text stays what the page says, down to stray control bytes of a mis-declared
  charset that the source's own text shares.
- :func:`clean_line` — the issue's: a line safe to show in a headline, a mail header
  or a layout; white space squeezed as above and every control and invisible format
  character (NUL, CR, bidi overrides …) removed.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_SPACE = re.compile(r"\s+")


def squeeze_spaces(text: str) -> str:
    """``text`` on one line: each run of (full-width, non-breaking, zero-width) white
    space one space, none at either end."""
    return _SPACES.sub(" ", text).strip()


def _printable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (category.startswith("C") or category in {"Zl", "Zp"})


def clean_line(value: str | None) -> str:
    """One line of text to show: controls and invisible format characters removed,
    every run of white space one space, none at either end."""
    if not value:
        return ""
    spaced = _SPACE.sub(" ", value)
    if not spaced.isprintable():  # rare: only then look at each character
        spaced = _SPACE.sub(" ", "".join(ch for ch in spaced if _printable(ch)))
    return spaced.strip()
