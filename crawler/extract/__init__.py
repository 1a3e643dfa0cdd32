"""Page understanding: list-link discovery, article extraction, dates and encodings.

Pure functions over text; nothing here fetches or touches the store, so the same
code serves the spiders, `xinqu extract` and the tests.
"""

from crawler.extract.article import ArticleSelectors, ExtractedArticle, extract_article
from crawler.extract.dates import parse_datetime
from crawler.extract.encoding import decode_html

__all__ = [
    "ArticleSelectors",
    "ExtractedArticle",
    "decode_html",
    "extract_article",
    "parse_datetime",
]
