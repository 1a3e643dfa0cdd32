"""One crawl split over several processes or machines, on scrapy-redis.

With ``crawl.redis_url`` set, ``xinqu crawl`` becomes the *coordinator* of a run:
its spiders put their list requests into one Redis queue per source (scrapy-redis's
scheduler and dupefilter, keyed by run), download nothing, and close when the
queue and every worker's work in hand are empty. ``xinqu crawl --worker``
processes, on any machine with the same config and database, take requests from
those queues, fetch, parse and store, and put the links they find back into the
shared queue — the shared dupefilter sees each URL once across all of them.

What scrapy-redis does not give, this module adds:

- **Nothing lost when a worker dies.** A request popped from the queue is moved,
  in the same Redis script, into the run's *in hand* hash under the worker's name.
  The worker drops its entry once the request's callback (or errback) has run and
  the items it yielded are stored; whatever a worker held when it stopped
  renewing its heartbeat (``crawl.worker_lease_seconds``) is put back in the
  queue by whoever looks next (a worker or the coordinator). A request is thus
  fetched at least once, and exactly once when no worker dies. Entries a worker
  could not match to a callback (a retry or a redirect replaces its request) are
  dropped when that worker's spider goes idle — nothing of it is in flight then.
- **Politeness across workers.** Each worker asks Redis for a site's turn before
  a request leaves (``SET key PX delay NX``): request starts to one site are at
  least ``crawl.download_delay`` apart over all workers together, not per worker.
- **One account per source.** Counts go to a Redis hash per run and source
  (scrapy-redis's stats collector), error lines to a Redis list; the coordinator
  records the source's run in the store from them, as a one-process crawl does.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.asyncio import sleep
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

#: Settings a distributed crawl adds to Scrapy's (crawler/runner.py sets them).
ROLE = "XINQU_CRAWL_ROLE"  # "coordinator" | "worker"; absent: a one-process crawl
WORKER = "XINQU_CRAWL_WORKER"  # this worker's name, unique per process
LEASE = "XINQU_CRAWL_LEASE_SECONDS"
DELAY = "XINQU_GLOBAL_DELAY"


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one crawl run (``prefix`` keeps installations apart)."""

    prefix: str
    run_id: int

    @property
    def base(self) -> str:
        return f"{self.prefix}:crawl:{self.run_id}"

    def queue(self, spider: str) -> str:
        return f"{self.base}:{spider}:requests"

    def dupefilter(self, spider: str) -> str:
        return f"{self.base}:{spider}:dupefilter"

    def in_hand(self, spider: str) -> str:
        return f"{self.base}:{spider}:in_hand"

    def stats(self, spider: str) -> str:
        return f"{self.base}:{spider}:stats"

    def errors(self, spider: str) -> str:
        return f"{self.base}:{spider}:errors"

    @property
    def state(self) -> str:
        return f"{self.base}:state"

    def heartbeat(self, worker: str) -> str:
        return f"{self.prefix}:crawl:worker:{worker}"

    def polite(self, site: str) -> str:
        return f"{self.prefix}:crawl:polite:{site}"


def announcement_key(prefix: str) -> str:
    """Where the coordinator says which run is on and which sources it covers."""
    return f"{prefix}:crawl:current"


@dataclass(frozen=True)
class Announcement:
    run_id: int
    sources: tuple[str, ...]
    refresh: bool

    def dumps(self) -> str:
        return json.dumps(
            {"run_id": self.run_id, "sources": list(self.sources), "refresh": self.refresh}
        )

    @classmethod
    def loads(cls, text: str) -> Announcement:
        data = json.loads(text)
        return cls(int(data["run_id"]), tuple(data["sources"]), bool(data["refresh"]))


#: A client of redis-py (answers bytes: decode_responses is off, as scrapy-redis needs).
Client = Any


