"""A second opinion on a page's body: readability-lxml's main block.

trafilatura (our fallback) and the generic containers (``#content``,
``.article-content`` …) both err on the side of keeping: a whole page column, the
archive lists of a blog, the next story a portal appends. readability-lxml scores
paragraph parents and keeps the best-scoring one with its siblings, which is often
exactly the article there, but now and then it picks the wrong block altogether
(a WeChat page, a forum post). So it is asked only for a subset: its text must lie
inside the text we already have (see ``article._narrower``), never replace it blindly.
"""

from __future__ import annotations

import logging

from bs4 import BeautifulSoup, Tag
from readability import Document

logging.getLogger("readability.readability").setLevel(logging.ERROR)


def readable_body(html: str, url: str) -> Tag | None:
    """readability-lxml's main block of ``html`` as a tree, or None when it finds none."""
    try:
        fragment = Document(html, url=url or None).summary(html_partial=True)
    except Exception:  # readability's own parser failures: no opinion rather than no article.
        return None
    if not fragment.strip():
        return None
    tree = BeautifulSoup(fragment, "lxml")
    return tree.body or tree
