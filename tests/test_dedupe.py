"""Dedupe on crafted near-duplicates and on different stories that share a template."""

from __future__ import annotations

import json

import opencc
import pytest

from xinqu.process.dedupe import DedupeParams, Doc, group, is_near_duplicate
from xinqu.process.minhash import shingle_hashes, signature
from xinqu.process.normalize import codes, content_key, key_of_letters, letters, normalize
from xinqu.resources import labelled_data

DATA = labelled_data()
SEED_XIANGJIANG = "L154"

TEMPLATE_HEAD = "首页 > 新闻中心 > 新区要闻\n发布时间：2026-11-20 来源：两江新区官网\n"
TEMPLATE_TAIL = "\n责任编辑：李明\n【打印本页】【关闭窗口】\n分享到：微信 微博"
SIGNING_A = (
    "11月18日，两江新区与某新能源汽车零部件企业签订投资协议，项目总投资50亿元，"
    "将在水土新城建设动力电池研发生产基地，达产后预计年产值120亿元。新区管委会"
    "主要负责同志出席签约仪式并致辞，表示将全力做好项目服务保障。"
)
SIGNING_B = (
    "11月20日，两江新区与一家生物医药企业签署合作协议，企业将在龙兴新城设立西南"
    "总部和创新药中试平台，总投资18亿元，重点研发抗体药物和细胞治疗产品。新区管委会"
    "主要负责同志出席签约仪式并致辞，表示将全力做好项目服务保障。"
)


def story(text_id: str) -> str:
    for line in DATA.read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == text_id:
            return str(row["text"])
    raise KeyError(text_id)


PARAMS = DedupeParams()


def doc(i: int, text: str, params: DedupeParams = PARAMS) -> Doc:
    content = letters(codes(text))
    hashes = shingle_hashes(content, params.shingle)
    return Doc(i, key_of_letters(content), signature(hashes), int(hashes.size))


def same_story(a: str, b: str) -> bool:
    return is_near_duplicate(doc(1, a), doc(2, b), DedupeParams())


def test_normalisation_drops_boilerplate_width_and_traditional_characters() -> None:
    text = "（来源：浦东新区官网）\n兩江新區打造科技企業成長“窪地”　ＡＢＣ１２３\n责任编辑：张三"
    assert normalize(text) == "两江新区打造科技企业成长“洼地” ABC123"
    assert content_key(text) == content_key("两江新区打造科技企业成长洼地ABC 123")


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda t: "本报讯（记者 王晗 通讯员 刘武）近日，记者从新区获悉。" + t, id="lead"
        ),
        pytest.param(lambda t: t[: int(len(t) * 0.7)], id="trimmed-tail"),
        pytest.param(lambda t: opencc.OpenCC("s2t").convert(t), id="traditional"),
        pytest.param(lambda t: t.replace("78", "80").replace("46", "45"), id="numbers"),
        pytest.param(lambda t: TEMPLATE_HEAD + t + TEMPLATE_TAIL, id="other-template"),
    ],
)
def test_reposts_of_a_real_story_are_near_duplicates(edit) -> None:  # type: ignore[no-untyped-def]
    original = story(SEED_XIANGJIANG)
    assert same_story(original, edit(original))


def test_two_signings_from_one_site_stay_apart_despite_template_and_phrasing() -> None:
    a = TEMPLATE_HEAD + SIGNING_A + TEMPLATE_TAIL
    b = TEMPLATE_HEAD + SIGNING_B + TEMPLATE_TAIL
    assert not same_story(a, b)


def test_different_real_stories_stay_apart() -> None:
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines()]
    docs = [doc(i, r["title"] + "\n" + r["text"]) for i, r in enumerate(rows)]
    assignment = group(docs, DedupeParams(), representative=min)
    # Several pairs are reports of one event written by different outlets (not
    # reposts); they and every other pair of distinct texts stay apart.
    assert all(i == rep for i, rep in assignment.items())


def test_exact_duplicates_group_and_detached_articles_join_nothing() -> None:
    text = story(SEED_XIANGJIANG)
    docs = [doc(1, text), doc(2, "  " + text + "\n"), doc(3, text[:-50])]
    assert set(group(docs, DedupeParams(), representative=min).values()) == {1}
    docs[2].detached = True
    assignment = group(docs, DedupeParams(), representative=min)
    assert assignment == {1: 1, 2: 1, 3: 3}
    assignment = group(docs, DedupeParams(), merges=[(1, 3)], representative=min)
    assert assignment[3] == 1


def test_story_text_drops_pinyin_annotations_breadcrumbs_and_the_list_after_the_body() -> None:
    from xinqu.process.normalize import story_text

    page = (
        "當(dāng)前位置: 首頁  >  新聞?lì)l道  >  時(shí)政要聞 > 正文\n"
        "雄安規劃綱要(yào / yāo)落地(dì / de)，研發(R&D)投入佔4%\n"
        "版權(quán)所有 京ICP備09092133號\n"
        "相關閱讀\n別的新聞標題"
    )
    assert story_text(page) == "雄安规划纲要落地,研发(R&D)投入占4%"
