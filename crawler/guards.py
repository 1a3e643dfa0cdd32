"""Downloader middlewares that refuse what a hostile or broken site answers.

Two things a site can hand the crawler that must never reach the store:

* a redirect (HTTP 3xx or ``<meta http-equiv=refresh>``) from one of a source's own
  pages to another site. Scrapy follows both wherever they point; followed, a hijacked
  or expired article leads the crawl onto a stranger's host, and what it finds there
  would be stored as the source's news. A redirect within the site (http → https,
  ``www.`` dropped, a moved path) is followed as before.
* a 200 answer that is not text: random or binary bytes served as ``text/html``
  would otherwise be decoded into garbage and stored as an article.

Both are refused with :class:`RefusedResponse`, whose message is the one line the
crawl reports and `status` shows; the link is remembered as failed like a 5xx
(`crawl.max_link_attempts`), and nothing else of the crawl is lost.

Scrapy's redirect middlewares turn a redirect into a new request that carries the
chain in ``meta["redirect_urls"]``; the guard looks at that request before it is
sent, so nothing is ever fetched from the other site. The text check runs after
decompression (``DOWNLOADER_MIDDLEWARES`` in ``crawler/settings.py``).
"""

from __future__ import annotations

import codecs
from urllib.parse import urlsplit

import tldextract
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

#: Requests of the source's own pages (spiders/source.py sets ``kind`` in meta).
_GUARDED_KINDS = frozenset({"list", "article", "continuation"})
#: No public-suffix list download: the snapshot bundled with tldextract is used offline.
_DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
#: Bytes of a page looked at to judge whether it is text.
_SNIFF = 65536
#: C0 control bytes that text never holds (tab, LF, FF, CR and ESC of ISO-2022 excepted).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_TABLE = bytes(range(256))
#: Random bytes hold about 12 % of those; real pages in any ASCII-compatible charset ~0.
_MAX_CONTROL_SHARE = 0.01
_WIDE_BOMS = (
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
)


class RefusedResponse(IgnoreRequest):
    """A response the crawler will not use; ``str()`` is the reason, one line."""


def site_of(url: str) -> str:
    """The registered domain of ``url`` (``www.pudong.gov.cn`` → ``pudong.gov.cn``), or its host."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    parts = _DOMAINS(host)
    return parts.top_domain_under_public_suffix or host


def looks_binary(body: bytes) -> bool:
    """True for bytes no web page is made of (random data, images, archives)."""
    head = body[:_SNIFF]
    if not head or head.startswith(_WIDE_BOMS):
        return False
    controls = len(head) - len(head.translate(_TABLE, _CONTROL))
    return controls > _MAX_CONTROL_SHARE * len(head)


class OffsiteRedirectGuard:
    """Refuses a redirect from a source's own page to another site, before any contact.

    Placed before the robots.txt middleware, so not even the other host's robots.txt is
    asked for.
    """

    def process_request(self, request: Request) -> None:
        """A request a redirect made (3xx or meta refresh) that leaves the site is not sent."""
        chain = request.meta.get("redirect_urls")
        if not chain or request.meta.get("kind") not in _GUARDED_KINDS:
            return
        if site_of(request.url) != site_of(chain[0]):
            host = urlsplit(request.url).hostname or request.url
            raise RefusedResponse(f"redirects to another site ({host}); not followed")


class BinaryPageGuard:
    """Refuses a 200 answer to a source's own page that is not text (after decompression)."""

    def process_response(self, request: Request, response: Response) -> Response:
        guarded = request.meta.get("kind") in _GUARDED_KINDS and response.status == 200
        if guarded and looks_binary(response.body):
            kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or "none"
            raise RefusedResponse(
                f"not a readable page (binary or undecodable bytes, Content-Type {kind})"
            )
        return response
