"""Article extraction benchmark: ours against trafilatura on every real page with labels.

Pages: ``shared/fixtures/real-pages`` (group ``real-pages``: Chinese government-CMS
and news pages) and ``shared/fixtures/extraction-dev`` (groups zh-news, zh-modern,
zh-other, zh-2005, en-news, as its manifest says). Main text is scored by
character-bigram F1 against the manifest's ``expected_text``; titles against the
hand-read headlines of ``bench/data/extract_labels.json``; dates (the day) against the
manifest's ``expected_date`` or the labels file.

The pages are split once, by a fixed rule that knows nothing of their content
(:func:`held_out`): about 30% are held out. Tune with ``--part tuning`` only; the
held-out figure counts only when measured once, after the settings are frozen.

    .venv/bin/python -m bench.extract [--part all|tuning|held-out] [--pages] [--show FILE]

GNE joins as a third column when installed (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract.article import (  # noqa: E402
    bigram_f1,
    bigram_precision_recall,
    extract_article,
)
from crawler.extract.encoding import decode_html  # noqa: E402
from xinqu.text import squeeze_spaces  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
LABELS = ROOT / "bench" / "data" / "extract_labels.json"
SETS = ("real-pages", "extraction-dev")
_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_SPACES = re.compile(r"\s+")


def shared_fixtures(root: Path = ROOT) -> Path:
    """``shared/fixtures`` beside the clone (CI), or beside the main checkout of a worktree."""
    candidates = [root.parent / "shared"]
    dot_git = root / ".git"
    if dot_git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(dot_git.read_text(encoding="utf-8").partition(":")[2].strip())
        if len(gitdir.parents) >= 3:
            candidates.append(gitdir.parents[2].parent / "shared")
    for shared in candidates:
        if (shared / "fixtures" / "real-pages").is_dir():
            return shared / "fixtures"
    return candidates[0] / "fixtures"


def held_out(file: str) -> bool:
    """The fixed split: a page is held out when the sha1 of its file name says so (~30%)."""
    return int(hashlib.sha1(file.encode("utf-8")).hexdigest()[:8], 16) % 10 < 3


@dataclass(frozen=True)
class Page:
    file: str
    path: Path
    group: str
    url: str
    expected_text: str | None
    expected_title: str | None
    expected_day: date | None


def _day(value: object) -> date | None:
    match = _DAY.match(str(value or ""))
    if not match:
        return None  # "2003-5", "UNKNOWN": no day to compare
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def load_pages(fixtures: Path) -> list[Page]:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["pages"]
    pages: list[Page] = []
    for name in SETS:
        manifest = json.loads((fixtures / name / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["pages"]:
            label = labels.get(entry["file"], {})
            page = Page(
                file=entry["file"],
                path=fixtures / name / entry["file"],
                group=entry.get("group") or name,
                url=entry.get("url") or "",
                expected_text=entry.get("expected_text") or None,
                expected_title=label.get("title"),
                expected_day=_day(entry.get("expected_date") or label.get("date")),
            )
            if page.expected_text or page.expected_title or page.expected_day:
                pages.append(page)
    return pages


def load_manifest(manifest: Path) -> list[Page]:
    """The pages of one manifest of the shared format, its own titles and dates as labels
    (a held-out set collected apart: ``--manifest FILE``, pages beside it or in ``pages/``)."""
    entries = json.loads(manifest.read_text(encoding="utf-8"))["pages"]
    pages = []
    for entry in entries:
        path = manifest.parent / entry["file"]
        if not path.is_file():
            path = manifest.parent / "pages" / entry["file"]
        page = Page(
            file=entry["file"],
            path=path,
            group=entry.get("group") or "pages",
            url=entry.get("url") or "",
            expected_text=entry.get("expected_text") or None,
            expected_title=entry.get("expected_title") or None,
            expected_day=_day(entry.get("expected_date")),
        )
        if page.expected_text or page.expected_title or page.expected_day:
            pages.append(page)
    return pages


@dataclass(frozen=True)
class Result:
    text: str
    title: str
    day: date | None
    seconds: float


def _ours(html: str, url: str) -> tuple[str, str, date | None]:
    article = extract_article(html, url, tz=TZ)
    return (
        article.text,
        article.title,
        article.published_at.date() if article.published_at else None,
    )


def _trafilatura(html: str, url: str) -> tuple[str, str, date | None]:
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url or None, with_metadata=True)
    if document is None:
        return "", "", None
    found = _day(getattr(document, "date", None))
    return document.text or "", document.title or "", found


def _gne() -> Callable[[str, str], tuple[str, str, date | None]] | None:
    """GNE (GPL-3.0, the optional ``bench`` extra; never imported by the product)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(html: str, url: str) -> tuple[str, str, date | None]:
        try:
            found = extractor.extract(html)
        except Exception:  # GNE raises on some markup; score it as empty.
            return "", "", None
        return (
            str(found.get("content") or ""),
            str(found.get("title") or ""),
            _day(found.get("publish_time")),
        )

    return run


