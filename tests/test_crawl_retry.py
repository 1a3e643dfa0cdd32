"""Retry backoff: the wait before each retry (the retries themselves are exercised end to end
in test_crawl_world: a 500 that succeeds on retry, a closed port that fails after retries)."""

from __future__ import annotations

from crawler.middlewares import BackoffRetryMiddleware, backoff_delay
from crawler.runner import scrapy_settings
from xinqu.app import App


def test_delay_doubles_per_retry_up_to_the_cap():
    assert [backoff_delay(n, 1.0, 60.0) for n in (1, 2, 3, 4, 8)] == [1.0, 2.0, 4.0, 8.0, 60.0]
    assert backoff_delay(1, 0.0, 60.0) == 0.0


def test_retry_after_header_wins_but_is_capped():
    assert backoff_delay(1, 1.0, 60.0, "7") == 7.0
    assert backoff_delay(1, 1.0, 60.0, "3600") == 60.0
    assert backoff_delay(2, 1.0, 60.0, "Wed, 21 Oct 2026 07:28:00 GMT") == 2.0


def test_product_settings_install_the_backoff_middleware(make_config, tmp_path):
    config = make_config([], crawl={"retry_backoff_seconds": 2.5, "retry_times": 4})
    settings = scrapy_settings(App(config_dir=config, data_dir=tmp_path))
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.BackoffRetryMiddleware"] == 550
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert (settings.getfloat("RETRY_BACKOFF_BASE"), settings.getint("RETRY_TIMES")) == (2.5, 4)
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert "xinqu-digest" in settings.get("USER_AGENT")
    assert BackoffRetryMiddleware(settings).backoff_base == 2.5
