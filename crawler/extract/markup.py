"""Repairs to page bytes that every HTML parser here needs before it sees them.

libxml2 (2.14, under lxml and BeautifulSoup's "lxml" builder) does not know several
HTML5 void elements: an ``<embed>``, ``<source>``, ``<track>``, ``<wbr>`` or
``<keygen>`` left open, as HTML allows, swallows everything after it as its
children, and an extractor that drops media elements drops the rest of the article
with it (issue 14: an ``<embed>`` silently cut an article short). Closing them
explicitly gives the tree a browser builds.

The repair works on bytes: tag names are ASCII and ``<`` (0x3C) is never a trail
byte of UTF-8, GBK/GB18030 or Big5, so the page's encoding is untouched.
"""

from __future__ import annotations

import re

#: HTML5 void elements (and obsolete ones browsers still treat so) that libxml2 leaves open.
_UNKNOWN_VOIDS = rb"embed|source|track|wbr|keygen|bgsound|command"
_OPEN_VOID = re.compile(
    rb"<(" + _UNKNOWN_VOIDS + rb")\b((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)/?>", re.I
)


def close_void_elements(body: bytes) -> bytes:
    """``body`` with each such void element closed at once (``<embed …></embed>``)."""
    if b"<" not in body:
        return body
    return _OPEN_VOID.sub(rb"<\1\2></\1>", body)
