"""Article extraction over every real page in shared/fixtures/real-pages.

``mh-`` pages carry the magic-html benchmark's expected main text: each must keep
the character-bigram F1 measured when this extractor was tuned (floor = measured
minus about 0.02; ``bench/extract.py`` prints the figures and the baselines).
``gne-`` pages carry no expected text: their title, publish time and 来源 line were
read off each page by hand and are asserted exactly.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import REAL_PAGES

from crawler.extract.article import bigram_f1, extract_article
from crawler.extract.encoding import decode_html

TZ = ZoneInfo("Asia/Shanghai")


MANIFEST = REAL_PAGES / "manifest.json"
PAGES: list[dict[str, Any]] = (
    json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"] if MANIFEST.is_file() else []
)

#: Measured bigram F1 (bench/extract.py) minus ~0.02, rounded down.
F1_FLOORS = {
    "mh-www-kepu-gov-cn-4e55eac4.html": 0.94,  # measured 0.969
    "mh-www-news-cn-14b709df.html": 0.97,  # measured 0.991
    "mh-www-he-news-cn-090704b0.html": 0.98,  # measured 1.000
    "mh-finance-people-com-cn-1e20e027.html": 0.97,  # measured 0.991
    "mh-health-people-com-cn-45fcfa7d.html": 0.97,  # measured 0.992
    "mh-news-sina-com-cn-665b6857.html": 0.98,  # measured 1.000
    "mh-news-sina-com-cn-1b929fec.html": 0.97,  # measured 0.991
    "mh-politics-gmw-cn-a28ede74.html": 0.97,  # measured 0.998
    "mh-news-gmw-cn-acce09a6.html": 0.97,  # measured 0.995
    "mh-news-youth-cn-9c642bd5.html": 0.97,  # measured 0.997
    "mh-news-youth-cn-39dd62c5.html": 0.98,  # measured 1.000
    "mh-news-china-com-cn-5da9b27b.html": 0.97,  # measured 0.996
    "mh-travel-china-com-cn-7f67d45f.html": 0.97,  # measured 0.996
    "mh-economy-caijing-com-cn-ea5bdb58.html": 0.97,  # measured 0.995
    "mh-economy-caijing-com-cn-6558a82c.html": 0.94,  # measured 0.968
    "mh-www-theorychina-org-cn-b931df70.html": 0.97,  # measured 0.995
}

#: (title, published_at, source_line), read off each page.
FIELDS = {
    # ArticleTitle/PubDate/contentSource metas; "发布日期：2016-11-22", "信息来源：省发改委".
    "gne-gzggw-1.html": (
        "1-10月德清县固定资产投资结构趋稳趋优",
        "2016-11-22T09:53:00+08:00",
        "省发改委",
    ),
    # TRS metas; "时间：2019-09-18 06:23" / "来源： 山西日报 " spans.
    "gne-shanxi-1.html": (
        "山西品牌丝路行（南美站）正式启动",
        "2019-09-18T06:23:00+08:00",
        "山西日报",
    ),
    # <title> "…调整2007　年末…__2007年第23号国务院公报_中国政府网"; firstpublishedtime
    # "2007-08-20-23:59:59"; the gazette page names no 来源.
    "gne-other-1.html": (
        "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议",
        "2007-08-20T23:59:59+08:00",
        None,
    ),
    # Empty <title>; div.h-title; span.h-time "2019-12-10 07:57:40"; 来源：<em>新华网</em>.
    "gne-xinhuanet-1.html": (
        "法国全国大罢工再次严重影响交通",
        "2019-12-10T07:57:40+08:00",
        "新华网",
    ),
    # "发布日期: 2012-06-24"; no 来源 on the page (only inside a script).
    "gne-cmse-1.html": (
        "天宫一号与神舟九号载人交会对接任务第二场新闻发布会",
        "2012-06-24T00:00:00+08:00",
        None,
    ),
    # publishdate meta "2019-06-15" (no time); visible "2019年06月15日08:18 来源：人民网-文化频道";
    # the "source" meta adds " 原创稿".
    "gne-people-1.html": (
        "女儿出嫁，郑板桥画了几笔兰花当嫁妆",
        "2019-06-15T08:18:00+08:00",
        "人民网-文化频道",
    ),
    # h1.art-title; span.pub-time "2020-10-04 20:30"; span.sour "来源: 长江网".
    "gne-cjn-1.html": (
        "外媒眼中的武汉长假：蓬勃发展，欢声笑语",
        "2020-10-04T20:30:00+08:00",
        "长江网",
    ),
    # <title> "中华人民共和国监察法-纪检"; "来源: | 发布时间: 2018-05-17 | 浏览次数:" (empty 来源).
    "gne-sxmu-1.html": ("中华人民共和国监察法", "2018-05-17T00:00:00+08:00", None),
    # "发布日期：2019-03-06"; "来源于：东区办事处".
    "gne-zsnews-1.html": (
        "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",
        "2019-03-06T00:00:00+08:00",
        "东区办事处",
    ),
}

pytestmark = pytest.mark.skipif(
    not PAGES, reason=f"shared real pages not found at {REAL_PAGES} (shared/ is absent)"
)


def _extract(page: dict[str, Any]):
    body = (REAL_PAGES / page["file"]).read_bytes()
    return extract_article(decode_html(body), page.get("url", ""), tz=TZ)


def test_every_page_has_an_assertion() -> None:
    files = {page["file"] for page in PAGES}
    assert files == set(F1_FLOORS) | set(FIELDS)


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_real_page(page: dict[str, Any]) -> None:
    article = _extract(page)
    assert article.text
    assert "<script" not in article.text and "function(" not in article.text
    assert "责任编辑：" not in article.text
    if page["file"] in F1_FLOORS:
        score = bigram_f1(article.text, page["expected_text"])
        assert score >= F1_FLOORS[page["file"]], f"F1 {score:.3f}"
    else:
        published = article.published_at.isoformat() if article.published_at else None
        assert (article.title, published, article.source_line) == FIELDS[page["file"]]
