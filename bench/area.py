"""Story area: how often the decided area is the story's own, on a labelled set.

    python -m bench.area                        # the dev set (bench/data/area/dev.jsonl)
    python -m bench.area --data FILE.jsonl      # any set of the same shape
    python -m bench.area --errors               # also list every miss

Each line: ``url``, ``title``, ``lead`` (the start of the text; or ``text``, whose
start is read, as in the blind sets of bench/data/blind/), ``site_area`` (the area
of the site that carried it, null for none) and ``area`` (the area the story is
about, or 多个新区). The decision uses the shipped config/areas.yaml.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from xinqu.process.area import shipped_index

DEV = Path(__file__).parent / "data" / "area" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    index = shipped_index()
    rows = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line]
    right = 0
    by_site = 0
    for row in rows:
        lead = row["lead"] if "lead" in row else row["text"]
        # a carrier that is no new area's site (null in the blind sets) stands for 其他
        site = row["site_area"] or "其他"
        decision = index.decide(row["title"], lead, site)
        by_site += site == row["area"]
        if decision.area == row["area"]:
            right += 1
        elif args.errors:
            print(
                f"MISS want {row['area']} got {decision.area} ({decision.explain()}): "
                f"{row['title'] or lead[:40]}  {row['url']}"
            )
    n = len(rows) or 1
    print(
        f"{args.data.name}: {right}/{len(rows)} = {right / n:.3f} right "
        f"(the carrying site's area: {by_site}/{len(rows)} = {by_site / n:.3f})"
    )


if __name__ == "__main__":
    main()
