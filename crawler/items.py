"""What a spider yields: one article (all its pages), with its source's attribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class ArticleItem:
    url: str
    source: str
    area: str
    site_name: str
    title: str
    published_at: datetime | None
    text: str
    html: str
    source_line: str | None
    list_url: str | None = None
    #: Why the text is not the whole article (a continuation page failed), else None.
    incomplete: str | None = None
