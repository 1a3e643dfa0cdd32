"""The publication day that a CMS writes into an article's URL.

Most Chinese government and news platforms put the day into the article path:
TRS ``/202611/t20261117_123.html``, Hanweb ``/art/2026/11/17/art_1_2.html``,
Xinhua ``/2026-11/17/c_123.htm`` and ``/20261117/<hash>/c.html``, China Daily
``/a/202611/17/WS….html``, newspaper CMSs ``/system/2026/11/17/…``, plain
``/2026/11/17/…`` or ``/2026/1117/…`` folders, and file names such as
``20261117093012345.html``.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

#: Most specific first; every pattern names y, m and d.
URL_DATES = (
    re.compile(r"/t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),  # TRS t20261120_123.html
    re.compile(r"/art/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),  # Hanweb
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})/(?P<d>\d{2})/"),  # Xinhua old, Chengdu
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),  # China Daily /a/202611/20/
    re.compile(r"/system/(?P<y>20\d{2})/(?P<m>\d{2})/(?P<d>\d{2})/"),  # newspaper CMS
    re.compile(r"/(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)/"),  # Xinhua new, Pudong
    re.compile(r"/(?P<y>20\d{2})/(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),  # /2026/11/17/
    re.compile(r"/(?P<y>20\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/"),  # /2026/1117/
    re.compile(r"/(?P<y>20\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)/"),  # /2026-11-17/
    re.compile(r"[/_](?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\d{0,9}\.[a-z]{3,5}$"),  # file
)


def date_in_url(url: str, tz: tzinfo) -> datetime | None:
    """The publication day a platform wrote into an article URL, at 00:00 in ``tz``."""
    path = urlsplit(url).path
    for pattern in URL_DATES:
        for match in pattern.finditer(path):
            try:
                return datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=tz)
            except ValueError:
                continue
    return None
