"""Capturing a new source's fixture site: what `xinqu sources new` does, like City Bureau's
custom ``genspider``.

The list page is fetched the way the source's family fetches it (a JSON API by POST,
a data source named by a shell page, …), two of its articles are fetched, and all
are saved under ``tests/fixtures/sites/<name>/`` at their real paths. Beside them goes
``expected.json`` (tests/source_expectations.py reads it), whose ``TODO`` values fail
the tests until someone writes down what the pages show.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.antibot import detect_antibot
from crawler.families import Family, ListPage, get_family
from xinqu.config import SHIPPED_CONFIG_DIR, Source
from xinqu.errors import XinquError

#: The 19 national new areas (docs/areas.md), for guessing ``area`` from a site name.
AREAS = (
    "浦东新区",
    "滨海新区",
    "两江新区",
    "舟山群岛新区",
    "兰州新区",
    "南沙新区",
    "西咸新区",
    "贵安新区",
    "西海岸新区",
    "金普新区",
    "天府新区",
    "湘江新区",
    "江北新区",
    "福州新区",
    "滇中新区",
    "哈尔滨新区",
    "长春新区",
    "赣江新区",
    "雄安新区",
)
ARTICLES_TO_CAPTURE = 2
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_SITE_NAME = re.compile(rb"""<meta\s+name=["']SiteName["']\s+content=["']([^"']+)""", re.I)


class CaptureError(XinquError):
    """The live site could not be captured (unreachable, blocked, no links found)."""


@dataclass
class Capture:
    """What was fetched, held in memory until :meth:`write` (nothing is half-written)."""

    source: Source
    pages: dict[Path, bytes] = field(default_factory=dict)
    list_entries: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    page_title: str = ""
    page_site: str = ""

    def write(self) -> list[Path]:
        for path, body in self.pages.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        return list(self.pages)


def fixture_path(root: Path, url: str) -> Path:
    """Where a URL's page is kept in a fixture site: its path; a folder URL is index.html.

    The query is dropped, as the fixture server ignores it.
    """
    path = urlsplit(url).path or "/"
    if path.endswith("/"):
        path += "index.html"
    return root / path.lstrip("/")


def fetch(request: Request, *, user_agent: str, timeout: float) -> Response:
    """One request, made with urllib (no reactor), returned as the Scrapy response."""
    headers = {k.decode(): b", ".join(v).decode() for k, v in request.headers.items()}
    headers.setdefault("User-Agent", user_agent)
    wire = urllib.request.Request(
        request.url, data=request.body or None, headers=headers, method=request.method
    )
    try:
        with urllib.request.urlopen(wire, timeout=timeout) as answer:
            status, body, url = answer.status, answer.read(), answer.geturl()
            answer_headers = dict(answer.headers.items())
    except urllib.error.HTTPError as exc:
        status, body, url = exc.code, exc.read(), request.url
        answer_headers = dict(exc.headers.items())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CaptureError(f"cannot fetch {request.url}: {reason}") from None
    kind = answer_headers.get("Content-Type", "")
    cls = HtmlResponse if "html" in kind or body.lstrip()[:1] == b"<" else TextResponse
    response = cls(
        url=url,
        status=status,
        headers={k: v for k, v in answer_headers.items() if k.lower() != "content-encoding"},
        body=body,
        request=request,
        **({"encoding": "utf-8"} if cls is TextResponse and "charset" not in kind else {}),
    )
    if (blocked := detect_antibot(response)) is not None:
        raise CaptureError(
            f"{request.url} answered with a {blocked} anti-bot challenge (HTTP {status}); "
            "save the pages from a browser into the fixture folder instead"
        )
    if status >= 400:
        raise CaptureError(f"cannot fetch {request.url}: HTTP {status}")
    return response


def guess_area(*texts: str) -> str | None:
    for text in texts:
        for area in AREAS:
            if area in text or area.removesuffix("新区") in text:
                return area
    return None


def page_names(response: Response) -> tuple[str, str]:
    """The page's SiteName meta and its <title>, for the entry's defaults."""
    site = _SITE_NAME.search(response.body)
    title = _TITLE.search(response.body)
    encoding: str = getattr(response, "encoding", "utf-8")

    def decode(raw: bytes) -> str:
        return raw.decode(encoding, "replace").strip()

    return (decode(site.group(1)) if site else "", decode(title.group(1)) if title else "")


class Capturer:
    """Fetches a source's list and first articles and saves them as its fixture site."""

    def __init__(
        self, source: Source, sites_dir: Path, *, user_agent: str, timeout: float = 30.0
    ) -> None:
        self.source = source
        self.family: Family = get_family(source.family)
        self.root = sites_dir / source.name
        self.user_agent = user_agent
        self.timeout = timeout

    def _get(self, request: Request) -> Response:
        return fetch(request, user_agent=self.user_agent, timeout=self.timeout)

    def _save(self, url: str, response: Response, capture: Capture) -> None:
        """Kept at the path the page was asked for (a redirect's target may differ)."""
        capture.pages[fixture_path(self.root, url)] = response.body

    def capture(self, tz: tzinfo, now: datetime) -> Capture:
        capture = Capture(source=self.source)
        list_url = self.source.urls[0]
        request = next(iter(self.family.list_requests(self.source, list_url)))
        response = self._get(request)
        capture.page_site, capture.page_title = page_names(response)
        self._save(request.url, response, capture)
        page: ListPage = self.family.parse_list(response, self.source, tz, now)
        for data_url in page.data_urls[:1]:
            data = self._get(Request(data_url))
            self._save(data_url, data, capture)
            page = self.family.parse_list(data, self.source, tz, now)
        if not page.entries:
            raise CaptureError(
                f"{list_url}: no article links found on the list page; "
                "give --family, or set link_selector for this source"
            )
        capture.list_entries = [e.url for e in page.entries]
        for entry in page.entries[:ARTICLES_TO_CAPTURE]:
            article = self._get(Request(entry.url))
            self._save(entry.url, article, capture)
            capture.articles.append(entry.url)
        return capture


#: What an expectation holds until someone fills it in (tests/source_expectations.py).
TODO = "TODO: fill in from the page"
#: The expectation file beside a fixture site's pages.
EXPECTATION = "expected.json"
#: How many of the list's first entries the expectation pins.
ENTRIES_TO_PIN = 3


def render_expectation(capture: Capture, *, captured: datetime, config_dir: Path) -> str:
    """The source's ``expected.json``: its first list entries and its articles' fields, all TODO.

    ``first_entries`` are ``[url, title, published_at]`` (ISO 8601 with offset, or null);
    ``text_start`` is the first 30 characters of an article's text.
    """
    source = capture.source
    expectation: dict[str, object] = {
        "captured": captured.isoformat(),
        "note": f"{source.site_name} ({source.area}), family {source.family or 'generic'}: "
        f"from `xinqu sources new` on {captured.date().isoformat()}; replace every TODO "
        "with what the fixture pages show.",
    }
    if config_dir.resolve() != SHIPPED_CONFIG_DIR.resolve():
        expectation["config_dir"] = str(config_dir.resolve())
    expectation["lists"] = [
        {
            "url": source.urls[0],
            "first_entries": [[url, TODO, TODO] for url in capture.list_entries[:ENTRIES_TO_PIN]],
        }
    ]
    fields = dict.fromkeys(("title", "published_at", "source_line", "text_start"), TODO)
    expectation["articles"] = {url: fields for url in capture.articles}
    return json.dumps(expectation, ensure_ascii=False, indent=2) + "\n"
