"""Retries with exponential backoff.

Scrapy's RetryMiddleware hands a retry straight back to the scheduler, so a
struggling server is asked again at once (Scrapy 2.19 has no retry delay
setting). This subclass waits first: ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds
before the n-th retry, capped at ``RETRY_BACKOFF_MAX``, or the server's
``Retry-After`` when it sends one (429/503). The wait is an ``await`` inside the
middleware (``scrapy.utils.asyncio.sleep``: asyncio.sleep under the asyncio
reactor, deferLater otherwise), so other requests go on meanwhile.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep


def backoff_delay(
    retry_number: int, base: float, cap: float, retry_after: str | None = None
) -> float:
    """Seconds to wait before retry number ``retry_number`` (1 for the first retry)."""
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after.strip()), cap)
    if base <= 0:
        return 0.0
    return min(base * float(2 ** max(retry_number - 1, 0)), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, retry: Request, response: Response | None = None) -> None:
        header = response.headers.get("Retry-After") if response is not None else None
        delay = backoff_delay(
            retry.meta.get("retry_times", 1),
            self.backoff_base,
            self.backoff_max,
            header.decode("latin-1") if header else None,
        )
        if delay > 0:
            self.crawler.stats.inc_value("retry/backoff_seconds", delay)  # type: ignore[arg-type]  # Scrapy types stats as int; they add floats as well
            await sleep(delay)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result
