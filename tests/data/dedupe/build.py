"""Parse raw.txt into texts, groups and hard non-duplicate pairs (see README.md)."""

import hashlib
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def parse() -> list[dict]:
    out = []
    for block in HERE.joinpath("raw.txt").read_text("utf-8").split("\n@@ ")[0:]:
        block = block.removeprefix("@@ ")
        head, _, rest = block.partition("\n")
        fields = dict(re.findall(r"(\w)=(\S*)", head))
        title_line, _, body = rest.partition("\n")
        assert title_line.startswith("T="), head
        out.append(
            {
                "cluster": fields["G"],
                "area": fields["A"],
                "url": fields["U"],
                "outlet": re.search(r"O=(.*?) D=", head).group(1),
                "date": fields.get("D", ""),
                "forced_split": fields.get("S", ""),
                "title": title_line[2:].strip(),
                "text": body.rstrip("\n"),
            }
        )
    return out


def split_of(url: str) -> str:
    return "dev" if int(hashlib.sha1(url.encode()).hexdigest(), 16) % 2 == 0 else "test"


def main() -> None:
    texts = parse()
    clusters: dict[str, list[dict]] = defaultdict(list)
    for t in texts:
        clusters[t["cluster"]].append(t)
    urls = [t["url"] for t in texts]
    assert len(urls) == len(set(urls)), [u for u in urls if urls.count(u) > 1]
    for name, members in clusters.items():
        # Round 3 session 2 additions carry S=dev: collected for tuning, never test data.
        split = members[0]["forced_split"] or split_of(members[0]["url"])
        for i, t in enumerate(members):
            assert t["forced_split"] in ("", split), (name, t["url"])
            t["id"] = f"{name}/{i}"
            t["split"] = split
            t["batch"] = 2 if t["forced_split"] else 1
    groups = [c for c in clusters.values() if len(c) >= 2]
    by = defaultdict(list)
    for members in clusters.values():
        by[(members[0]["split"], members[0]["area"])].append(members)
    pairs = []
    for (split, area), cs in by.items():
        for a, b in itertools.combinations(cs, 2):
            for x in a:
                for y in b:
                    why = f"same area ({area}), different event"
                    pairs.append({"a": x["id"], "b": y["id"], "split": split, "why": why})
    # same template across areas: approvals of different areas
    appr = [c for c in clusters.values() if c[0]["cluster"].endswith("-approval")]
    for a, b in itertools.combinations(appr, 2):
        if a[0]["split"] == b[0]["split"] and a[0]["area"] != b[0]["area"]:
            for x in a:
                for y in b:
                    why = "two areas' approvals, one template"
                    pairs.append({"a": x["id"], "b": y["id"], "split": a[0]["split"], "why": why})
    with HERE.joinpath("texts.jsonl").open("w", encoding="utf-8") as f:
        for t in texts:
            keys = (
                *("id", "cluster", "split", "batch", "area", "url", "outlet", "date"),
                *("title", "text"),
            )
            f.write(json.dumps({k: t[k] for k in keys}, ensure_ascii=False) + "\n")
    with HERE.joinpath("nonduplicate_pairs.jsonl").open("w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    for split in ("dev", "test"):
        g = [c for c in groups if c[0]["split"] == split]
        n = sum(1 for t in texts if t["split"] == split)
        p = sum(1 for q in pairs if q["split"] == split)
        print(f"{split}: {len(g)} groups, {n} texts, {p} hard non-duplicate pairs")
    print(len(groups), "groups,", len(texts), "texts,", len(pairs), "pairs")


if __name__ == "__main__":
    main()
