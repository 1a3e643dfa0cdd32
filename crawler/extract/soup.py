"""Reading BeautifulSoup trees with the types bs4 gives them."""

from __future__ import annotations

from bs4 import Tag


def attr(tag: Tag, name: str) -> str:
    """An attribute's text ("" when absent; a multi-valued one such as class, joined)."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)
