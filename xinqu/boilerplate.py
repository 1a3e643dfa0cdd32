"""The page-template vocabulary: the lines a site prints around every article.

One list of words, two readings of it:

- :data:`TEMPLATE_LINE` — a line that is never part of any story (editor credits,
  print/close/share tools, counters, the "you are here" trail, copyright, a pager,
  previous/next links). The extractor drops such a line from a body wherever it
  stands (it applies the pattern with ``search`` to short lines only).
- :data:`BOILERPLATE` — the whole-line pattern dedupe and classification strip
  before comparing texts: the template lines above and the story's info lines too
  (来源, 作者, 发布时间 …, 原标题). Those info lines say nothing about what a story
  is about, but they are the extractor's evidence for the date and the source, and
  in a notice (``时间：11月20日 地点：…``) they are content, so the extractor reads
  them instead of dropping them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Credits of the people who edited or checked the page.
EDITOR_LABELS = (
    "责任编辑",
    "值班编辑",
    "责编",
    "编辑",
    "审核",
    "校对",
    "终审",
    "初审",
    "复审",
    "一审",
    "二审",
    "三审",
    "监制",
)
#: Credits of the people who wrote or photographed the story (info, not template).
BYLINE_LABELS = ("作者", "记者", "通讯员", "撰稿", "摄影", "供稿")
#: Labels of the story's source (info).
SOURCE_LABELS = ("信息来源", "文章来源", "稿件来源", "发布来源", "来源", "出处")
#: Labels of the story's date (info).
DATE_LABELS = ("发布时间", "发布日期", "时间", "日期")
#: Labels of the original headline or link of a reposted story (info).
REPOST_LABELS = ("原标题", "原文链接")
#: Page counters and text-size switches, before their value (``浏览次数：123``).
COUNTER_LABELS = (
    "浏览次数",
    "阅读次数",
    "点击数",
    "点击量",
    "浏览量",
    "阅读量",
    "人气",
    "字号",
    "字体",
)
#: The page's tools, wherever they stand in a short line.
PAGE_TOOLS = (
    "打印本页",
    "打印此页",
    "【打印】",
    "[打印]",
    "关闭窗口",
    "【关闭】",
    "[关闭]",
    "【纠错】",
    "[纠错]",
    "分享到",
    "分享至",
    "分享微信",
    "扫一扫",
    "返回顶部",
    "请使用浏览器分享",
    "点击右上角",
)
#: A tool's name standing alone on its line.
LONE_TOOLS = ("返回顶部", "收藏", "打印", "关闭", "分享", "朋友圈", "微信", "微博")
#: Links to the neighbouring stories, at the start of their line.
NEIGHBOUR_LINKS = (
    "阅读下一篇",
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "相关阅读",
    "相关新闻",
    "相关链接",
)
#: The "you are here" trail's label.
LOCATION_LABELS = (
    "您现在的位置",
    "现在的位置",
    "当前的位置",
    "现在位置",
    "当前位置",
    "您的位置",
    "你的位置",
    "所在位置",
)
#: The site's legal footer.
COPYRIGHT_MARKS = ("版权所有", "版权声明", "免责声明", "ICP备", "公网安备", "Copyright")
#: Prompts to scan a code, at the start of their line.
SCAN_PROMPTS = ("扫码", "扫描二维码")
#: A platform's or a site's disclaimer about what it published (one sentence, often long).
DISCLAIMER_MARKS = (
    "特别声明",
    "免责声明",
    "仅提供信息存储服务",
    "网友评论仅供",
    "仅代表作者个人观点",
    "仅代表作者观点",
    "版权归原作者",
    "如有侵权",
    "转载请注明",
)
_DISCLAIMER_PHRASES = (
    r"不代表本(?:网|站|平台|报|刊|号)\S{0,6}(?:观点|立场)",
    r"并不表明\S{0,8}立场",
    r"未经(?:授权|许可|书面许可)[，,]?\s*(?:不得|禁止|严禁)转载",
)
#: Headings after which a page lists other stories, not this one.
FEED_HEADINGS = (
    "相关阅读",
    "相关文章",
    "相关新闻",
    "相关稿件",
    "相关推荐",
    "猜你喜欢",
    "推荐阅读",
    "推荐内容",
    "热门文章",
    "热点新闻",
    "图片新闻",
    "新闻推荐",
    "更多精彩",
    "大家还看了",
    "大家都在看",
    "也许喜欢",
    "本类排行",
    "为您推荐",
    "热门推荐",
)
#: Headings of the readers' comments below a story (网易's 跟贴 and its kind).
COMMENT_HEADINGS = (
    "网友评论",
    "网友跟贴",
    "热门跟贴",
    "最新跟贴",
    "我要评论",
    "发表评论",
    "全部评论",
    "热门评论",
    "最新评论",
    "精彩评论",
    "评论列表",
    "跟贴",
)


def _any(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in words)


#: A pager (首页 上一页 1 2 3 下一页 尾页, 共3页): only pager words, one of them 上/下一页.
_PAGER = (
    r"^(?=.*(?:上一?页|下一?页))(?:[\s|｜<>«»\[\]【】…\d]|首页|上一?页|下一?页|尾页|末页|"
    r"共\s*\d+\s*页|第\s*\d+\s*页)+$"
)

DISCLAIMER = re.compile(f"{_any(DISCLAIMER_MARKS)}|{'|'.join(_DISCLAIMER_PHRASES)}")

#: A line that opens the list of other stories after a story
#: (dedupe cuts the text there; the extractor cuts a body at ``TAIL_HEADING``).
TAIL = re.compile(
    rf"^\s*[-·•]?\s*(?:{_any(FEED_HEADINGS)})",
    re.MULTILINE,
)
#: Those openers and the comments' headings as a line of their own (``相关阅读：``,
#: ``【网友评论】``, ``跟贴 19``, ``已有12条评论``): where the extractor ends a body.
TAIL_HEADING = re.compile(
    rf"^[-·•【\[\s]*(?:{_any(FEED_HEADINGS + COMMENT_HEADINGS)})\s*[】\]]?\s*"
    r"(?:[:：>›»]|[(（]?\s*\d+\s*[)）]?|条)?\s*$"
    r"|^(?:已有|共)\s*\d+\s*(?:条评论|条跟贴|人参与)"
)

TEMPLATE_LINE = re.compile(
    rf"^[\[【(（]?\s*(?:{_any(EDITOR_LABELS)})\s*[:：]"
    r"|(?:责任编辑|责编)\s*[:：]"
    rf"|{_any(PAGE_TOOLS)}"
    rf"|(?:浏览次数|点击数|阅读量|点击量|浏览量|阅读次数|字号)\s*[:：]"
    rf"|^[\[【]?\s*(?:大|中|小)\s*(?:中|小)?\s*[\]】]?$"
    rf"|^[\s«<【\[]*(?:{_any(NEIGHBOUR_LINKS)})\s*[:：]?"
    rf"|^[\s«<【\[]*(?:{_any(FEED_HEADINGS)})\s*[】\]]?\s*[:：]"
    rf"|^(?:{_any(LONE_TOOLS)})$"
    rf"|^(?:{_any(LOCATION_LABELS)})\s*[:：]"
    rf"|^(?:{_any(SCAN_PROMPTS)})"
    r"|Copyright\s*©"
    rf"|{_any(m for m in COPYRIGHT_MARKS if m != 'Copyright')}"
    rf"|{_PAGER}"
)

BOILERPLATE = re.compile(
    r"^\s*(?:"
    rf"[【\[（(]?\s*(?:{_any(EDITOR_LABELS + BYLINE_LABELS)})\s*[:：].{{0,40}}"
    rf"|[（(]?\s*(?:{_any(SOURCE_LABELS)})\s*[:：].{{0,40}}"
    rf"|(?:{_any(DATE_LABELS + COUNTER_LABELS)})\s*[:：].{{0,60}}"
    rf"|.{{0,20}}(?:{_any(PAGE_TOOLS + NEIGHBOUR_LINKS[1:3])}).{{0,40}}"
    rf"|(?:{_any(REPOST_LABELS)})\s*[:：].{{0,80}}"
    rf"|.{{0,30}}(?:{_any(LOCATION_LABELS)})\s*[:：]?.{{0,80}}"
    rf"|.{{0,40}}(?:{_any(COPYRIGHT_MARKS)}|copyright).{{0,120}}"
    r"|.{0,20}(?:本文来源|来源于|转自|转载自|稿件来源|责编|编辑)\s*[:：].{0,60}"
    rf"|.{{0,20}}(?:{_any(('分享至', '分享到', *COUNTER_LABELS[2:7], '点击'))})\s*[:：]?.{{0,30}}"
    r"|(?:首页|網站地圖|网站地图)\s*[>›»|].{0,80}"
    rf"|.{{0,60}}(?:{DISCLAIMER.pattern}).{{0,200}}"
    rf"|(?:{_any(LONE_TOOLS)})"
    rf"|{_PAGER[1:-1]}"
    r")\s*$"
)
