"""Recognising anti-bot answers, so a blocked site is reported as such, not as "0 items".

Signatures from sites.md §C13: 瑞数 Ruishu (HTTP 412 with a ``<meta id=…>`` plus
``<script r="m">``), 加速乐 Jiasule (``__jsl_clearance``, usually HTTP 521),
Alibaba Cloud WAF (``acw_sc__v2``), 安全狗 and 云锁 cookies.
"""

from __future__ import annotations

import re

from scrapy.http import Response

_RUISHU = re.compile(rb'<script[^>]*\sr=["\']m["\']', re.I)
_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("jiasule", b"__jsl_clearance"),
    ("aliyun-waf", b"acw_sc__v2"),
    ("safedog", b"safedog-flow-item"),
    ("yunsuo", b"yunsuo_session_verify"),
)


def detect_antibot(response: Response) -> str | None:
    """The protection's name when ``response`` is a challenge page, else None."""
    body = response.body[:20000]
    cookies = b" ".join(response.headers.getlist("Set-Cookie"))
    if response.status in (202, 412) and (_RUISHU.search(body) or b"FSSBBIl1UgzbN7N80S" in cookies):
        return "ruishu"
    for name, marker in _SIGNATURES:
        if marker in body or marker in cookies:
            return name
    if response.status == 521:
        return "jiasule"
    return None
