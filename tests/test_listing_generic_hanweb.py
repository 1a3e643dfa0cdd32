"""A Hanweb jcms column added by its list URL alone (no ``family:``) is read whole: the
generic family recognises the embedded ``<datastore>`` and pages through the jpage
data proxy by POST, as the hanweb family does."""

from __future__ import annotations

from support import run_xinqu

from crawler.families import get_family
from crawler.families.generic import GenericFamily
from xinqu.config import load_config
from xinqu.store import open_store
from xinqu.store.articles import Article


def test_the_default_family_is_the_generic_one():
    assert isinstance(get_family(None), GenericFamily)
    assert get_family("generic").name == "generic"


def test_a_hanweb_column_without_its_family_is_paged_through_the_data_proxy(
    site_server, make_config, frozen_now, tmp_path
):
    shipped = next(s for s in load_config().sources if s.name == "zhoushan")
    site = site_server("zhoushan")
    entry = {
        "name": "hanweb_unknown",
        "area": shipped.area,
        "site_name": shipped.site_name,
        "list_urls": [site.localize(shipped.urls[0])],
        "obey_robots": False,
        "max_pages": 2,
    }
    data = tmp_path / "data"
    result = run_xinqu(make_config([entry]), data, "crawl")
    assert result.returncode == 0, result.stderr
    proxy = "POST /module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=15"
    assert proxy in site.requests
    assert "columnid=1276171" in site.posts[0]
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            assert session.query(Article).filter_by(source="hanweb_unknown").count() == 2
    finally:
        store.dispose()
