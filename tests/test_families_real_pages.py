"""Platform families on real pages of their platforms (shared/fixtures/real-pages).

The families' selectors were written from these templates; each page's title, time,
来源 and first words were read off the page by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from sources_support import TZ
from support import REAL_PAGES

from crawler.families import get_family
from xinqu.config import Source

#: shared/ sits beside the checkout; a worktree (/work/wt/<name>) is one level deeper.
PAGES = REAL_PAGES if REAL_PAGES.is_dir() else Path(__file__).resolve().parents[3] / "shared"
PAGES = PAGES if PAGES.name == "real-pages" else PAGES / "fixtures" / "real-pages"

CASES = [
    (
        "trs",
        "gne-shanxi-1.html",
        "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
        "山西品牌丝路行（南美站）正式启动",
        "2019-09-18T06:23:00+08:00",
        "山西日报",
        "图为山西品牌丝路行（南美站）启动仪式。",
    ),
    (
        "hanweb",
        "gne-gzggw-1.html",
        "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        "1-10月德清县固定资产投资结构趋稳趋优",
        "2016-11-22T09:53:00+08:00",
        "省发改委",
        "1-10月，全县固定资产投资完成246.79亿元",
    ),
    (
        "xinhua",
        "mh-www-he-news-cn-090704b0.html",
        "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
        "新华视界｜河北遵化：数字农机服务助力农业生产",
        "2024-05-15T08:58:52+08:00",
        "新华网",
        "5月13日，在河北省遵化市东新庄镇一家庭农场",
    ),
    (
        "xinhua",
        "mh-www-news-cn-14b709df.html",
        "http://www.news.cn/politics/leaders/20240509/3dd6e33cc6d749fbaae01fea337ff400/c.html",
        "李强在新疆调研时强调 彰显特色优势 提高开放水平 在高质量发展中增进民生福祉促进长治久安",
        "2024-05-09T22:27:02+08:00",
        "新华网",
        "Play Video",
    ),
    (
        "xinhua",
        "gne-xinhuanet-1.html",
        "http://www.xinhuanet.com/politics/2019-12/10/c_1125327450.htm",
        "法国全国大罢工再次严重影响交通",
        "2019-12-10T07:57:40+08:00",
        "新华网",
        "新华社巴黎12月9日电（记者唐霁）",
    ),
]


@pytest.mark.skipif(
    not PAGES.is_dir(), reason="shared/fixtures/real-pages is not beside this checkout"
)
@pytest.mark.parametrize(
    ("family", "page", "url", "title", "published", "source_line", "text_start"), CASES
)
def test_family_reads_a_real_page_of_its_platform(
    family, page, url, title, published, source_line, text_start, frozen_now
):
    source = Source(name="real", area="-", site_name="-", list_urls=[url], family=family)
    response = HtmlResponse(url=url, body=(PAGES / page).read_bytes())
    article = get_family(family).parse_article(response, source, TZ, None)
    assert article.title == title
    assert article.published_at is not None
    assert article.published_at.isoformat() == published
    assert article.source_line == source_line
    assert text_start in article.text[:50]  # a caption line (图集) may come first
