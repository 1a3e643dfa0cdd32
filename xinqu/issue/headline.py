"""Headlines that say which new area they are about.

A site's own title often leaves its area out (`数字经济专项扶持政策出台`);
the bulletin's headline then gains it: `天府新区：数字经济专项扶持政策出台`.
A title that already names the area, by full or short name (`浦东打造…`,
`湖南湘江新区…`), stays as it is.
"""

from __future__ import annotations

from xinqu.issue.text import clean_line

#: The 19 national new areas and the short names their own sites use.
AREA_SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "浦东新区": ("浦东",),
    "滨海新区": ("滨海",),
    "两江新区": ("两江",),
    "舟山群岛新区": ("舟山群岛", "舟山"),
    "兰州新区": ("兰州",),
    "南沙新区": ("南沙",),
    "西咸新区": ("西咸",),
    "贵安新区": ("贵安",),
    "西海岸新区": ("西海岸",),
    "金普新区": ("金普",),
    "天府新区": ("天府",),
    "湘江新区": ("湘江",),
    "江北新区": ("江北",),
    "福州新区": ("福州",),
    "滇中新区": ("滇中",),
    "哈尔滨新区": ("哈尔滨",),
    "长春新区": ("长春",),
    "赣江新区": ("赣江",),
    "雄安新区": ("雄安",),
}


def area_names(area: str) -> tuple[str, ...]:
    """The full name and the short names an area goes by in titles."""
    if area in AREA_SHORT_NAMES:
        return (area, *AREA_SHORT_NAMES[area])
    short = area.removesuffix("新区")
    return (area, short) if len(short) >= 2 else (area,)


def names_area(title: str, area: str) -> bool:
    return any(name in title for name in area_names(area))


def headline(title: str, area: str) -> str:
    """The title as one clean line, prefixed `区名：` unless it already names the area."""
    line = clean_line(title)
    area = clean_line(area)
    if not area or names_area(line, area):
        return line
    return f"{area}：{line}" if line else area
