"""Benchmark: `xinqu crawl` against a bare Scrapy spider on a generated loopback world.

    .venv/bin/python bench/crawl.py                  # 19 sites x 500 articles
    .venv/bin/python bench/crawl.py --articles 60    # about a minute on 2 cores

Generates N sites (TRS-like lists of 20 links with createPageHTML pagination,
article pages with the government meta tags), serves each on its own loopback
address 127.0.0.<k>:<port> from one Twisted server process, then runs in this
same invocation, each as a child process with delays off:

1. a bare Scrapy spider that fetches the same pages (follows the same list pages
   and article links, extracts nothing, stores nothing) -- the baseline;
2. `xinqu crawl` into a fresh data folder;
3. `xinqu crawl` again over the unchanged world.

Prints pages/second and peak RSS of 1 and 2, their ratio (target >= 0.7), and the
requests the server saw during 3 (target: one per list URL; robots.txt apart).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_PAGE = 20
NOW = "2026-11-25T10:00:00+08:00"
PARAGRAPH = (
    "近日，第{site}号新区第{n}项重点工作取得新进展，相关项目按计划有序推进，"
    "企业获得感持续增强，为高质量发展注入新动能。"
)


def site_host(k: int) -> str:
    return f"127.0.0.{k + 2}"


def generate(folder: Path, sites: int, articles: int) -> None:
    """Write the world as files: <folder>/<k>/<path>."""
    pages = (articles + PER_PAGE - 1) // PER_PAGE
    for k in range(sites):
        root = folder / str(k)
        (root / "news" / "202611").mkdir(parents=True)
        for n in range(articles):
            day = 24 - (n * 20 // articles)
            title = f"第{k}号新区重点工作第{n}项取得新进展推动高质量发展"
            body = "".join(f"<p>{PARAGRAPH.format(site=k, n=n)}{i}</p>" for i in range(4))
            (root / "news" / "202611" / f"t202611{day:02d}_{n}.html").write_text(
                f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2026-11-{day:02d} 09:30">
<meta name="ContentSource" content="第{k}号新区融媒体中心"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/news/">新闻</a></div>
<div class="article"><h1>{title}</h1><div class="TRS_Editor">{body}</div></div>
<div class="footer">版权所有</div></body></html>""",
                "utf-8",
            )
        for p in range(pages):
            items = "\n".join(
                f'<li><a href="./202611/t202611{24 - (n * 20 // articles):02d}_{n}.html">'
                f"第{k}号新区重点工作第{n}项取得新进展推动高质量发展</a>"
                f"<span>2026-11-{24 - (n * 20 // articles):02d}</span></li>"
                for n in range(p * PER_PAGE, min((p + 1) * PER_PAGE, articles))
            )
            name = "index.html" if p == 0 else f"index_{p}.html"
            (root / "news" / name).write_text(
                f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻</title></head>
<body><div class="nav"><a href="/">首页</a></div><ul class="list">{items}</ul>
<script>createPageHTML({pages}, {p}, "index", "html");</script></body></html>""",
                "utf-8",
            )


def serve(folder: Path, sites: int, port: int) -> None:
    """Child process: serve every site from memory, counting requests (GET /__stats)."""
    from twisted.internet import reactor
    from twisted.web import resource as web_resource
    from twisted.web import server

    counts: dict[str, int] = {"pages": 0, "robots": 0}

    class Site(web_resource.Resource):
        isLeaf = True  # noqa: N815 (Twisted's name)

        def __init__(self, root: Path) -> None:
            super().__init__()
            self.files = {
                "/" + str(p.relative_to(root)): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file()
            }

        def render_GET(self, request):  # noqa: N802 (Twisted's name)
            path = request.path.decode()
            if path == "/__stats":
                request.setHeader(b"content-type", b"application/json")
                return json.dumps(counts).encode()
            if path == "/robots.txt":
                counts["robots"] += 1
                request.setResponseCode(404)
                return b""
            counts["pages"] += 1
            body = self.files.get(path)
            if body is None:
                request.setResponseCode(404)
                return b"not found"
            request.setHeader(b"content-type", b"text/html")
            return body

        def render_HEAD(self, request):  # noqa: N802
            return self.render_GET(request)

    for k in range(sites):
        reactor.listenTCP(port, server.Site(Site(folder / str(k))), interface=site_host(k))
    signal.signal(signal.SIGTERM, lambda *_: reactor.callFromThread(reactor.stop))
    print("ready", flush=True)
    reactor.run()


def stats(sites: int, port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://{site_host(0)}:{port}/__stats", timeout=10) as answer:
        return json.loads(answer.read())


def bare_spider(sites: int, port: int, concurrency: int) -> None:
    """Child process: the baseline, a plain Scrapy spider over the same pages."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [f"http://{site_host(k)}:{port}/news/index.html" for k in range(sites)]

        def parse(self, response):
            for href in response.css("ul.list a::attr(href)").getall():
                yield response.follow(href, callback=self.article)
            marker = response.css("script::text").re_first(r"createPageHTML\((\d+), (\d+)")
            script = response.css("script::text").re(r"createPageHTML\((\d+), (\d+)")
            if marker and int(script[1]) + 1 < int(script[0]):
                yield response.follow(f"index_{int(script[1]) + 1}.html", callback=self.parse)

        def article(self, response):
            yield {"url": response.url, "title": response.css("title::text").get()}

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": sites * concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "TELNETCONSOLE_ENABLED": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    process.crawl(Bare)
    process.start()


def child_main(kind: str, argv: list[str]) -> None:
    """Run one measured child and write its peak RSS (KiB) to stderr's last line."""
    try:
        if kind == "bare":
            bare_spider(int(argv[0]), int(argv[1]), int(argv[2]))
        else:
            from scheduler.cli import main

            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                cProfile.runctx(
                    "main.main(argv, standalone_mode=False)",
                    globals(),
                    {"main": main, "argv": argv},
                    f"{os.environ['BENCH_PROFILE']}.{os.getpid()}",
                )
            else:
                main.main(argv, standalone_mode=False)
    finally:
        sys.stderr.write(f"\nPEAK_RSS_KIB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\n")


def measured(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"child {args[:2]} failed:\n{done.stderr[-3000:]}")
    peak = int(done.stderr.rsplit("PEAK_RSS_KIB", 1)[1].split()[0])
    return elapsed, peak, done.stdout


def extraction_rate(world: Path, limit: int) -> float:
    """Articles per second of crawler.extract.article.extract_article alone, in this process."""
    from zoneinfo import ZoneInfo

    from crawler.extract.article import extract_article

    pages = [p.read_text("utf-8") for p in sorted(world.glob("*/news/202611/*.html"))[:limit]]
    tz = ZoneInfo("Asia/Shanghai")
    started = time.perf_counter()
    for html in pages:
        extract_article(html, "http://127.0.0.2/news/202611/a.html", tz=tz)
    return len(pages) / (time.perf_counter() - started)


def write_config(folder: Path, sites: int, port: int, pages: int, concurrency: int) -> None:
    folder.mkdir()
    sources = [
        {
            "name": f"bench_{k}",
            "area": f"新区{k}",
            "site_name": f"新区{k}官网",
            "list_urls": [f"http://{site_host(k)}:{port}/news/index.html"],
        }
        for k in range(sites)
    ]
    settings = {
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "max_pages": min(pages, 100),
            "window_days": 60,
            "concurrent_requests_per_domain": concurrency,
        }
    }
    import yaml

    (folder / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")
    (folder / "settings.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    shutil.copy(ROOT / "config" / "sections.yaml", folder / "sections.yaml")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--child-bare", "--child-xinqu"):
        child_main(sys.argv[1].removeprefix("--child-"), sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=19)
    parser.add_argument("--articles", type=int, default=500, help="articles per site")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight per site (both crawlers)"
    )
    options = parser.parse_args()
    sites, articles, port = options.sites, options.articles, options.port
    pages = (articles + PER_PAGE - 1) // PER_PAGE
    work = Path(tempfile.mkdtemp(prefix="xinqu-bench-"))
    generate(work / "world", sites, articles)
    write_config(work / "config", sites, port, pages, options.concurrency)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(work / "world"), str(sites), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        env = {**os.environ, "XINQU_NOW": NOW, "PYTHONPATH": str(ROOT)}
        total = sites * (articles + pages)
        print(f"world: {sites} sites x {articles} articles + {pages} list pages = {total} pages")

        before = stats(sites, port)
        bare_s, bare_rss, _ = measured(
            ["--child-bare", str(sites), str(port), str(options.concurrency)], env
        )
        bare_pages = stats(sites, port)["pages"] - before["pages"]

        xinqu = ["--config", str(work / "config"), "--data", str(work / "data"), "crawl"]
        before = stats(sites, port)
        ours_s, ours_rss, summary = measured(["--child-xinqu", *xinqu], env)
        ours_pages = stats(sites, port)["pages"] - before["pages"]
        stored = sum(int(w.split("=")[1]) for w in summary.split() if w.startswith("new="))

        before = stats(sites, port)
        again_s, _, _ = measured(["--child-xinqu", *xinqu], env)
        after = stats(sites, port)
        again_pages = after["pages"] - before["pages"]
        again_robots = after["robots"] - before["robots"]
        extract_rate = extraction_rate(work / "world", limit=300)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    bare_rate, ours_rate = bare_pages / bare_s, ours_pages / ours_s
    print(
        f"bare scrapy : {bare_pages} pages in {bare_s:.1f} s = {bare_rate:.0f} pages/s, "
        f"peak RSS {bare_rss / 1024:.0f} MiB"
    )
    print(
        f"xinqu crawl : {ours_pages} pages in {ours_s:.1f} s = {ours_rate:.0f} pages/s, "
        f"peak RSS {ours_rss / 1024:.0f} MiB, {stored} articles stored"
    )
    print(f"ratio       : {ours_rate / bare_rate:.2f} (target >= 0.7)")
    print(
        f"extraction  : extract_article alone {extract_rate:.0f} pages/s on one core "
        f"({1000 / extract_rate:.1f} ms a page: work the bare spider does not do)"
    )
    print(
        f"re-crawl    : {again_pages} requests for {sites} list URLs "
        f"(+{again_robots} robots.txt) in {again_s:.1f} s (target: one per list URL)"
    )


if __name__ == "__main__":
    main()
