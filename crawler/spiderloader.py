"""Spiders are data: one spider class is built per source in sources.yaml.

Scrapy finds spiders through ``SPIDER_LOADER_CLASS``; this loader reads the
configuration folder (``XINQU_CONFIG`` setting or environment variable, else the
shipped ``config/``) so that `scrapy list` shows every source by name and
`scrapy crawl NAME` runs it. Adding a source touches no Python.
"""

from __future__ import annotations

import builtins
from typing import Any

from scrapy import Request
from scrapy.settings import BaseSettings

from crawler.families import family_for
from crawler.spiders.source import SourceSpider
from xinqu.config import Config, load_config


def spider_class(config: Config, name: str) -> type[SourceSpider]:
    """The spider of one source; a family or ``family_options`` mistake stops here, in one line."""
    source = config.source(name)
    family_for(config, source)
    return type(
        f"{name.title().replace('_', '')}Spider",
        (SourceSpider,),
        {"name": source.name, "source": source, "config": config},
    )


class SourceSpiderLoader:
    """Implements scrapy.spiderloader.SpiderLoaderProtocol over the configured sources."""

    def __init__(self, settings: BaseSettings) -> None:
        self.config = load_config(settings.get("XINQU_CONFIG") or None)

    @classmethod
    def from_settings(cls, settings: BaseSettings, **_: Any) -> SourceSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type[SourceSpider]:
        try:
            return spider_class(self.config, spider_name)
        except Exception:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> builtins.list[str]:
        return [s.name for s in self.config.sources]

    def find_by_request(self, request: Request) -> builtins.list[str]:
        return [
            s.name
            for s in self.config.sources
            if any(request.url.startswith(u.rsplit("/", 1)[0]) for u in s.urls)
        ]
