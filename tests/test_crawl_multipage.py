"""Articles split over several pages are stored once, whole.

The fixture site fx_paged lists five articles: a TRS article over three pages
(``createPageHTML``: ``t…_4001.html``, ``_1``, ``_2``), one paged by 下一页 links
to ``?page=2``/``?page=3`` with its pager inside the body, a single page, one whose
pager loops (page 3's 下一页 points back to page 2), and a TRS article whose third
page the tests make answer 500. Every article page also links 上一篇/下一篇 to two
articles that are never listed, so never to be fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import REAL_PAGES, run_xinqu

from crawler.extract.encoding import decode_html
from crawler.extract.pages import continuation_number, next_article_page
from xinqu.store import open_store
from xinqu.store.articles import Article, FailedLink

NEWS = "/news/202611/"
TRS = NEWS + "t20261124_4001.html"
NEXT = NEWS + "t20261123_4002.html"
SINGLE = NEWS + "t20261122_4003.html"
LOOP = NEWS + "t20261121_4004.html"
FAILING = NEWS + "t20261120_4005.html"
FAILING_PAGE = NEWS + "t20261120_4005_2.html"
NOT_LISTED = (NEWS + "t20261118_4900.html", NEWS + "t20261117_4901.html")


def paragraphs(key: str, *pages: int) -> str:
    return "\n".join(
        f"{key}第{page}页第{i}段：分页新区围绕主导产业持续发力，推动项目建设提速增效，各项指标稳中向好。"
        for page in pages
        for i in (1, 2)
    )


# -- recognising continuation pages -------------------------------------------------------


FIRST = "http://www.x.gov.cn/news/202611/t20261124_4001.html"


def test_continuation_urls_are_shaped_after_the_first_page() -> None:
    assert continuation_number(FIRST.replace(".html", "_1.html"), FIRST) == 1
    assert continuation_number(FIRST.replace(".html", "_12.html"), FIRST) == 12
    assert continuation_number(FIRST + "?page=3", FIRST) == 3
    assert continuation_number("http://x.cn/show.php?id=5&pn=2", "http://x.cn/show.php?id=5") == 2
    # other articles, however alike
    assert continuation_number(FIRST.replace("4001", "4002"), FIRST) is None
    assert (
        continuation_number("http://x.cn/show.php?id=6&page=2", "http://x.cn/show.php?id=5") is None
    )
    assert continuation_number(FIRST.replace(".html", "_1234567.html"), FIRST) is None
    assert continuation_number(FIRST, FIRST) is None


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<script>createPageHTML(3, 0, "t20261124_4001", "html");</script>', FIRST, "_1"),
        ('<script>createPageHTML(3, 1, "t20261124_4001", "html");</script>', "_1", "_2"),
        ('<script>createPageHTML(3, 2, "t20261124_4001", "html");</script>', "_2", None),
        ('<script>createPageHTML(1, 0, "t20261124_4001", "html");</script>', FIRST, None),
        # youth.cn's TRS template: the pager's variables
        ("<script>var currentPage = 0\nvar countPage = 2\n</script>", FIRST, "_1"),
        # a pager for something else on the page (a comment list) is not the article's
        ('<script>createPageHTML(5, 0, "index", "html");</script>', FIRST, None),
        ('<div class="pager"><a href="t20261124_4001_2.html">下一页</a></div>', FIRST, "_2"),
        ('<a href="t20261124_4001.html?page=2">下页 &gt;</a>', FIRST, "?page=2"),
        ('<a href="t20261124_4001.html?page=1">1</a> <a href="?page=2">2</a>', FIRST, "?page=2"),
        ('<a href="t20261124_4001_1.html">2</a><a href="t20261124_4001_2.html">3</a>', FIRST, "_1"),
        # links to other articles, even labelled 下一页, and page 2 pointing back to page 1
        ('<p>下一篇：<a href="t20261123_4002.html">另一篇文章的标题</a></p>', FIRST, None),
        ('<a href="t20261123_4002.html">下一页</a>', FIRST, None),
        ('<a href="t20261124_4001.html">下一页</a>', "_1", None),
    ],
)
def test_next_page_of_an_article(html: str, url: str, expected: str | None) -> None:
    def absolute(part: str) -> str:
        return part if part.startswith("http") else FIRST.replace(".html", f"{part}.html")

    following = next_article_page(f"<html><body>{html}</body></html>", absolute(url), FIRST)
    if expected is None:
        assert following is None
    elif expected.startswith("?"):
        assert following == FIRST + expected
    else:
        assert following == absolute(expected)


@pytest.mark.skipif(not (REAL_PAGES / "manifest.json").is_file(), reason="shared/ is absent")
def test_real_single_pages_have_no_continuation_and_xinhuas_photo_pager_is_one() -> None:
    manifest = json.loads((REAL_PAGES / "manifest.json").read_text("utf-8"))
    found = {}
    for page in manifest["pages"]:
        html = decode_html((REAL_PAGES / page["file"]).read_bytes())
        url = page.get("url") or f"http://www.example.gov.cn/a/{page['file']}"
        if (following := next_article_page(html, url, url)) is not None:
            found[page["file"]] = following
    assert found == {
        "mh-www-he-news-cn-090704b0.html": (
            "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html?page=2"
        )
    }


# -- the crawl ------------------------------------------------------------------------------


def _by_path(data: Path, model: type, value: Callable[[Any], tuple]) -> dict[str, tuple]:
    """``value(row)`` of every stored row of ``model``, keyed by the path of its URL."""
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            return {"/" + row.url.split("/", 3)[3]: value(row) for row in session.query(model)}
    finally:
        store.dispose()


def _articles(data: Path) -> dict[str, tuple]:
    return _by_path(data, Article, lambda row: (row.text, row.incomplete))


def _failed(data: Path) -> dict[str, tuple]:
    return _by_path(data, FailedLink, lambda row: (row.kind, row.attempts))


def _pages(site) -> list[str]:
    return sorted(p for p in site.requests if p.startswith(NEWS))


def _lines(stdout: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in stdout.splitlines())


@pytest.fixture
def paged(site_server, make_config, frozen_now, tmp_path):
    site = site_server("fx_paged")
    page = (site.root / FAILING_PAGE.lstrip("/")).read_bytes()
    answers = {"status": 500}
    site.routes[FAILING_PAGE] = lambda: (
        (500, {}, b"busy")
        if answers["status"] == 500
        else (200, {"Content-Type": "text/html"}, page)
    )

    def config(**crawl):
        return make_config(
            [
                {
                    "name": "fx_paged",
                    "list_urls": [site.url("news/index.html")],
                    "area": "分页新区",
                    "site_name": "分页新区门户网站",
                }
            ],
            crawl={"retry_times": 1, "retry_backoff_seconds": 0.05, **crawl},
        )

    return site, answers, config, tmp_path / "data"


def test_paged_articles_are_stored_whole_and_a_failed_page_leaves_them_incomplete(paged):
    site, answers, make, data = paged
    config = make(max_link_attempts=2)

    first = run_xinqu(config, data, "crawl")
    assert first.returncode == 0, first.stderr
    stored = _articles(data)
    assert stored[TRS] == (paragraphs("甲文", 1, 2, 3), None)
    assert stored[NEXT] == (paragraphs("乙文", 1, 2, 3), None)
    assert stored[SINGLE] == (paragraphs("丙文", 1), None)
    assert stored[LOOP] == (paragraphs("丁文", 1, 2, 3), None)
    text, incomplete = stored[FAILING]
    assert text == paragraphs("戊文", 1, 2)
    assert incomplete == (
        f"page 3 {site.url(FAILING_PAGE)} failed (HTTP 500); text of pages 1-2 only"
    )
    assert len(stored) == 5  # one article per listed link, none for a continuation page
    # each page once (the 500 and its one retry), the 上一篇/下一篇 articles never
    assert _pages(site) == sorted(
        [
            TRS,
            TRS.replace(".html", "_1.html"),
            TRS.replace(".html", "_2.html"),
            NEXT,
            NEXT + "?page=2",
            NEXT + "?page=3",
            SINGLE,
            LOOP,
            LOOP.replace(".html", "_2.html"),
            LOOP.replace(".html", "_3.html"),
            FAILING,
            FAILING.replace(".html", "_1.html"),
            FAILING_PAGE,
            FAILING_PAGE,
        ]
    )
    assert not set(NOT_LISTED) & set(site.requests)
    expected_line = (
        f"article {site.url(FAILING)}: page 3 {site.url(FAILING_PAGE)} failed (HTTP 500); "
        "text of pages 1-2 only; stored incomplete"
    )
    assert _lines(first.stdout)["fx_paged"] == (
        f"partial  requests=15 new=5 updated=0 known=0 errors=1  — {expected_line}"
    )
    log = (data / "logs" / "xinqu.log").read_text("utf-8").splitlines()
    ours = [line for line in log if " fx_paged: " in line and FAILING_PAGE in line]
    assert len(ours) == 1 and ours[0].endswith(f"INFO fx_paged: {expected_line}")
    assert _failed(data) == {FAILING: ("transient", 1)}
    shown = [
        run_xinqu(config, data, "articles", "show", str(n)).stdout.splitlines() for n in range(1, 6)
    ]
    assert [lines[3] for lines in shown if lines[2].strip() == site.url(FAILING)] == [
        f"  text incomplete: {incomplete}"
    ]

    # Again, the page still failing: only the incomplete article is asked for again,
    # none of the stored articles' pages; this was its last try.
    site.requests.clear()
    second = run_xinqu(config, data, "crawl")
    assert second.returncode == 0, second.stderr
    assert _pages(site) == sorted(
        [FAILING, FAILING.replace(".html", "_1.html"), FAILING_PAGE, FAILING_PAGE]
    )
    assert _lines(second.stdout)["fx_paged"] == (
        "partial  requests=5 new=0 updated=0 known=5 errors=1  — "
        f"{expected_line} (failed in 2 crawls; not requested again until --refresh)"
    )
    assert _articles(data)[FAILING][1] == incomplete

    # Not forever: now nothing but the list page.
    site.requests.clear()
    third = run_xinqu(config, data, "crawl")
    assert third.returncode == 0, third.stderr
    assert [p for p in site.requests if p != "/robots.txt"] == ["/news/index.html"]
    assert _lines(third.stdout)["fx_paged"] == (
        "ok       requests=1 new=0 updated=0 known=5 errors=0"
    )

    # The page is back; --refresh fetches it and the article is whole.
    answers["status"] = 200
    refresh = run_xinqu(config, data, "crawl", "--refresh")
    assert refresh.returncode == 0, refresh.stderr
    assert _articles(data)[FAILING] == (paragraphs("戊文", 1, 2, 3), None)
    assert _failed(data) == {}
    assert _lines(refresh.stdout)["fx_paged"] == (
        "ok       requests=14 new=0 updated=1 known=4 errors=0"
    )


def test_an_incomplete_article_is_completed_by_the_next_crawl(paged):
    site, answers, make, data = paged
    config = make()
    assert run_xinqu(config, data, "crawl").returncode == 0
    assert _articles(data)[FAILING][1] is not None

    answers["status"] = 200
    site.requests.clear()
    again = run_xinqu(config, data, "crawl")
    assert again.returncode == 0, again.stderr
    assert _pages(site) == sorted([FAILING, FAILING.replace(".html", "_1.html"), FAILING_PAGE])
    assert _articles(data)[FAILING] == (paragraphs("戊文", 1, 2, 3), None)
    assert _failed(data) == {}
    assert _lines(again.stdout)["fx_paged"] == (
        "ok       requests=4 new=0 updated=1 known=4 errors=0"
    )


def test_the_page_cap_stops_a_long_article(paged):
    site, answers, make, data = paged
    answers["status"] = 200
    config = make(max_article_pages=2)
    result = run_xinqu(config, data, "crawl")
    assert result.returncode == 0, result.stderr
    stored = _articles(data)
    assert stored[TRS] == (
        paragraphs("甲文", 1, 2),
        f"stopped after 2 pages (crawl.max_article_pages); next page "
        f"{site.url(TRS.replace('.html', '_2.html'))} not fetched",
    )
    assert stored[NEXT][0] == paragraphs("乙文", 1, 2)
    assert stored[SINGLE] == (paragraphs("丙文", 1), None)
    assert TRS.replace(".html", "_2.html") not in site.requests
    assert NEXT + "?page=3" not in site.requests
    # the cap is no failure: nothing to fetch again
    assert _failed(data) == {}


def test_check_and_extract_show_the_whole_text(paged):
    site, answers, make, data = paged
    answers["status"] = 200
    config = make()
    extracted = run_xinqu(config, data, "extract", site.url(TRS), "--format", "json")
    assert extracted.returncode == 0, extracted.stderr
    assert json.loads(extracted.stdout)["text"] == paragraphs("甲文", 1, 2, 3)
    as_text = run_xinqu(config, data, "extract", site.url(NEXT))
    assert "pages:        3" in as_text.stdout.splitlines()
    assert as_text.stdout.endswith(paragraphs("乙文", 1, 2, 3) + "\n")

    saved = run_xinqu(
        config, data, "extract", str(site.root / TRS.lstrip("/")), "--url", site.url(TRS)
    )
    assert f"incomplete:   the page continues at {site.url(TRS.replace('.html', '_1.html'))}" in (
        saved.stdout
    )

    answers["status"] = 500
    failing = run_xinqu(config, data, "extract", site.url(FAILING), "--format", "json")
    assert failing.returncode == 0
    assert json.loads(failing.stdout)["text"] == paragraphs("戊文", 1, 2)
    assert failing.stderr.strip().startswith("xinqu: text incomplete: page 3 ")

    checked = run_xinqu(config, data, "sources", "check", "fx_paged")
    assert checked.returncode == 0, checked.stderr
    bodies = [line.strip() for line in checked.stdout.splitlines() if "body " in line]
    whole = paragraphs("甲文", 1, 2, 3)
    assert bodies[0].startswith(f"body       {len(whole)} characters, 6 paragraphs over 3 pages")
