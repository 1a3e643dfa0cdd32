"""Labelled news served as ordinary sites, crawled and processed by the real commands.

    python -m bench.served_news FILE.jsonl [--keep DIR]

The figure a user meets: each outlet of the file becomes a small site on 127.0.0.1 (a
paged list, one page per article, the navigation, date line, source line, related
links and footer of a common government CMS), configured as a source with nothing
but its name, area, site name and list URL. `xinqu crawl` then `xinqu process` run in
child processes exactly as a user runs them, and the store they leave is compared
with the labels:

* collected: articles stored / items served; title: stored title == the item's;
* section: macro-F1 of the stored section against ``label`` (industry/reform/out),
  also without the items marked ``borderline``;
* area: the stored story area against ``area`` (one of the 19, 多个新区 or 其他);
* dedupe (items with a ``cluster``): pairs of one cluster stored in one group
  (recall), pairs in one group that belong to one cluster (precision), clusters shown
  once (all members in one group with no stranger).

Each line of FILE: title, text, url, outlet, date (YYYY-MM-DD), label, area,
site_area (the carrying site's area, or null) and optionally borderline, cluster.
The site of an outlet with no area is configured with area 其他.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from xinqu.resources import shipped_config_dir
from xinqu.store import open_store
from xinqu.store.articles import Article
from xinqu.store.processing import ArticleProcessing

PER_PAGE = 20
SECTIONS = ("industry", "reform", "out")


def _slug(outlets: list[str]) -> dict[str, str]:
    return {outlet: f"s{n:03d}" for n, outlet in enumerate(sorted(set(outlets)))}


def _article_page(item: dict[str, Any], site: str, number: int) -> str:
    paragraphs = "\n".join(
        f"<p>{html.escape(line.strip())}</p>" for line in item["text"].splitlines() if line.strip()
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{html.escape(item["title"])}_{html.escape(site)}</title></head>
<body>
<div class="header"><div class="logo">{html.escape(site)}</div>
<ul class="nav"><li><a href="../index.html">首页</a></li><li><a href="index.html">新闻中心</a></li>
<li><a href="index.html">通知公告</a></li><li><a href="index.html">政务公开</a></li></ul></div>
<div class="location">当前位置：<a href="../index.html">首页</a> &gt;
<a href="index.html">新闻中心</a></div>
<div class="article">
<h1 class="title">{html.escape(item["title"])}</h1>
<div class="info">发布时间：{item["date"]} 09:00　来源：{html.escape(item["outlet"])}
　【字体：大 中 小】</div>
<div class="content">
{paragraphs}
</div>
<div class="share">分享到：微信 微博</div>
<div class="prev-next"><a href="a{number + 1}.html">下一篇</a></div>
</div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="index.html">更多新闻</a></li></ul></div>
<div class="footer"><p>主办：{html.escape(site)}　版权所有</p><p>技术支持：某某网络</p></div>
</body></html>
"""


def _list_page(rows: list[tuple[int, dict[str, Any]]], site: str, page: int, pages: int) -> str:
    items = "\n".join(
        f'<li><a href="a{n}.html" target="_blank">{html.escape(item["title"])}</a>'
        f'<span class="date">{item["date"]}</span></li>'
        for n, item in rows
    )
    pager = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < pages else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>新闻中心_{html.escape(site)}</title></head>