def connect(url: str) -> Client:
    """A client that answers str, failing fast when the server is not there."""
    return redis.Redis.from_url(
        url, decode_responses=False, socket_timeout=30, socket_connect_timeout=5
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_keys(settings: Any) -> RunKeys:
    return RunKeys(settings.get("XINQU_REDIS_PREFIX", "xinqu"), settings.getint("XINQU_RUN_ID"))


def _site(url: str) -> str:
    return urlsplit(url).netloc.lower()


# Pop the best request and note it as in hand, in one step: a worker killed between
# the two would otherwise lose it. An entry is "<worker>\n<request>".
_POP = r"""
local item = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not item then return false end
redis.call('ZREM', KEYS[1], item)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '\n' .. item)
return {ARGV[1], item}
"""

# Put back what a dead worker held (its heartbeat key gone): HDEL then ZADD, atomically.
_REQUEUE = r"""
local moved = 0
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local held = entries[i + 1]
  local cut = string.find(held, '\n', 1, true)
  if redis.call('EXISTS', ARGV[1] .. string.sub(held, 1, cut - 1)) == 0 then
    redis.call('HDEL', KEYS[2], entries[i])
    redis.call('ZADD', KEYS[1], 0, string.sub(held, cut + 1))
    moved = moved + 1
  end
end
return moved
"""


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue, whose pop leaves the request noted as in hand."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        keys = run_keys(settings)
        self.in_hand_key = keys.in_hand(spider.name)
        self.heartbeat_prefix = keys.heartbeat("")
        self.worker = settings.get(WORKER, "")

    def pop_in_hand(self) -> tuple[str, Request] | None:
        result = self.server.eval(
            _POP, 2, self.key, self.in_hand_key, uuid.uuid4().hex, self.worker
        )
        if not result:
            return None
        token, data = result
        return token.decode(), self._decode_request(data)

    def done(self, token: str) -> None:
        self.server.hdel(self.in_hand_key, token)

    def drop_own(self) -> None:
        """Forget every entry of this worker (its spider is idle: none is in flight)."""
        for token, held in self.server.hgetall(self.in_hand_key).items():
            if held.partition(b"\n")[0].decode() == self.worker:
                self.server.hdel(self.in_hand_key, token)

    def requeue_orphans(self) -> int:
        return int(self.server.eval(_REQUEUE, 2, self.key, self.in_hand_key, self.heartbeat_prefix))

    def in_hand(self) -> int:
        return int(self.server.hlen(self.in_hand_key))


class _Acked:
    """A popped request's callback or errback that reports when its work is stored.

    The entry in hand is dropped when the callback's output is exhausted and every
    item it yielded has left the pipelines (``item_scraped``/``dropped``/``error``).
    """

    def __init__(self, tracker: AckTracker, token: str, function: Callable[..., Any]) -> None:
        self.tracker = tracker
        self.token = token
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self.tracker.open(self.token)
        try:
            output = self.function(*args, **kwargs)
            if output is not None:
                for value in output if isinstance(output, Iterable) else ():
                    if not isinstance(value, Request):
                        self.tracker.item(self.token, value)
                    yield value
        finally:
            self.tracker.close(self.token)


class AckTracker:
    def __init__(self, done: Callable[[str], None]) -> None:
        self.done = done
        self.open_outputs: set[str] = set()
        self.pending: dict[str, int] = {}
        self.owner: dict[int, str] = {}

    def open(self, token: str) -> None:
        self.open_outputs.add(token)

    def item(self, token: str, item: Any) -> None:
        self.pending[token] = self.pending.get(token, 0) + 1
        self.owner[id(item)] = token

    def close(self, token: str) -> None:
        self.open_outputs.discard(token)
        self._maybe_done(token)

    def item_finished(self, item: Any, **_: Any) -> None:
        token = self.owner.pop(id(item), None)
        if token is None:
            return
        self.pending[token] -= 1
        self._maybe_done(token)

    def _maybe_done(self, token: str) -> None:
        if token in self.open_outputs or self.pending.get(token, 0) > 0:
            return
        self.pending.pop(token, None)
        self.done(token)


class DistributedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler in the coordinator's role or a worker's.

    The coordinator only enqueues (its spiders' list requests); a worker enqueues
    what it finds and takes requests, each noted in hand until its work is stored.
    """

    queue: ReliableQueue

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.role = spider.crawler.settings.get(ROLE)
        self.tracker = AckTracker(self.queue.done)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            spider.crawler.signals.connect(self.tracker.item_finished, signal=signal)

    def enqueue_request(self, request: Request) -> bool:
        # A retry or redirect copies a popped request with its wrapped callbacks.
        if isinstance(request.callback, _Acked) or isinstance(request.errback, _Acked):
            request = request.replace(
                callback=_unwrap(request.callback), errback=_unwrap(request.errback)
            )
        return bool(super().enqueue_request(request))

    def next_request(self) -> Request | None:
        if self.role != "worker":
            return None
        popped = self.queue.pop_in_hand()
        if popped is None:
            return None
        token, request = popped
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        callback = request.callback or self.spider.parse
        errback = request.errback
        return request.replace(
            callback=_Acked(self.tracker, token, callback),
            errback=_Acked(self.tracker, token, errback) if errback else None,
        )

    def has_pending_requests(self) -> bool:
        return self.role == "worker" and len(self) > 0

    def drained(self) -> bool:
        """No request waits and none is in any live worker's hands (the dead's go back)."""
        self.queue.requeue_orphans()
        return len(self.queue) == 0 and self.queue.in_hand() == 0


def _unwrap(function: Any) -> Any:
    return function.function if isinstance(function, _Acked) else function


class RunStats(MemoryStatsCollector):
    """Scrapy's stats, with every count also added up in one Redis hash per run and source.

    Counts (``inc_value``) are what the run recorder reads; the coordinator, which
    downloads nothing itself, reads the sum over all workers from Redis. Other
    values (start time, finish reason) stay in the process, as Scrapy keeps them.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.server = connect(crawler.settings.get("REDIS_URL"))
        self.key = run_keys(crawler.settings).stats(crawler.spidercls.name)

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        super().inc_value(key, count, start)
        self.server.hincrby(self.key, key, count)

    def get_value(self, key: str, default: Any = None, spider: Any = None) -> Any:
        shared = self.server.hget(self.key, key)
        return int(shared) if shared is not None else super().get_value(key, default)


class GlobalPoliteness:
    """Spaces request starts to one site by the delay over every worker together."""

    def __init__(self, server: Client, keys: RunKeys, delay: float) -> None:
        self.server = server
        self.keys = keys
        self.delay_ms = int(delay * 1000)

    @classmethod
    def from_crawler(cls, crawler: Any) -> GlobalPoliteness:
        settings = crawler.settings
        delay = settings.getfloat(DELAY)
        if settings.get(ROLE) != "worker" or delay <= 0:
            raise NotConfigured
        return cls(connect(settings.get("REDIS_URL")), run_keys(settings), delay)

    async def process_request(self, request: Request) -> None:
        key = self.keys.polite(_site(request.url))
        while not self.server.set(key, b"1", px=self.delay_ms, nx=True):
            wait = self.server.pttl(key)
            await sleep(max(wait, 10) / 1000)


class SharedLines(list[str]):
    """A worker spider's error lines, each also pushed to the run's list in Redis at once
    (the coordinator's spider closes before the workers' do)."""

    def __init__(self, server: Client, key: str, lines: Iterable[str] = ()) -> None:
        super().__init__()
        self.server = server
        self.key = key
        for line in lines:
            self.append(line)

    def append(self, line: str) -> None:
        super().append(line)
        self.server.rpush(self.key, line)


#: How the spider words a block (crawler/spiders/source.py); the coordinator reads the kind back.
_BLOCKED = re.compile(r"^blocked by anti-bot protection \((?P<kind>[^)]+)\)")


class _Lease:
    """A key this process keeps alive while any of its spiders is open (renewed at a third
    of its life): a worker's heartbeat, the coordinator's "run is on" mark."""

    users: dict[str, int] = {}
    loops: dict[str, task.LoopingCall] = {}

    @classmethod
    def acquire(cls, server: Client, key: str, value: bytes, lease: float) -> None:
        cls.users[key] = cls.users.get(key, 0) + 1
        if key not in cls.loops:
            loop = task.LoopingCall(server.set, key, value, px=int(lease * 1000))
            loop.start(max(lease / 3, 0.5), now=True)
            cls.loops[key] = loop

    @classmethod
    def release(cls, key: str) -> bool:
        """True when this was the last user (the renewal stopped)."""
        cls.users[key] -= 1
        if cls.users[key] > 0:
            return False
        loop = cls.loops.pop(key, None)
        if loop is not None and loop.running:
            loop.stop()
        return True


class DistributedRun:
    """Keeps a distributed run's spiders open until the run is drained.

    Worker: keeps its heartbeat, puts back what dead workers held, and keeps each
    spider open until the coordinator marks the run done. Coordinator: keeps each
    spider open until its queue is drained — or, while no worker has shown up for
    ``crawl.worker_wait_seconds``, gives up with one line — then hands the workers'
    error lines to the run recorder (``spider.error_messages``).
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.role = settings.get(ROLE)
        if not self.role:
            raise NotConfigured
        self.crawler = crawler
        self.keys = run_keys(settings)
        self.server = connect(settings.get("REDIS_URL"))
        self.worker = settings.get(WORKER, "")
        self.lease = settings.getfloat(LEASE, 30.0)
        self.wait = settings.getfloat("XINQU_WORKER_WAIT_SECONDS", 600.0)
        self.opened = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedRun:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _scheduler(self) -> DistributedScheduler:
        scheduler = self.crawler.engine._slot.scheduler
        assert isinstance(scheduler, DistributedScheduler)
        return scheduler

    def spider_opened(self, spider: Any) -> None:
        self.opened = time.monotonic()
        if self.role != "worker":
            _Lease.acquire(self.server, self.keys.state, RUNNING, self.lease)
            return
        _Lease.acquire(self.server, self.keys.heartbeat(self.worker), b"1", self.lease)
        key = self.keys.errors(spider.name)
        spider.error_messages = SharedLines(self.server, key, spider.error_messages)

    def spider_idle(self, spider: Any) -> None:
        scheduler = self._scheduler()
        if self.role == "worker":
            scheduler.queue.drop_own()
            scheduler.queue.requeue_orphans()
            # Open while the coordinator's mark lives: once it is done, or gone (the
            # coordinator died and its mark lapsed), nothing more will come.
            if self.server.get(self.keys.state) == RUNNING:
                raise DontCloseSpider
            return
        if not scheduler.drained():
            if self._workers_seen() or time.monotonic() - self.opened < self.wait:
                raise DontCloseSpider
            spider.error_messages.append(
                f"no crawl worker took its requests from Redis in {self.wait:.0f} s "
                "(start `xinqu crawl --worker` on a machine with this config)"
            )
            self.crawler.stats.inc_value("xinqu/errors")
        for line in self.server.lrange(self.keys.errors(spider.name), 0, -1):
            spider.error_messages.append(line.decode())
            if blocked := _BLOCKED.match(line.decode()):
                spider.anti_bot = blocked["kind"]

    def _workers_seen(self) -> bool:
        pattern = self.keys.heartbeat("*")
        return any(True for _ in self.server.scan_iter(match=pattern, count=100))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.role != "worker":
            _Lease.release(self.keys.state)
            return
        key = self.keys.heartbeat(self.worker)
        if _Lease.release(key) and reason == "finished":
            self.server.delete(key)


#: The coordinator's mark on a run while it lasts (``done`` once drained).
RUNNING = b"running"


def wait_for_announcement(
    server: Client, prefix: str, timeout: float | None, poll: float = 0.5
) -> Announcement | None:
    """The run the coordinator announced, waiting up to ``timeout`` seconds (None: ever)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        text = server.get(announcement_key(prefix))
        if text:
            announcement = Announcement.loads(text.decode())
            if server.get(RunKeys(prefix, announcement.run_id).state) == RUNNING:
                return announcement
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def forget_run(server: Client, keys: RunKeys, spiders: Iterable[str]) -> None:
    """Delete a finished run's queues, fingerprints and counts (its state stays a day)."""
    names = [
        key
        for name in spiders
        for key in (
            keys.queue(name),
            keys.dupefilter(name),
            keys.in_hand(name),
            keys.stats(name),
            keys.errors(name),
        )
    ]
    if names:
        server.delete(*names)
    server.set(keys.state, b"done", ex=86400)
