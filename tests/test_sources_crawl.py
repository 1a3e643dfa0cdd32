"""End to end: shipped sources of several CMS families crawled by `xinqu crawl` in a child
process, each against its fixture site on 127.0.0.1; anti-bot answers end as "blocked".

The `teda` source exists only as data (the entry below plus its fixture site): a new
site on a known family (SiteServer) needs no Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import run_xinqu

from xinqu.config import load_config
from xinqu.store import open_store
from xinqu.store.articles import Article, SourceRun

ANTIBOT = Path(__file__).parent / "fixtures" / "antibot"
SHIPPED = ("guian", "binhai", "nansha", "tianfu", "zhoushan", "liangjiang")
TEDA = {
    "name": "teda",
    "area": "滨海新区",
    "site_name": "天津经济技术开发区官网",
    "family": "siteserver",
    "list_urls": ["https://www.teda.gov.cn/channels/3961.html"],
}


def _local(entry: dict[str, Any], server: Any) -> dict[str, Any]:
    """A source entry pointed at its fixture site: first list URL only, one list page."""
    return {
        **entry,
        "list_urls": [server.localize(str(entry["list_urls"][0]))],
        "obey_robots": False,
        "max_pages": 1,
    }


def _blocked_site(site_server, name: str, status: int, fixture: str, cookie: str) -> Any:
    server = site_server(name)
    body = (ANTIBOT / fixture).read_bytes()
    headers = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": cookie}
    server.routes["/xwzx/index.html"] = lambda: (status, headers, body)
    return server


@pytest.mark.slow
def test_families_crawl_through_the_real_spider_and_antibot_is_reported(
    site_server, make_config, frozen_now, tmp_path
):
    shipped = {s.name: s for s in load_config().sources}
    entries = [
        _local(shipped[name].model_dump(mode="json", exclude_none=True), site_server(name))
        for name in SHIPPED
    ]
    entries.append(_local(TEDA, site_server("teda")))
    ruishu = _blocked_site(
        site_server, "ruishu", 412, "ruishu_412.html", "FSSBBIl1UgzbN7N80S=Kq2Vz1r; path=/"
    )
    jiasule = _blocked_site(
        site_server, "jiasule", 521, "jiasule_521.html", "__jsluid_h=3f2a1b; path=/"
    )
    for name, server in (("ruishu", ruishu), ("jiasule", jiasule)):
        entries.append(
            {
                "name": f"blocked_{name}",
                "area": "浦东新区",
                "site_name": "浦东新区官网",
                "list_urls": [server.url("xwzx/index.html")],
                "obey_robots": False,
            }
        )
    data = tmp_path / "data"
    result = run_xinqu(make_config(entries), data, "crawl")
    assert result.returncode == 1, result.stderr  # the anti-bot sources are named as failed
    assert "2 of 9 sources failed: blocked_jiasule (blocked), blocked_ruishu (blocked)" in (
        result.stderr
    )

    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    with store.session() as session:
        runs = {r.source: (r.status, r.new, r.anti_bot) for r in session.query(SourceRun)}
        titles = {
            (a.source, a.title, a.published_at.isoformat(), a.source_line)
            for a in session.query(Article)
        }
    store.dispose()
    assert runs == {
        **{name: ("ok", 2, None) for name in (*SHIPPED, "teda")},
        "blocked_ruishu": ("blocked", 0, "ruishu"),
        "blocked_jiasule": ("blocked", 0, "jiasule"),
    }
    assert {
        (
            "guian",
            "贵安新区数据中心集群新增算力规模突破十万标准机架",
            "2026-11-24T09:28:00+00:00",
            "贵安新区报",
        ),
        ("zhoushan", "舟山推进油气全产业链投资便利化改革", "2026-11-20T02:08:00+00:00", "市发改委"),
        (
            "tianfu",
            "天府新区人工智能产业园新增入驻企业三十家",
            "2026-11-24T10:02:00+00:00",
            "天府新区党群工作部",
        ),
        (
            "teda",
            "泰达推行工程建设项目“验登合一”改革",
            "2026-11-18T07:00:00+00:00",
            "开发区政务服务办",
        ),
    } <= titles
    assert len(titles) == 14