<body>
<div class="header"><div class="logo">{html.escape(site)}</div></div>
<div class="main"><div class="list-title">新闻中心</div>
<ul class="news-list">
{items}
</ul>
<div class="pages">共{pages}页 {pager}</div></div>
<div class="footer"><p>主办：{html.escape(site)}</p></div>
</body></html>
"""


def build_sites(items: list[dict[str, Any]], root: Path) -> dict[str, list[int]]:
    """Write one site per outlet under ``root``; returns slug → the item numbers it serves."""
    slugs = _slug([item["outlet"] for item in items])
    by_site: dict[str, list[int]] = defaultdict(list)
    for number, item in enumerate(items):
        by_site[slugs[item["outlet"]]].append(number)
    outlet_of = {slug: outlet for outlet, slug in slugs.items()}
    for slug, numbers in by_site.items():
        folder = root / slug
        folder.mkdir(parents=True)
        site = outlet_of[slug]
        ordered = sorted(numbers, key=lambda n: items[n]["date"], reverse=True)
        pages = (len(ordered) + PER_PAGE - 1) // PER_PAGE
        for page in range(pages):
            rows = [(n, items[n]) for n in ordered[page * PER_PAGE : (page + 1) * PER_PAGE]]
            name = "index.html" if page == 0 else f"index_{page}.html"
            (folder / name).write_text(_list_page(rows, site, page, pages), "utf-8")
        for n in numbers:
            (folder / f"a{n}.html").write_text(_article_page(items[n], site, n), "utf-8")
    return dict(by_site)


def _serve(root: Path) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 512  # 5 by default: a crawl of many sites at once overflows it

    server = Server(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_config(
    items: list[dict[str, Any]], sites: dict[str, list[int]], port: int, folder: Path
) -> None:
    folder.mkdir(parents=True)
    sources = []
    for slug, numbers in sorted(sites.items()):
        first = items[numbers[0]]
        sources.append(
            {
                "name": slug,
                "area": first.get("site_area") or "其他",
                "site_name": first["outlet"],
                "list_urls": [f"http://127.0.0.1:{port}/{slug}/index.html"],
                "obey_robots": False,
            }
        )
    pages = max(len(n) for n in sites.values()) // PER_PAGE + 2
    settings = {
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "retry_times": 0,
            "max_pages": min(pages, 100),
            "window_days": 20000,
            "concurrent_requests_per_domain": 8,
        },
        "mail": {"transport": "outbox"},
    }
    (folder / "settings.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    (folder / "sources.yaml").write_text(
        yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8"
    )
    for name in ("sections.yaml", "areas.yaml"):
        shipped = shipped_config_dir() / name
        if shipped.is_file():
            (folder / name).write_text(shipped.read_text("utf-8"), "utf-8")


def _xinqu(config: Path, data: Path, now: str, *args: str) -> None:
    env = {**os.environ, "XINQU_NOW": now}
    command = [sys.executable, "-m", "scheduler.cli", "--config", str(config), "--data", str(data)]
    run = subprocess.run([*command, *args], env=env, capture_output=True, text=True, check=False)
    print(f"$ xinqu {' '.join(args)} → exit {run.returncode}", file=sys.stderr)
    if run.returncode not in (0, 1):
        print(run.stderr, file=sys.stderr)


def _f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    per = {}
    for label in SECTIONS:
        tp = sum(1 for want, got in pairs if want == got == label)
        fp = sum(1 for want, got in pairs if got == label and want != label)
        fn = sum(1 for want, got in pairs if want == label and got != label)
        per[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return sum(per.values()) / len(per), per


def score(items: list[dict[str, Any]], stored: dict[int, dict[str, Any]]) -> None:
    n = len(items)
    print(f"collected {len(stored)}/{n}")
    titled = sum(1 for k, row in stored.items() if row["title"] == items[k]["title"].strip())
    print(f"title exact {titled}/{len(stored)}")
    pairs = [
        (items[k]["label"], row["section"]) for k, row in stored.items() if items[k].get("label")
    ]
    macro, per = _f1(pairs) if pairs else (0.0, {})
    if pairs:
        print(f"section macro-F1 {macro:.3f} " + " ".join(f"{k} {v:.3f}" for k, v in per.items()))
    plain = [
        (items[k]["label"], r["section"])
        for k, r in stored.items()
        if items[k].get("label")
        if not items[k].get("borderline")
    ]
    if plain:
        print(f"  not borderline ({len(plain)}): macro-F1 {_f1(plain)[0]:.3f}")
    confusion = Counter(f"{want}→{got}" for want, got in pairs if want != got)
    print("  errors: " + ", ".join(f"{k} {v}" for k, v in confusion.most_common()))
    areas = {k: row for k, row in stored.items() if items[k].get("area")}
    right = sum(1 for k, row in areas.items() if row["area"] == items[k]["area"])
    print(f"area {right}/{len(areas)} = {right / max(len(areas), 1):.3f}")
    misses = Counter(
        f"{items[k]['area']}→{row['area']}"
        for k, row in areas.items()
        if row["area"] != items[k]["area"]
    )
    print("  misses: " + ", ".join(f"{k} {v}" for k, v in misses.most_common(12)))
    clustered = [k for k in stored if items[k].get("cluster") is not None]
    if not clustered:
        return
    same_cluster = same_group = both = 0
    for a, b in combinations(clustered, 2):
        c = items[a]["cluster"] == items[b]["cluster"]
        g = stored[a]["group"] == stored[b]["group"]
        same_cluster += c
        same_group += g
        both += c and g
    clusters: dict[Any, list[int]] = defaultdict(list)
    for k in clustered:
        clusters[items[k]["cluster"]].append(k)
    real = {c: ks for c, ks in clusters.items() if len(ks) > 1}
    groups: dict[int, set[Any]] = defaultdict(set)
    for k in clustered:
        groups[stored[k]["group"]].add(items[k]["cluster"])
    once = sum(
        1
        for ks in real.values()
        if len({stored[k]["group"] for k in ks}) == 1
        and groups[stored[ks[0]]["group"]] == {items[ks[0]]["cluster"]}
    )
    print(
        f"dedupe pairs: recall {both}/{same_cluster} = {both / max(same_cluster, 1):.3f}, "
        f"precision {both}/{same_group} = {both / max(same_group, 1):.3f}; "
        f"clusters shown once {once}/{len(real)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--keep", type=Path, help="build the sites and the store here")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line.strip()]
    known = [item["date"][:10] for item in items if item.get("date")]
    untitled = 0
    for item in items:  # a real site shows a day for every item; an undated one gets the newest
        day = (item.get("date") or max(known))[:10]
        item["date"] = day + "-01" * (2 - day.count("-"))  # 2011-07 → 2011-07-01
        item["outlet"] = item.get("outlet") or "某网站"
        if not (item.get("title") or "").strip():  # every real list shows a headline
            lead = next((line.strip() for line in item["text"].splitlines() if line.strip()), "")
            item["title"] = lead.split("。")[0][:40] or "无题"
            untitled += 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="served-news-"))
    sites = build_sites(items, work / "sites")
    server = _serve(work / "sites")
    try:
        port = server.server_address[1]
        write_config(items, sites, port, work / "config")
        newest = max(date.fromisoformat(item["date"][:10]) for item in items)
        oldest = min(date.fromisoformat(item["date"][:10]) for item in items)
        now = f"{newest + timedelta(days=1)}T10:00:00+08:00"
        _xinqu(work / "config", work / "data", now, "crawl")
        _xinqu(work / "config", work / "data", now, "process", "--since", oldest.isoformat())
    finally:
        server.shutdown()
    store = open_store(f"sqlite:///{work / 'data' / 'xinqu.db'}")
    stored: dict[int, dict[str, Any]] = {}
    with store.session() as session:
        for article, state in session.query(Article, ArticleProcessing).outerjoin(
            ArticleProcessing, ArticleProcessing.article_id == Article.id
        ):
            number = int(article.url.rsplit("/a", 1)[1].removesuffix(".html"))
            stored[number] = {
                "title": article.title.strip(),
                "section": state.section if state else None,
                "area": state.area if state else None,
                "group": state.group_id if state else -article.id,
            }
    store.dispose()
    print(f"{args.data}: {len(items)} items on {len(sites)} sites (work folder {work})")
    if untitled:
        print(f"  {untitled} items had no title: served under their lead's first sentence")
    score(items, stored)


if __name__ == "__main__":
    main()
