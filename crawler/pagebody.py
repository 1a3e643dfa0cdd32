"""Every page reaches the spiders as our parsers need it, whatever the site sent.

A downloader middleware doing the two repairs that ``xinqu extract`` and the
families' byte paths get from :func:`crawler.extract.encoding.decode_html`, so
``response.text`` means the same thing everywhere:

* the encoding follows the project's one rule (BOM, then valid UTF-8, then a
  declaration the bytes bear out, then detection). Scrapy trusts the header's charset
  first, and Chinese sites lie there: a GBK list served as ``charset=utf-8`` became
  U+FFFD soup and gave no entries, with the run reported ``ok``. A source's own
  ``encoding:`` still wins (the spider applies it after this);
* void elements libxml2 does not know (``<embed>`` …) are closed, so they cannot
  swallow the rest of the page (:mod:`crawler.extract.markup`).
"""

from __future__ import annotations

import codecs

from scrapy.http import Request, Response, TextResponse

from crawler.extract.encoding import detect_encoding, normal_encoding
from crawler.extract.markup import close_void_elements


def _codec(name: str) -> str:
    return codecs.lookup(name).name


class NormalisedBody:
    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        charset = header.partition("charset=")[2].split(";")[0].strip() or None
        body = close_void_elements(response.body)
        codec = detect_encoding(body, normal_encoding(charset) or charset)
        same = _codec(codec) == _codec(normal_encoding(response.encoding) or response.encoding)
        if same and body == response.body:
            return response
        return response.replace(body=body, encoding=codec)
