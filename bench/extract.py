"""Article extraction quality on the real pages: trafilatura alone, GNE (if installed), ours.

Scores each ``mh-`` page of ``shared/fixtures/real-pages`` (they carry the benchmark's
expected main text) by character-bigram F1, all three extractors in the same run, and
prints per-page figures, the mean and the worst page of each.

    .venv/bin/python bench/extract.py [--pages DIR] [--show PAGE]

GNE is optional (GPL-3.0, not a product dependency): ``pip install -e '.[bench]'`` to see it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract.article import bigram_f1, extract_article  # noqa: E402


def default_pages(root: Path = ROOT) -> Path:
    """``shared/`` beside the clone (CI), or beside the main checkout of a git worktree."""
    candidates = [root.parent / "shared"]
    dot_git = root / ".git"
    if dot_git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(dot_git.read_text(encoding="utf-8").partition(":")[2].strip())
        if len(gitdir.parents) >= 3:
            candidates.append(gitdir.parents[2].parent / "shared")
    for shared in candidates:
        if (shared / "fixtures" / "real-pages").is_dir():
            return shared / "fixtures" / "real-pages"
    return candidates[0] / "fixtures" / "real-pages"


TZ = ZoneInfo("Asia/Shanghai")


def _trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def _trafilatura_precision(html: str, url: str) -> str:
    """trafilatura as our fallback calls it: favor_precision, tables kept."""
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=True, include_tables=True) or ""


def _gne() -> Callable[[str, str], str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(html: str, url: str) -> str:
        try:
            return str(extractor.extract(html).get("content") or "")
        except Exception:  # GNE raises on some markup; score it as empty.
            return ""

    return run


def _ours(html: str, url: str) -> str:
    return extract_article(html, url, tz=TZ).text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=default_pages())
    parser.add_argument("--show", help="print each extractor's text for this page file")
    args = parser.parse_args()
    manifest = json.loads((args.pages / "manifest.json").read_text(encoding="utf-8"))
    pages = [p for p in manifest["pages"] if p.get("expected_text")]
    if not pages:
        sys.exit(f"no pages with expected_text under {args.pages}")

    extractors: dict[str, Callable[[str, str], str]] = {
        "trafilatura": _trafilatura,
        "traf-precise": _trafilatura_precision,
    }
    gne = _gne()
    if gne is not None:
        extractors["gne"] = gne
    else:
        print("(gne not installed: pip install gne to compare it)")
    extractors["ours"] = _ours
    body_from: list[str] = []

    scores: dict[str, list[float]] = {name: [] for name in extractors}
    seconds: dict[str, float] = dict.fromkeys(extractors, 0.0)
    print(f"{'page':46}" + "".join(f"{name:>13}" for name in extractors) + "  ours: body from")
    for page in pages:
        html = (args.pages / page["file"]).read_text(encoding="utf-8")
        row = f"{page['file'][:45]:46}"
        for name, run in extractors.items():
            start = time.perf_counter()
            text = run(html, page.get("url", ""))
            seconds[name] += time.perf_counter() - start
            score = bigram_f1(text, page["expected_text"])
            scores[name].append(score)
            row += f"{score:13.3f}"
            if args.show == page["file"]:
                print(f"\n----- {name} -----\n{text}\n")
        body_from.append(extract_article(html, page.get("url", ""), tz=TZ).body_from)
        print(f"{row}  {body_from[-1]}")
    print("-" * (46 + 13 * len(extractors)))
    print(f"{'mean F1':46}" + "".join(f"{sum(s) / len(s):13.3f}" for s in scores.values()))
    print(f"{'worst page F1':46}" + "".join(f"{min(s):13.3f}" for s in scores.values()))
    print(f"{'seconds (all pages)':46}" + "".join(f"{t:13.2f}" for t in seconds.values()))
    base = sum(scores["trafilatura"]) / len(pages)
    ours = sum(scores["ours"]) / len(pages)
    print(f"ours vs trafilatura: {ours - base:+.3f} mean F1 over {len(pages)} pages")
    for source in sorted(set(body_from)):
        picked = [i for i, b in enumerate(body_from) if b == source]
        figures = "  ".join(
            f"{name} {sum(scores[name][i] for i in picked) / len(picked):.3f}" for name in scores
        )
        print(f"pages whose body came from {source or '-'} ({len(picked)}): {figures}")


if __name__ == "__main__":
    main()
