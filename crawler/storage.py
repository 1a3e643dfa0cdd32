"""One store per database URL for all the spiders of a crawl process.

A crawl runs a spider per source, each with a pipeline and a run recorder; opening
a store (engine, pool, schema check) for each of them cost about 40 ms apiece and
a pool of connections each. They share one here, counted by users, disposed when
the last one lets go.
"""

from __future__ import annotations

from xinqu.store import Store, open_store

_OPEN: dict[str, tuple[Store, int]] = {}


def acquire_store(url: str) -> Store:
    store, users = _OPEN.get(url) or (open_store(url, migrate=False), 0)
    _OPEN[url] = (store, users + 1)
    return store


def release_store(url: str) -> None:
    store, users = _OPEN[url]
    if users <= 1:
        del _OPEN[url]
        store.dispose()
    else:
        _OPEN[url] = (store, users - 1)
