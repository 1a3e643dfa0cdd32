"""Scrapy settings for xinqu-digest's crawler.

Polite defaults for government sites: robots.txt obeyed, one request at a time per
site, a delay plus AutoThrottle, an honest User-Agent, retries with backoff on
timeouts and 5xx. Product settings (config/settings.yaml `crawl:`) are mapped in
by :func:`crawler.runner.scrapy_settings`; these are the defaults for a bare
`scrapy crawl NAME`.

Docs: https://docs.scrapy.org/en/latest/topics/settings.html
"""

BOT_NAME = "xinqu"

# Spiders are built from config/sources.yaml (or $XINQU_CONFIG), one per source.
SPIDER_LOADER_CLASS = "crawler.spiderloader.SourceSpiderLoader"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness -------------------------------------------------------------
USER_AGENT = "xinqu-digest/0.1 (+https://github.com/xinqu-digest; research bulletin crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each delay varies by ±50%
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# --- Retries: timeouts and 5xx, with exponential backoff ----------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further one
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # crawler/guards.py: off-site redirects refused before robots.txt (100) is asked;
    # non-text answers after decompression (590), before meta refresh (580).
    "crawler.guards.OffsiteRedirectGuard": 50,
    "crawler.guards.BinaryPageGuard": 585,
    # After decompression and the guard: response.text decoded and repaired as ours.
    "crawler.pagebody.NormalisedBody": 584,
}

# --- Hostile answers: no page may cost unbounded memory -----------------------
# Scrapy cancels a download past DOWNLOAD_MAXSIZE and stops decompressing past it too
# (a gzip bomb); `crawl.max_page_mb` in settings.yaml maps onto both.
DOWNLOAD_MAXSIZE = 10 * 2**20
# A site's own redirects (http → https, www., a moved path) take two or three hops.
REDIRECT_MAX_TIMES = 5
DOWNLOAD_WARNSIZE = DOWNLOAD_MAXSIZE // 4

# --- Pipeline: normalise, then store ------------------------------------------
# A callback yields one article or a list page's ~20 links; Scrapy starts this many
# asyncio tasks per callback output, so the default 100 was pure overhead.
CONCURRENT_ITEMS = 8
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 500,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawler.extensions.RunRecorder": 100,
}

# --- Misc -------------------------------------------------------------------
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = False  # xinqu.logs owns the root logger
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
