"""An article collected over its continuation pages (which page follows which is
:mod:`crawler.extract.pagination`'s rule: never 上一篇/下一篇, only URLs shaped as a
continuation of the first page)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crawler.extract.article import ExtractedArticle
from crawler.extract.pagination import continuation_number, next_article_page

__all__ = ["ArticlePages", "continuation_number", "next_article_page"]


def _strip(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass
class ArticlePages:
    """One article collected over its pages: the first page's fields, every page's text.

    The crawl, ``xinqu sources check`` and ``xinqu extract`` all collect through
    this, so they agree on what the whole article is.
    """

    first_url: str
    first: ExtractedArticle
    max_pages: int
    urls: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    #: Why the text is not the whole article (a page failed, the cap), else None.
    incomplete: str | None = None

    def __post_init__(self) -> None:
        self.urls.append(_strip(self.first_url))
        self.texts.append(self.first.text)
        self.htmls.append(self.first.html)

    def add(self, url: str, page: ExtractedArticle) -> bool:
        """Add a continuation page; False when its text repeats a page already added
        (a server that ignores ``?page=``): then the article ends there."""
        self.urls.append(_strip(url))
        text = page.text.strip()
        if text and text in (t.strip() for t in self.texts):
            return False
        if text:
            self.texts.append(page.text)
            self.htmls.append(page.html)
        return True

    def next_url(self, html: str, url: str) -> str | None:
        """The page to fetch after ``url``, or None when the article ends here.

        A page already fetched ends it (a pager that loops); so does the cap,
        which marks the text incomplete.
        """
        following = next_article_page(html, url, self.first_url)
        if following is None or _strip(following) in self.urls:
            return None
        if len(self.urls) >= self.max_pages:
            self.incomplete = (
                f"stopped after {len(self.urls)} pages (crawl.max_article_pages); "
                f"next page {following} not fetched"
            )
            return None
        return following

    def failed(self, url: str, reason: str) -> str:
        """Mark the text incomplete because page ``url`` failed; returns the note."""
        number = len(self.urls) + 1
        self.incomplete = (
            f"page {number} {url} failed ({reason}); text of pages 1-{number - 1} only"
        )
        return self.incomplete

    @property
    def pages(self) -> int:
        return len(self.texts)

    def article(self) -> ExtractedArticle:
        """The whole article: the first page's title, date and 来源, every page's text."""
        return replace(
            self.first,
            text="\n".join(t for t in self.texts if t.strip()),
            html="\n".join(h for h in self.htmls if h.strip()),
        )
