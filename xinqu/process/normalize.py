"""Text normalisation shared by dedupe and classification.

Reposts of one story differ in ways that say nothing about its content: full- and
half-width forms, white space, punctuation, traditional characters, the site's
boilerplate lines (责任编辑, 来源, 打印本页 …). Normalisation removes those
differences. It works on arrays of code points (numpy), because processing reads
every stored article and per-character Python would not meet the time budget.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from xinqu.boilerplate import BOILERPLATE, TAIL

Codes = npt.NDArray[np.uint32]

#: Pinyin that copying sites leave after a character: 新區(qū), 會(huì), 要(yào / yāo), 關(guan).
_PY = "a-zü\u00e0-\u00fc\u0101-\u01dc\u01f9"
PINYIN = re.compile(
    rf"(?<=[\u3400-\u9fff])\s?[(（]\s*[{_PY}]{{1,7}}(?:\s*/\s*[{_PY}]{{1,7}}){{0,3}}\s*[)）]"
)
_UNICODE_SIZE = 0x110000
#: No boilerplate pattern matches a line longer than this (a paragraph is never junk).
_LONGEST_JUNK = 220


def strip_boilerplate(text: str) -> str:
    if "\n" not in text:
        return "" if BOILERPLATE.match(text) else text
    return "\n".join(
        line
        for line in text.splitlines()
        if len(line) > _LONGEST_JUNK or not BOILERPLATE.match(line)
    )


@lru_cache(maxsize=1)
def _fold() -> Codes:
    """Code point → folded code point: full width → ASCII, traditional → simplified.

    The traditional→simplified pairs are opencc's character dictionary; a table
    lookup is enough for comparing and classifying texts and far faster than
    OpenCC's phrase-level conversion.
    """
    import opencc

    table = np.arange(_UNICODE_SIZE, dtype=np.uint32)
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = ord(parts[1])
    for code in range(0xFF01, 0xFF5F):
        table[code] = code - 0xFEE0
    table[0x3000] = 0x20
    for code in (*range(0xF900, 0xFB00), *range(0xFE10, 0xFE70), *range(0xFF5F, 0xFFF0)):
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1:
            table[code] = ord(folded)
    return table


@lru_cache(maxsize=1)
def _letter_mask() -> npt.NDArray[np.bool_]:
    """Which code points carry content: CJK ideographs, ASCII letters and digits."""
    mask = np.zeros(_UNICODE_SIZE, dtype=bool)
    mask[0x4E00:0xA000] = True
    mask[0x3400:0x4DC0] = True
    mask[ord("0") : ord("9") + 1] = True
    mask[ord("A") : ord("Z") + 1] = True
    mask[ord("a") : ord("z") + 1] = True
    return mask


def fold_text(text: str) -> str:
    """Full width to ASCII and traditional to simplified, character by character."""
    raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return _fold()[raw].tobytes().decode("utf-32-le")


def story_text(text: str) -> str:
    """The text as story-level dedupe reads it: folded, without pinyin annotations,
    the page's junk lines and the list of other stories that often follows the body."""
    folded = fold_text(text)
    if "(" in folded:
        folded = PINYIN.sub("", folded)
    tail = TAIL.search(folded)
    if tail is not None and tail.start() > 0:
        folded = folded[: tail.start()]
    return strip_boilerplate(folded)


def codes(text: str) -> Codes:
    """The folded code points of a text without its boilerplate lines."""
    raw = np.frombuffer(strip_boilerplate(text).encode("utf-32-le"), dtype=np.uint32)
    return _fold()[raw]


def letters(folded: Codes) -> Codes:
    """Only the content-bearing code points (no spaces, punctuation or symbols)."""
    return folded[_letter_mask()[folded]]


def normalize(text: str) -> str:
    """The text as dedupe sees it: folded, no boilerplate, single spaces."""
    folded = codes(text).tobytes().decode("utf-32-le")
    return " ".join(folded.split())


def content_key(text: str) -> str:
    """Equal keys mean equal content after normalisation (letters and digits only)."""
    return hashlib.sha1(letters(codes(text)).tobytes()).hexdigest()


def key_of_letters(content: Codes) -> str:
    return hashlib.sha1(content.tobytes()).hexdigest()
