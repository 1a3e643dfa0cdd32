"""Decoding page bytes: header charset, meta-only GBK/GB2312, BOM, undeclared GBK, lying metas.

The fixture bytes are made by tests/fixtures/extract/generate.py.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.article import extract_article
from crawler.extract.encoding import declared_encoding, decode_html, detect_encoding

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
TZ = ZoneInfo("Asia/Shanghai")
#: "镕" is in GBK (and GB18030) but not in GB2312.
TITLE = "西咸新区管委会与朱镕基企业管理学院签约"
BODY_START = "西咸新区管委会与清华大学经济管理学院举行合作签约仪式"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("gbk-meta-only.html", "gb18030"),
        ("gbk-undeclared.html", "gb18030"),
        ("utf8-bom.html", "utf-8"),
        ("utf8-lying-meta.html", "utf-8"),
    ],
)
def test_fixture_pages_decode(name: str, codec: str) -> None:
    body = (FIXTURES / name).read_bytes()
    assert detect_encoding(body) == codec
    html = decode_html(body)
    assert "\ufffd" not in html
    assert not html.startswith("\ufeff")
    article = extract_article(html, "http://www.xixianxinqu.gov.cn/a.html", tz=TZ)
    assert article.title == TITLE
    assert article.text.startswith(BODY_START)
    assert article.source_line == "西咸新区管委会"


def test_gbk_bytes_really_are_gbk() -> None:
    body = (FIXTURES / "gbk-undeclared.html").read_bytes()
    assert TITLE.encode("gbk") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_header_charset_is_used() -> None:
    body = (FIXTURES / "gbk-undeclared.html").read_bytes()
    assert detect_encoding(body, "GBK") == "gb18030"
    assert TITLE in decode_html(body, "gbk")


def test_wrong_header_charset_falls_back() -> None:
    body = (FIXTURES / "gbk-meta-only.html").read_bytes()
    assert TITLE in decode_html(body, "utf-8")  # the header lies; the meta tag is right
    utf8 = (FIXTURES / "utf8-lying-meta.html").read_bytes()
    assert TITLE in decode_html(utf8, "gb2312")  # valid UTF-8 wins over any declaration


def test_meta_declarations() -> None:
    assert declared_encoding(b'<meta charset="GB2312">') == "gb18030"
    assert declared_encoding(
        b"<meta http-equiv=Content-Type content='text/html; charset=gbk'>"
    ) == ("gb18030")
    assert declared_encoding(b'<?xml version="1.0" encoding="GBK"?><html>') == "gb18030"
    assert declared_encoding(b'<meta charset="utf-8">') == "utf-8"
    assert declared_encoding(b'<meta charset="no-such-codec">') is None
    assert declared_encoding(b"<html><body>none</body></html>") is None


def test_utf16_with_bom() -> None:
    text = "<html><body><p>西咸新区</p></body></html>"
    assert decode_html(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text


def test_empty_and_ascii() -> None:
    assert decode_html(b"") == ""
    assert decode_html(b"<html>plain</html>") == "<html>plain</html>"


def test_undecodable_bytes_never_raise() -> None:
    assert isinstance(decode_html(bytes(range(256)) * 4, "gb2312"), str)
