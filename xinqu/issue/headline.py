"""Headlines that say which new area they are about.

A site's own title often leaves its area out (`数字经济专项扶持政策出台`);
the bulletin's headline then gains the story's area:
`天府新区：数字经济专项扶持政策出台`. A title that already names an area — any
area's name or alias from config/areas.yaml (`临港总投资超210亿元`), or the
story's area by a short name (`湘江…`) — stays as it is, and so does the title of
a story about several areas: it never gains one area's name.
"""

from __future__ import annotations

from xinqu.process.area import AreaIndex, shipped_index
from xinqu.text import clean_line


def headline(title: str, area: str, areas: AreaIndex | None = None) -> str:
    """The title as one clean line, prefixed `区名：` unless it already names an area."""
    index = areas or shipped_index()
    line = clean_line(title)
    area = clean_line(area)
    if not area or area == index.several:
        return line
    if line and (index.names_any(line) or index.names_area(line, area)):
        return line
    return f"{area}：{line}" if line else area
