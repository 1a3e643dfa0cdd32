"""One line of crawled text, the way every stage reads it.

Pages hand us text with every kind of white space (full-width, non-breaking, line
and paragraph separators) and with invisible characters (NUL, zero-width spaces,
BOMs, bidi overrides). A line is that text with each run of white space made one
space and the invisible characters removed: what the extractor compares and
stores, and what an issue shows.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def _printable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (category.startswith("C") or category in {"Zl", "Zp"})


def clean_line(value: str | None) -> str:
    """One line of text: controls and invisible format characters removed, every run
    of white space one space, none at either end."""
    if not value:
        return ""
    spaced = _SPACE.sub(" ", value)
    if not spaced.isprintable():  # rare: only then look at each character
        spaced = _SPACE.sub(" ", "".join(ch for ch in spaced if _printable(ch)))
    return spaced.strip()
