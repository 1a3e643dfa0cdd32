"""A crawl split over `xinqu crawl --worker` processes through the real Redis server.

The coordinator (`xinqu crawl` with crawl.redis_url) and two or more workers are
real child processes crawling the fixture sites; the store they fill is compared
with a one-process crawl of the same sites.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from support import closed_port, run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import Article, SourceRun

XINQU = (sys.executable, "-m", "scheduler.cli")
REDIS_URL = os.environ.get("XINQU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LISTS = {
    "fx_trs": ("xwzx/gzdt/index.html", ("http://www.fxtrs.gov.cn",)),
    "fx_hanweb": ("col/col1234/index.html", ("http://www.fxhanweb.gov.cn",)),
    "fx_siteserver": ("channels/12.html", ()),
    "fx_gbk": ("news/list.asp", ()),
}


def _redis_or_skip() -> redis.Redis:
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis server at {REDIS_URL} ({error}); scripts/test starts one")
    return server


@pytest.fixture
def world(site_server, make_config, frozen_now, tmp_path):
    _redis_or_skip()
    sites = {name: site_server(name, origins) for name, (_, origins) in LISTS.items()}
    sources = [
        {"name": name, "area": name, "site_name": f"{name} 官网", "list_urls": [site.url(path)]}
        for name, site in sites.items()
        for path in [LISTS[name][0]]
    ]
    prefix = f"test{uuid.uuid4().hex[:8]}"

    def config(folder: str, *, distributed: bool = True, **crawl: object) -> Path:
        if distributed:
            shared = {"redis_url": REDIS_URL, "redis_prefix": prefix, "worker_lease_seconds": 4}
            crawl = {**shared, **crawl}
        path = make_config(sources, crawl={"retry_backoff_seconds": 0.05, **crawl})
        target = tmp_path / folder
        path.rename(target)
        return target

    yield sites, config, tmp_path
    server = _redis_or_skip()
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


#: Every child a test started, killed at its end if still running (a failed test
#: must not leave workers waiting for a run that will never be drained).
_CHILDREN: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_leftover_children():
    yield
    while _CHILDREN:
        child = _CHILDREN.pop()
        if child.poll() is None:
            child.kill()
            child.communicate()


def _xinqu(config: Path, data: Path, *args: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [*XINQU, "--config", str(config), "--data", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    _CHILDREN.append(child)
    return child


def _stored(data: Path) -> dict[str, tuple[str, str | None, str]]:
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            return {
                a.url: (a.title, a.published_at.isoformat() if a.published_at else None, a.text)
                for a in session.query(Article)
            }
    finally:
        store.dispose()


def _runs(data: Path) -> dict[str, SourceRun]:
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            runs = session.query(SourceRun).all()
            for run in runs:
                session.expunge(run)
            return {run.source: run for run in runs}
    finally:
        store.dispose()


def _finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _article_paths(sites) -> Counter[str]:
    """Requests per page path over all sites, robots.txt and list pages left out."""
    return Counter(
        f"{name}{path}"
        for name, site in sites.items()
        for path in site.requests
        if not path.endswith("robots.txt")
    )


def test_two_workers_store_what_one_process_stores_fetching_each_page_once(world):
    sites, config, tmp = world
    # A long lease: under load a worker may stall past a short one and its pages be retaken.
    one, many = config("one", distributed=False), config("many", worker_lease_seconds=60)
    alone = run_xinqu(one, tmp / "data-one", "crawl", timeout=240)
    assert alone.returncode == 0, alone.stderr
    expected = _stored(tmp / "data-one")
    assert len(expected) >= 12
    for site in sites.values():
        site.requests.clear()

    data = tmp / "data-many"
    coordinator = _xinqu(many, data, "crawl")
    workers = [_xinqu(many, data, "crawl", "--worker", "--wait", "60") for _ in range(2)]
    code, out, err = _finish(coordinator)
    assert code == 0, err
    for worker in workers:
        wcode, wout, werr = _finish(worker)
        assert wcode == 0, werr
        assert "worked on crawl run" in wout
        assert "Traceback" not in werr, werr

    assert _stored(data) == expected
    fetched = _article_paths(sites)
    twice = {path: n for path, n in fetched.items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    runs, alone_runs = _runs(data), _runs(tmp / "data-one")
    assert set(runs) == set(LISTS)
    for name, run in runs.items():
        alone_run = alone_runs[name]
        assert (run.status, run.error_message) == (alone_run.status, alone_run.error_message)
        counts = ("new", "updated", "known", "errors", "dead", "requests")
        assert [getattr(run, c) for c in counts] == [getattr(alone_run, c) for c in counts], name
    assert len(out.splitlines()) == len(LISTS)


def test_a_worker_killed_mid_crawl_loses_no_request(world):
    sites, config, tmp = world
    one, many = config("one", distributed=False), config("many")
    assert run_xinqu(one, tmp / "data-one", "crawl", timeout=240).returncode == 0
    expected = _stored(tmp / "data-one")

    # Every article page answers slowly, so the first worker is killed with pages in hand.
    _slow_articles(sites)
    data = tmp / "data-many"
    coordinator = _xinqu(many, data, "crawl")
    doomed = _xinqu(many, data, "crawl", "--worker", "--wait", "60")
    _await_requests(sites, 12, doomed)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=30)
    survivor = _xinqu(many, data, "crawl", "--worker", "--wait", "60")
    code, _, err = _finish(coordinator)
    assert code == 0, err
    assert _finish(survivor)[0] == 0
    assert _stored(data) == expected
    # The pages the killed worker had in hand (each answers in 0.3 s) were asked again.
    assert any(n > 1 for n in _article_paths(sites).values()), _article_paths(sites)


def _pages(root: Path) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.htm*"))
        if "index" not in path.name and "list" not in path.name
    ]


def _slow_articles(sites) -> None:
    for site in sites.values():
        for path in _pages(site.root):
            site.routes["/" + path] = _slow((site.root / path).read_bytes())


def _await_requests(sites, count: int, worker: subprocess.Popen[str]) -> None:
    """Until the sites have answered ``count`` requests, the worker still running."""
    deadline = time.monotonic() + 120
    while sum(len(site.requests) for site in sites.values()) < count:
        assert time.monotonic() < deadline, "the worker fetched nothing"
        assert worker.poll() is None, worker.communicate()
        time.sleep(0.1)


def _slow(body: bytes):
    def answer() -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.3)
        return 200, {"Content-Type": "text/html"}, body

    return answer


def test_site_delay_holds_over_all_workers(world):
    sites, config, tmp = world
    many = config("many", download_delay=0.4)
    data = tmp / "data-polite"
    coordinator = _xinqu(many, data, "crawl", "--source", "fx_trs")
    workers = [_xinqu(many, data, "crawl", "--worker", "--wait", "60") for _ in range(2)]
    code, _, err = _finish(coordinator)
    assert code == 0, err
    for worker in workers:
        assert _finish(worker)[0] == 0
    arrivals = sites["fx_trs"].arrivals
    assert len(arrivals) >= 8
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # Load can only widen the gaps; 0.35 s leaves room for clock granularity.
    assert min(gaps) >= 0.35, list(zip(sites["fx_trs"].requests, gaps, strict=False))


def test_no_worker_fails_the_run_in_one_line(world):
    _, config, tmp = world
    many = config("many", worker_wait_seconds=2)
    result = run_xinqu(many, tmp / "data-none", "crawl", "--source", "fx_gbk", timeout=120)
    assert result.returncode == 1
    assert "no crawl worker took its requests from Redis in 2 s" in result.stdout
    assert "Traceback" not in result.stderr


def test_unreachable_redis_is_one_line(world):
    _, config, tmp = world
    many = config("many", redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    for args in (("crawl",), ("crawl", "--worker", "--wait", "1")):
        result = run_xinqu(many, tmp / "data-dead", *args, timeout=60)
        assert result.returncode != 0
        assert "cannot reach Redis" in result.stderr
        assert "Traceback" not in result.stderr
        lines = [x for x in result.stderr.splitlines() if "created data folder" not in x]
        assert len(lines) == 1, result.stderr


def test_workers_stop_when_the_coordinator_dies(world):
    sites, config, tmp = world
    many = config("many")
    _slow_articles(sites)
    data = tmp / "data-orphaned"
    coordinator = _xinqu(many, data, "crawl")
    worker = _xinqu(many, data, "crawl", "--worker", "--wait", "60")
    _await_requests(sites, 6, worker)
    coordinator.send_signal(signal.SIGKILL)
    coordinator.communicate(timeout=30)
    # Its "run is on" mark lapses after the lease (4 s); the worker then finishes
    # what it holds and stops instead of waiting for ever.
    code, _, err = _finish(worker, timeout=180)
    assert code == 0, err
