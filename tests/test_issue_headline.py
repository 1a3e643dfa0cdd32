"""Headlines say which new area they are about, as the bulletin's do."""

from __future__ import annotations

import pytest

from xinqu.issue.headline import headline


@pytest.mark.parametrize(
    ("title", "area", "expected"),
    [
        ("浦东打造五大千亿级硬核产业", "浦东新区", "浦东打造五大千亿级硬核产业"),
        (
            "2019年1-11月贵安新区大数据产业规模完成387.47亿元",
            "贵安新区",
            "2019年1-11月贵安新区大数据产业规模完成387.47亿元",
        ),
        (
            "优化营商环境哪家强？湖南湘江新区破立并举给出“最优解”",
            "湘江新区",
            "优化营商环境哪家强？湖南湘江新区破立并举给出“最优解”",
        ),
        ("舟山签约绿色石化项目", "舟山群岛新区", "舟山签约绿色石化项目"),
        ("数字经济专项扶持政策出台", "天府新区", "天府新区：数字经济专项扶持政策出台"),
        ("大数据产业规模完成387亿元", "贵安新区", "贵安新区：大数据产业规模完成387亿元"),
        ("某区发布新政", "示范新区", "示范新区：某区发布新政"),
    ],
)
def test_headline_names_the_area(title: str, area: str, expected: str) -> None:
    assert headline(title, area) == expected


def test_headline_is_one_clean_line() -> None:
    assert headline("新政\r\nBcc: x@example.org\t出台\x00", "天府新区") == (
        "天府新区：新政 Bcc: x@example.org 出台"
    )


def test_headline_without_title_is_the_area() -> None:
    assert headline("  \n ", "两江新区") == "两江新区"
