"""One readable line for a failed request."""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error
from twisted.python.failure import Failure

from crawler.guards import RefusedResponse

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (scrapy_errors.DownloadConnectionRefusedError, "connection refused (site down?)"),
    (scrapy_errors.CannotResolveHostError, "host name not found (DNS)"),
    (scrapy_errors.DownloadTimeoutError, "timed out"),
    (scrapy_errors.ResponseDataLossError, "connection lost (response cut short)"),
    (error.DNSLookupError, "host name not found (DNS)"),
    (error.ConnectionRefusedError, "connection refused (site down?)"),
    (error.TCPTimedOutError, "connection timed out"),
    (error.TimeoutError, "timed out"),
    (error.ConnectionLost, "connection lost"),
)


_TOO_LARGE = "page larger than the size limit (crawl.max_page_mb); not read"


def describe_failure(failure: Failure) -> str:
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    if isinstance(failure.value, RefusedResponse):
        return str(failure.value)
    if isinstance(failure.value, scrapy_errors.DownloadCancelledError | defer.CancelledError):
        return _TOO_LARGE  # Scrapy cancels a download only for DOWNLOAD_MAXSIZE
    if isinstance(failure.value, scrapy_errors.IgnoreRequest):
        if "DOWNLOAD_MAXSIZE" in str(failure.value):
            return _TOO_LARGE
        if "max redirections" in str(failure.value).lower():
            return "too many redirects (a redirect loop?)"
    for kind, text in _REASONS:
        if isinstance(failure.value, kind):
            return text
    name = type(failure.value).__name__
    if "SSL" in name or "TLS" in name or "certificate" in str(failure.value).lower():
        return f"TLS error ({failure.value})"
    return " ".join(f"{name}: {failure.value}".split())


#: HTTP answers saying the page is not there and will not be: not asked again.
GONE_STATUSES = frozenset({404, 410})


def failure_kind(failure: Failure) -> str:
    """``gone`` for a 404/410 answer, else ``transient`` (5xx after retries, timeouts...)."""
    if isinstance(failure.value, HttpError) and failure.value.response.status in GONE_STATUSES:
        return "gone"
    return "transient"
