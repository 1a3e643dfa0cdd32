"""Turn the seed bulletin (shared/seed/000_*.txt) into tests/fixtures/issue/seed_articles.json.

The seed is text extracted from the printed PDF: lines broken at the page width,
page numbers on their own lines, the headlines only in the contents. This joins
the lines back into paragraphs (a short line or an indented one ends a
paragraph), cuts the text at each `（来源：…）` line and pairs the articles with
the contents' headlines. The publication dates are not in the seed; each gets
a date inside the issue's period (2020-01-07 … 2020-01-20), newest first in
bulletin order, and a made-up URL on the area's site.

    python scripts/seed_articles.py ../shared/seed/000_7f99393f2c3dace5.txt
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "issue" / "seed_articles.json"
SOURCE_LINE = re.compile(r"^（来源：(.+?)）\s*$")
FULL_WIDTH = 42  # a printed line is ~46-56 half-width units; shorter ends a paragraph

SECTIONS = {"产业发展": "industry", "改革创新": "reform"}
SLUGS = {
    "浦东新区": ("pudong", "https://www.pudong.gov.cn"),
    "贵安新区": ("guian", "https://www.gaxq.gov.cn"),
    "天府新区": ("tianfu", "https://www.cdtf.gov.cn"),
    "金普新区": ("jinpu", "https://www.dljp.gov.cn"),
    "赣江新区": ("ganjiang", "https://www.gjxq.gov.cn"),
    "滨海新区": ("binhai", "https://www.tjbh.gov.cn"),
    "两江新区": ("liangjiang", "https://www.liangjiang.gov.cn"),
    "兰州新区": ("lanzhou", "https://www.lzxq.gov.cn"),
    "湘江新区": ("xiangjiang", "https://www.hnxjxq.gov.cn"),
}


def contents(lines: list[str]) -> list[tuple[str, str]]:
    """(section title, headline) pairs from the contents, joining wrapped headlines."""
    out: list[tuple[str, str]] = []
    section = ""
    for raw in lines:
        line = raw.strip()
        if line in SECTIONS:
            section = line
        elif re.match(r"^\d+、", line):
            out.append((section, re.sub(r"^\d+、", "", line)))
        elif out and section and line and not line.startswith("2020"):
            out[-1] = (out[-1][0], out[-1][1] + line)
    return out


def article_bodies(lines: list[str]) -> list[tuple[list[str], str]]:
    """(paragraphs, site name) for each article, in order."""
    bodies: list[tuple[list[str], str]] = []
    paras: list[str] = []
    current = ""
    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or re.fullmatch(r"\d{1,3}", stripped):
            continue
        match = SOURCE_LINE.match(stripped)
        if match:
            if current:
                paras.append(current)
            bodies.append((paras, match.group(1)))
            paras, current = [], ""
            continue
        if line.startswith("  ") and current:
            paras.append(current)
            current = ""
        current += stripped.replace(" ", "") if _cjk(stripped) else stripped
        if _width(line) < FULL_WIDTH:
            paras.append(current)
            current = ""
    return bodies


def _width(line: str) -> int:
    return sum(1 if ord(ch) < 0x2000 else 2 for ch in line.rstrip())


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def main(seed: Path) -> None:
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("   2020 年，浦东"))
    toc = contents(lines[:start])
    bodies = article_bodies(lines[start:])
    if len(toc) != 9 or len(bodies) != 9:
        raise SystemExit(f"expected 9 headlines and 9 articles, got {len(toc)} and {len(bodies)}")
    articles = []
    for index, ((section, title), (paras, site_name)) in enumerate(zip(toc, bodies, strict=True)):
        area = site_name.removesuffix("官网")
        slug, host = SLUGS[area]
        articles.append(
            {
                "section": SECTIONS[section],
                "source": slug,
                "area": area,
                "site_name": site_name,
                "title": title,
                "url": f"{host}/xwzx/202001/t202001{20 - index:02d}_{index + 1}.html",
                "published_at": f"2020-01-{20 - index:02d}T10:00:00+08:00",
                "text": "\n".join(paras),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(articles, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(articles)} articles")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
