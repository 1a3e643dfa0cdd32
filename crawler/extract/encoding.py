"""Decoding page bytes: header charset, then the page's own meta tag, then detection.

GB2312 and GBK are decoded as GB18030 (their superset), so a page that declares
GB2312 but uses characters outside it still decodes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252"}


def _normal(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name.strip().lower(), _SUPERSETS.get(canonical, canonical))


def declared_encoding(body: bytes) -> str | None:
    match = _META.search(body[:4096])
    return _normal(match.group(1).decode("ascii")) if match else None


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    for candidate in (_normal(header_charset), declared_encoding(body)):
        if candidate:
            try:
                return body.decode(candidate)
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(body).best()
        return str(best) if best is not None else body.decode("gb18030", errors="replace")
