"""Canonical article URLs: the identity of an article in the store."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "spm", "from", "share", "wechat", "isappinstalled", "scene", "_t")
INDEX_PAGES = ("index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "default.htm")


def canonical_url(url: str) -> str:
    """Normalise a URL so that the same page always has the same key.

    http and https collapse to http; the host is lower-cased and ``www.``-neutral
    spellings are kept as they are (sites differ); fragments, default ports,
    tracking parameters and a trailing ``index.html`` are dropped; the remaining
    query parameters are sorted; a trailing slash on a path is removed.
    """
    parts = urlsplit(url.strip())
    scheme = "http" if parts.scheme in ("http", "https") else parts.scheme
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    for index in INDEX_PAGES:
        if path.endswith("/" + index):
            path = path[: -len(index)]
            break
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))
