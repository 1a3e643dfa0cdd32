"""A child process that must not outlive its parent (a crawl started by the scheduler).

If the scheduler is SIGKILLed, its crawl child would otherwise run on, and a restarted
scheduler would start a second crawl beside it. The parent names itself in
``XINQU_PARENT_PID`` (and its stop grace in ``XINQU_STOP_GRACE``); the child watches
for the parent to disappear and then stops itself the way the scheduler would have
stopped it: SIGTERM (Scrapy's graceful stop, which records the runs), SIGTERM again,
then SIGKILL, a grace apart. Before forcing (the second signal), ``before_force``
runs: the crawl records its unfinished runs as interrupted, which Scrapy's forced
stop would not.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

PARENT_ENV = "XINQU_PARENT_PID"
GRACE_ENV = "XINQU_STOP_GRACE"

log = logging.getLogger(__name__)


def child_env(grace_seconds: float) -> dict[str, str]:
    """The environment for a child that should stop when this process dies."""
    return {**os.environ, PARENT_ENV: str(os.getpid()), GRACE_ENV: str(grace_seconds)}


def _watch(parent: int, grace: float, poll: float, before_force: Callable[[], None] | None) -> None:
    while os.getppid() == parent:
        time.sleep(poll)
    log.warning("parent process %s is gone: stopping", parent)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    if before_force is not None:
        try:
            before_force()
        except Exception as error:  # the stop must go on whatever the record did
            log.warning("could not record the interrupted crawl: %s", error)
    for signum in (signal.SIGTERM, signal.SIGKILL):
        os.kill(os.getpid(), signum)
        time.sleep(grace)


def die_with_parent(poll: float = 0.5, before_force: Callable[[], None] | None = None) -> None:
    """Called first thing in the child; does nothing unless the parent asked for it."""
    expected = os.environ.get(PARENT_ENV)
    if not expected:
        return
    grace = float(os.environ.get(GRACE_ENV) or 10)
    threading.Thread(
        target=_watch,
        args=(int(expected), grace, poll, before_force),
        name="orphan-watch",
        daemon=True,
    ).start()
