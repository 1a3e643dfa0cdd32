"""Benchmark: automatic link discovery on one huge list page (issue 14.3).

    .venv/bin/python -m bench.listing                  # 1k, 10k, 50k links
    .venv/bin/python -m bench.listing --sizes 1000 4000

Generates a list page of N dated rows (``<li><a href=…/t2026…_k.html>headline</a>
<span>2026-11-20</span></li>``) in three shapes — ``ul`` blocks of 20, one ``ul``
holding them all, one ``table`` (the shapes that were quadratic: every row looked
back over its siblings for a box heading, every table cell over the rows above it
for its column header) — with a nav bar, a sidebar of hot links and a pager, and
times the real
discovery function (:func:`crawler.extract.listing.discover_entries`, what the
spider calls through the generic family) on it, best of a few runs. Prints per
size the seconds, microseconds per link, and the ratio of time per link to the
smallest size's (linear: about 1; quadratic: grows with N).
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from scrapy.http import HtmlResponse

from crawler.extract.listing import discover_entries, find_next_pages
from xinqu.config import Source

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, tzinfo=TZ)
URL = "http://bench.gov.cn/xwzx/gzdt/index.html"
HEADLINE = "新区第{k}项重点工作取得新进展相关项目有序推进"


def _row(k: int, cell: bool) -> str:
    day = f"2026-11-{1 + k % 28:02d}"
    link = (
        f'<a href="/xwzx/gzdt/202611/t202611{1 + k % 28:02d}_{k}.html" '
        f'title="{HEADLINE.format(k=k)}">{HEADLINE.format(k=k)}</a>'
    )
    if cell:
        return f"<tr><td>{link}</td><td>{day}</td></tr>"
    return f"<li>{link}<span>{day}</span></li>"


def list_page(links: int, shape: str = "blocks") -> bytes:
    """A list page of ``links`` dated article rows: ``blocks`` of 20 ``li`` in their
    own ``ul``, all in ``one-ul``, or all rows of one ``table``."""
    nav = "".join(f'<a href="/col{i}/">栏目{i}</a>' for i in range(12))
    hot = "".join(
        f'<li><a href="/xwzx/rd/202611/t20261101_{i}.html">热点新闻标题第{i}条内容</a></li>'
        for i in range(10)
    )
    if shape == "table":
        main = "<table>" + "".join(_row(k, True) for k in range(links)) + "</table>"
    elif shape == "one-ul":
        main = '<ul class="list">' + "".join(_row(k, False) for k in range(links)) + "</ul>"
    else:
        main = "".join(
            '<ul class="list">'
            + "".join(_row(k, False) for k in range(start, min(start + 20, links)))
            + "</ul>"
            for start in range(0, links, 20)
        )
    html = (
        f'<html><head><meta charset="utf-8"><title>工作动态</title></head><body>'
        f'<div class="nav">{nav}</div><div class="main">{main}'
        f'<div class="page"><a href="index_1.html">下一页</a></div></div>'
        f'<div class="side"><h3>热点排行</h3><ul>{hot}</ul></div></body></html>'
    )
    return html.encode("utf-8")


def measure(links: int, repeat: int, shape: str = "blocks") -> tuple[float, int]:
    """Best seconds of ``repeat`` discoveries on a fresh response, and entries found."""
    body = list_page(links, shape)
    source = Source.model_validate(
        {"name": "bench", "area": "新区", "site_name": "bench", "list_urls": [URL]}
    )
    best = float("inf")
    found = 0
    for _ in range(repeat):
        response = HtmlResponse(URL, body=body, encoding="utf-8")
        started = time.perf_counter()
        entries = discover_entries(response, source, TZ, NOW)
        find_next_pages(response, source)
        best = min(best, time.perf_counter() - started)
        found = len(entries)
    return best, found


SHAPES = ("blocks", "one-ul", "table")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'shape':>7} {'links':>7} {'entries':>7} {'seconds':>8} {'us/link':>8} {'ratio':>6}")
    for shape in args.shapes:
        base: float | None = None
        for size in args.sizes:
            seconds, found = measure(size, args.repeat if size <= 10000 else 1, shape)
            per_link = seconds / size
            base = base or per_link
            print(
                f"{shape:>7} {size:>7} {found:>7} {seconds:>8.3f} "
                f"{per_link * 1e6:>8.1f} {per_link / base:>6.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
