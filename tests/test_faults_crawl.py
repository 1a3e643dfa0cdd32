"""A hostile or broken site costs the crawl one failed link each, never more (issue 14).

fx_hostile's list holds two good articles, one with an ``<embed>`` left open before its
last paragraphs, a page moved within the site, and five
hostile answers added here as routes: a gzip bomb, a meta refresh and a 302 to
another host, random bytes served as HTML, a redirect loop. Its `gbk/` list is GBK
although header and page both say UTF-8. Each hostile link must end as a failed link
with a one-line reason (shown by `status`), nothing must be fetched from the other
host, no page may cost its decompressed size in memory, and every good article of
both lists must be stored with its headline.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from support import run_xinqu

from crawler.extract.article import extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.markup import close_void_elements
from crawler.guards import looks_binary, site_of
from xinqu.store import open_store
from xinqu.store.articles import Article, FailedLink

NEWS = "/news/202611/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SITES = Path(__file__).parent / "fixtures" / "sites"
BOMB_MB = 64


def _bomb() -> bytes:
    """64 MiB of zeros, about 64 KB gzipped: the size limit in the test is 2 MiB."""
    return gzip.compress(b"\0" * (BOMB_MB * 2**20), compresslevel=9)


def _stored(
    data: Path,
) -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            articles = {row.url.rsplit("/", 1)[1]: row.title for row in session.query(Article)}
            texts = {row.url.rsplit("/", 1)[1]: row.text for row in session.query(Article)}
            failed = {
                row.url.rsplit("/", 1)[1]: (row.kind, row.last_error)
                for row in session.query(FailedLink)
            }
            return articles, failed, texts
    finally:
        store.dispose()


def test_hostile_answers_are_refused_one_line_each_and_lose_nothing(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_hostile")
    stranger = site_server("fx_dead")
    elsewhere = f"http://localhost:{stranger.port}/news/index.html"
    article = (site.root / "news/202611/t20261124_4001.html").read_text("utf-8")
    refresh = article.replace(
        '<meta charset="utf-8">',
        f'<meta charset="utf-8"><meta http-equiv="refresh" content="0;url={elsewhere}">',
    ).encode()
    bomb = _bomb()
    noise = random.Random(14).randbytes(20000)
    gbk = site.root / "gbk"

    def html(body: bytes, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html; charset=utf-8", **headers}, body

    site.routes.update(
        {
            f"{NEWS}t20261123_4002.html": lambda: html(bomb, **{"Content-Encoding": "gzip"}),
            f"{NEWS}t20261123_4003.html": lambda: html(refresh),
            f"{NEWS}t20261122_4004.html": lambda: (302, {"Location": elsewhere}, b""),
            f"{NEWS}t20261122_4005.html": lambda: html(noise),
            f"{NEWS}t20261121_4006.html": lambda: (
                302,
                {"Location": f"{NEWS}t20261121_4006.html"},
                b"",
            ),
            f"{NEWS}t20261119_4008.html": lambda: (302, {"Location": "moved_4008.html"}, b""),
            "/gbk/index.html": lambda: html((gbk / "index.html").read_bytes()),
            "/gbk/202611/t20261124_5001.html": lambda: html(
                (gbk / "202611/t20261124_5001.html").read_bytes()
            ),
            "/gbk/202611/t20261123_5002.html": lambda: html(
                (gbk / "202611/t20261123_5002.html").read_bytes()
            ),
        }
    )
    config = make_config(
        [
            {
                "name": "fx_hostile",
                "area": "敌意新区",
                "site_name": "敌意新区门户网站",
                "list_urls": [site.url("news/index.html"), site.url("gbk/index.html")],
            }
        ],
        crawl={"retry_times": 0, "max_page_mb": 2},
    )
    data = tmp_path / "data"

    run = run_xinqu(config, data, "crawl")
    assert "Traceback" not in run.stderr + run.stdout, run.stderr

    articles, failed, texts = _stored(data)
    assert articles == {
        "t20261124_4001.html": "敌意新区首批十家智能制造企业集中签约",
        "t20261120_4007.html": "敌意新区数字经济产业园二期项目开工建设",
        "t20261119_4008.html": "敌意新区营商环境改革二十条举措发布",
        "t20261118_4009.html": "敌意新区新闻发布会视频实录",
        "t20261124_5001.html": "敌意新区通知公告采用国标编码的第一篇",
        "t20261123_5002.html": "敌意新区通知公告采用国标编码的第二篇",
    }
    assert failed == {
        "t20261123_4002.html": (
            "transient",
            "page larger than the size limit (crawl.max_page_mb); not read",
        ),
        "t20261123_4003.html": ("transient", "redirects to another site (localhost); not followed"),
        "t20261122_4004.html": ("transient", "redirects to another site (localhost); not followed"),
        "t20261122_4005.html": (
            "transient",
            "not a readable page (binary or undecodable bytes, "
            "Content-Type text/html; charset=utf-8)",
        ),
        "t20261121_4006.html": ("transient", "too many redirects (a redirect loop?)"),
    }
    assert stranger.requests == []
    assert texts["t20261118_4009.html"].endswith("全年为市场主体减负十亿元以上。")  # after <embed>

    status = run_xinqu(config, data, "status")
    reasons = {reason for _, reason in failed.values()}
    lines = [
        line
        for line in status.stdout.splitlines()
        if "fx_hostile — its crawl's first error:" in line
    ]
    assert len(lines) == 1 and any(reason in lines[0] for reason in reasons), status.stdout
    assert "(and 4 more: see the log)" in lines[0]


def test_what_no_page_is_made_of():
    assert looks_binary(random.Random(1).randbytes(4096))
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert not looks_binary("<html><body><p>新区　要闻\t</p></body></html>".encode("gb18030"))
    assert not looks_binary("<p>新区</p>".encode("utf-16"))  # a BOM: wide text, not junk
    assert not looks_binary(b"")


def test_a_site_is_its_registered_domain():
    assert site_of("http://www.pudong.gov.cn/a.html") == site_of("https://pudong.gov.cn/b")
    assert site_of("http://www.pudong.gov.cn/") != site_of("http://www.binhai.gov.cn/")
    assert site_of("http://127.0.0.1:8001/") == site_of("http://127.0.0.1:9/")
    assert site_of("http://127.0.0.1:8001/") != site_of("http://localhost:8001/")


def test_an_open_embed_swallows_nothing():
    page = (SITES / "fx_hostile/news/202611/t20261118_4009.html").read_bytes()
    article = extract_article(
        decode_html(page), "http://www.x.gov.cn/news/202611/t20261118_4009.html", tz=SHANGHAI
    )
    assert article.text.endswith("全年为市场主体减负十亿元以上。")
    assert close_void_elements(b'<p>a</p><embed src="a>b"><p>b') == (
        b'<p>a</p><embed src="a>b"></embed><p>b'
    )
    assert close_void_elements(b"<EMBED/>x<wbr>y") == b"<EMBED></EMBED>x<wbr></wbr>y"