EXTRACTORS: dict[str, Callable[[str, str], tuple[str, str, date | None]]] = {
    "ours": _ours,
    "trafilatura": _trafilatura,
}
if (_gne_run := _gne()) is not None:
    EXTRACTORS["gne"] = _gne_run


def run(pages: Iterable[Page]) -> dict[str, dict[str, Result]]:
    """Every extractor on every page: ``{file: {extractor: Result}}``."""
    results: dict[str, dict[str, Result]] = {}
    for page in pages:
        html = decode_html(page.path.read_bytes())
        results[page.file] = {}
        for name, extract in EXTRACTORS.items():
            start = time.perf_counter()
            text, title, day = extract(html, page.url)
            seconds = time.perf_counter() - start
            results[page.file][name] = Result(text, squeeze_spaces(title), day, seconds)
    return results


def same_title(got: str, want: str) -> bool:
    return _SPACES.sub("", got).casefold() == _SPACES.sub("", want).casefold()


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _cell(value: float | None, width: int = 9) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}"


def summarize(pages: list[Page], results: dict[str, dict[str, Result]], label: str) -> None:
    names = list(EXTRACTORS)
    f1 = {
        n: [bigram_f1(results[p.file][n].text, p.expected_text) for p in pages if p.expected_text]
        for n in names
    }
    titled = [p for p in pages if p.expected_title]
    dated = [p for p in pages if p.expected_day]
    titles = {
        n: [float(same_title(results[p.file][n].title, p.expected_title or "")) for p in titled]
        for n in names
    }
    days = {n: [float(results[p.file][n].day == p.expected_day) for p in dated] for n in names}
    texts = [p for p in pages if p.expected_text]
    pr = [
        bigram_precision_recall(results[p.file]["ours"].text, p.expected_text or "") for p in texts
    ]
    row = f"{label:18}{len(f1['ours']):>4}"
    row += "".join(_cell(_mean(f1[n])) for n in names)
    row += _cell(_mean([x[0] for x in pr]), 8) + _cell(_mean([x[1] for x in pr]), 7)
    row += f"{len(titled):>6}" + "".join(_cell(_mean(titles[n])) for n in names)
    row += f"{len(dated):>6}" + "".join(_cell(_mean(days[n])) for n in names)
    print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=shared_fixtures())
    parser.add_argument("--part", choices=("all", "tuning", "held-out"), default="all")
    parser.add_argument("--pages", action="store_true", help="one line per page")
    parser.add_argument("--show", help="print each extractor's text for this page file")
    parser.add_argument(
        "--manifest", type=Path, help="score this manifest's pages instead (no tuning split)"
    )
    args = parser.parse_args()
    pages = load_manifest(args.manifest) if args.manifest else load_pages(args.fixtures)
    if args.part != "all":
        pages = [p for p in pages if held_out(p.file) == (args.part == "held-out")]
    if not pages:
        sys.exit(f"no labelled pages under {args.fixtures}")
    results = run(pages)
    names = list(EXTRACTORS)

    if args.pages:
        print(f"{'page':46}{'group':>11}" + "".join(f"{n[:9]:>10}" for n in names) + "  title ok")
        for page in pages:
            got = results[page.file]
            scores = "".join(
                f"{bigram_f1(got[n].text, page.expected_text):10.3f}"
                if page.expected_text
                else f"{'-':>10}"
                for n in names
            )
            ok = (
                ""
                if not page.expected_title
                else str(same_title(got["ours"].title, page.expected_title))
            )
            split = "H" if held_out(page.file) else " "
            print(f"{split} {page.file[:44]:44}{page.group:>11}{scores}  {ok}")
    if args.show:
        for name in names:
            print(f"\n----- {name}: {results[args.show][name].title} -----")
            print(results[args.show][name].text)

    head = "".join(f"{n[:8]:>9}" for n in names)
    print(
        f"\n{'part: ' + args.part:18}{'F1 n':>4}{head}{'P ours':>8}{'R ours':>7}"
        f"{'ttl n':>6}{head}{'day n':>6}{head}"
    )
    groups = sorted({p.group for p in pages})
    for group in groups:
        summarize([p for p in pages if p.group == group], results, group)
    print("-" * (37 + 3 * (6 + 9 * len(names))))
    if args.part == "all":
        summarize([p for p in pages if not held_out(p.file)], results, "tuning part")
        summarize([p for p in pages if held_out(p.file)], results, "held-out part")
    summarize(pages, results, "overall")
    for name in names:
        total = sum(results[p.file][name].seconds for p in pages)
        print(f"{name}: {1000 * total / len(pages):.1f} ms per page ({len(pages)} pages)")


if __name__ == "__main__":
    main()
