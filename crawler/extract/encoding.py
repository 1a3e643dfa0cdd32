"""Decoding page bytes: BOM, then valid UTF-8, then the declared charset, then detection.

Declarations lie in both directions on Chinese sites: pages re-saved as UTF-8 keep
their old ``<meta charset=gb2312>`` (GNE's people.com.cn page), and old GBK pages
declare nothing at all. Strict UTF-8 decoding almost never succeeds on GBK text with
Chinese in it, so valid UTF-8 wins over any declaration; otherwise the header
charset, then the page's own meta tag, then charset-normalizer's guess.

GB2312 and GBK are decoded as GB18030 (their superset), so a page that declares
GB2312 but uses characters outside it still decodes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from crawler.extract.markup import close_void_elements

_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)""")
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc_cn": "gb18030",
    "hz": "gb18030",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: How far into the page a meta charset is looked for (browsers use 1024; sites are sloppier).
_SNIFF = 8192


def normal_encoding(name: str | None) -> str | None:
    """The Python codec for a declared charset, widened to its superset; None if unknown."""
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().strip("\"'").lower()).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(canonical, canonical)


def declared_encoding(body: bytes) -> str | None:
    """The charset the page declares in its first bytes (meta tag or XML declaration)."""
    head = body[:_SNIFF]
    match = _META.search(head) or _XML_DECL.search(head)
    return normal_encoding(match.group(1).decode("ascii")) if match else None


def _bom(body: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None


def detect_encoding(body: bytes, header_charset: str | None = None) -> str:
    """The codec :func:`decode_html` would use for ``body``."""
    bom = _bom(body)
    if bom:
        return bom[0]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    for candidate in (normal_encoding(header_charset), declared_encoding(body)):
        if candidate and candidate != "utf-8":
            try:
                body.decode(candidate)
            except UnicodeDecodeError:
                continue
            return candidate
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        guessed = normal_encoding(best.encoding) or "gb18030"
        # Chinese pages misdetected as a Cyrillic/Latin single-byte code are GBK in practice.
        return guessed if guessed.startswith(("gb", "big5", "utf", "euc")) else "gb18030"
    return "gb18030"


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Page bytes to the text our parsers read; never raises (bad bytes become U+FFFD).

    Void elements libxml2 does not know are closed first (:mod:`crawler.extract.markup`).
    """
    body = close_void_elements(body)
    codec = detect_encoding(body, header_charset)
    if codec == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    return body.decode(codec, errors="replace")
