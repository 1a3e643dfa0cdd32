"""Section classifier: choose the settings by CV on train+dev, report them on test.

    python -m bench.classify            # the shipped settings (config/sections.yaml) on test
    python -m bench.classify --tune     # grid over method and knobs: CV on train+dev, and dev
    python -m bench.classify --cv       # 5-fold cross-validation on train+dev, shipped settings
    python -m bench.classify --cv --group outlet   # folds that never split an outlet
    python -m bench.classify --cv --group genre    # each new genre held out in turn
    python -m bench.classify_methods    # other methods by the same three CVs
    python -m bench.classify --blind FILE.jsonl    # the shipped model on a set it never saw

Models are trained on ``train`` for the dev grid; the shipped model (and the test
figures) are trained on ``train`` + ``dev``, as ``xinqu process`` trains it. The test
split is never used to choose anything.

Random folds of one collection score a model on outlets and genres it has seen;
``--group outlet`` keeps every outlet (the address's registered domain) in one fold,
so the figure says how the model does on a new outlet, and ``--group genre`` trains
without one genre of docs/labels.md at a time and scores that genre, so it says how
the model does on a kind of news it has not seen.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from xinqu.config import ClassifierSettings, load_config
from xinqu.errors import ConfigError
from xinqu.process.classify import (
    OUT,
    REPO_DATA,
    Classifier,
    Example,
    build_classifier,
    train,
)

#: Items from this id on were collected and split before any setting was chosen on
#: them (xinqu/data/classify/README.md): the blind part of the test split.
BLIND_FROM = 180


def rows(split: str) -> list[dict[str, str]]:
    lines = REPO_DATA.read_text("utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["split"] == split]


def macro_f1(pairs: Sequence[tuple[str, str]], classes: Sequence[str]) -> float:
    """Macro-F1 of (label, decision) pairs."""
    total = 0.0
    for c in classes:
        tp = sum(1 for a, b in pairs if a == c and b == c)
        predicted = sum(1 for _, b in pairs if b == c)
        actual = sum(1 for a, _ in pairs if a == c)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        total += 2 * p * r / (p + r) if p + r else 0.0
    return total / len(classes)


#: Second-level names under which a registered domain has one more label (gov.cn …).
_PUBLIC_SUFFIXES = {"com", "net", "org", "gov", "edu", "ac"}


def outlet(url: str) -> str:
    """The registered domain of an address: one outlet, whatever its subdomain."""
    host = (urlsplit(url).hostname or url).removeprefix("big5.")
    parts = host.split(".")
    keep = 3 if len(parts) > 2 and parts[-1] == "cn" and parts[-2] in _PUBLIC_SUFFIXES else 2
    return ".".join(parts[-keep:])


Folds = list[list[int]]


def folds_of(data: Sequence[dict[str, str]], group: str | None, k: int, shuffle: int) -> Folds:
    """Held-out index lists. ``None``: row order (shuffled by ``shuffle``) mod ``k``;
    ``outlet``: whole outlets dealt into ``k`` folds, largest first; ``genre``: one
    fold per genre, the items without a genre always trained on."""
    order = list(range(len(data)))
    if shuffle:
        random.Random(shuffle).shuffle(order)
    if group is None:
        return [[i for j, i in enumerate(order) if j % k == f] for f in range(k)]
    if group == "genre":
        genres = sorted({data[i]["genre"] for i in order if data[i].get("genre")})
        return [[i for i in order if data[i].get("genre") == g] for g in genres]
    groups: dict[str, list[int]] = {}
    for i in order:
        groups.setdefault(outlet(data[i]["url"]), []).append(i)
    bins: Folds = [[] for _ in range(k)]
    for members in sorted(groups.values(), key=len, reverse=True):
        min(bins, key=len).extend(members)
    return bins


#: fit_predict(training rows, held-out rows) -> the held-out rows' sections.
FitPredict = Callable[[Sequence[dict[str, str]], Sequence[dict[str, str]]], list[str]]


def shipped_method(settings: ClassifierSettings, labels: Sequence[str]) -> FitPredict:
    def fit_predict(fit: Sequence[dict[str, str]], held: Sequence[dict[str, str]]) -> list[str]:
        examples = [Example(r["title"], r["text"], r["label"]) for r in fit]
        model = train(settings, examples) if settings.method != "rules" else None
        clf = Classifier(settings, labels, model)
        return [d.section for d in clf.classify([(r["title"], r["text"]) for r in held])]

    return fit_predict


def cross_validate_with(
    fit_predict: FitPredict,
    classes: Sequence[str],
    *,
    folds: int = 5,
    shuffle: int = 0,
    group: str | None = None,
) -> tuple[float, list[float]]:
    """Pooled macro-F1 over the held-out folds of train+dev, and each fold's."""
    data = rows("train") + rows("dev")
    pooled: list[tuple[str, str]] = []
    per_fold = []
    for held_idx in folds_of(data, group, folds, shuffle):
        held_set = set(held_idx)
        fit = [r for i, r in enumerate(data) if i not in held_set]
        held = [data[i] for i in held_idx]
        pairs = [(r["label"], d) for r, d in zip(held, fit_predict(fit, held), strict=True)]
        per_fold.append(macro_f1(pairs, classes))
        pooled += pairs
    return macro_f1(pooled, classes), per_fold


def cross_validate(
    settings: ClassifierSettings,
    labels: Sequence[str],
    folds: int = 5,
    shuffle: int = 0,
    group: str | None = None,
) -> tuple[float, list[float]]:
    """Macro-F1 of cross-validation on train+dev with the given settings (see folds_of)."""
    return cross_validate_with(
        shipped_method(settings, labels),
        [*labels, OUT],
        folds=folds,
        shuffle=shuffle,
        group=group,
    )


def score(
    settings: ClassifierSettings,
    labels: Sequence[str],
    train: Sequence[str],
    split: str,
    data: Sequence[dict[str, str]] | None = None,
) -> tuple[dict[str, tuple[float, float, float]], float, dict[tuple[str, str], int], list]:
    """Per-class (P, R, F1), macro-F1, confusion and the misses on ``split`` (or ``data``)."""
    clf = build_classifier(settings, labels, splits=train)
    data = rows(split) if data is None else data
    decisions = clf.classify([(r["title"], r["text"]) for r in data])
    classes = [*labels, OUT]
    confusion = {(a, b): 0 for a in classes for b in classes}
    for r, d in zip(data, decisions, strict=True):
        confusion[(r["label"], d.section)] += 1
    per: dict[str, tuple[float, float, float]] = {}
    for c in classes:
        tp = confusion[(c, c)]
        predicted = sum(confusion[(a, c)] for a in classes)
        actual = sum(confusion[(c, b)] for b in classes)
        p = tp / predicted if predicted else 0.0
        r_ = tp / actual if actual else 0.0
        per[c] = (p, r_, 2 * p * r_ / (p + r_) if p + r_ else 0.0)
    macro = sum(f for _, _, f in per.values()) / len(per)
    wrong = [(r, d) for r, d in zip(data, decisions, strict=True) if r["label"] != d.section]
    return per, macro, confusion, wrong


def print_table(
    title: str,
    per: dict[str, tuple[float, float, float]],
    macro: float,
    confusion: dict[tuple[str, str], int],
    classes: Sequence[str],
) -> None:
    print(title)
    print(f"{'class':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for c in classes:
        p, r, f = per[c]
        support = sum(confusion[(c, b)] for b in classes)
        print(f"{c:<10}{p:>10.3f}{r:>10.3f}{f:>10.3f}{support:>10}")
    print(f"macro-F1 {macro:.3f}")
    print("confusion (rows: label, columns: decision)")
    print(" " * 10 + "".join(f"{c:>10}" for c in classes))
    for a in classes:
        print(f"{a:<10}" + "".join(f"{confusion[(a, b)]:>10}" for b in classes))


def report(settings: ClassifierSettings, labels: Sequence[str]) -> None:
    per, macro, confusion, wrong = score(settings, labels, ("train", "dev"), "test")
    classes = [*labels, OUT]
    test = rows("test")
    print_table(
        f"test split: {len(test)} items; method={settings.method}", per, macro, confusion, classes
    )
    for r, d in wrong:
        print(f"  wrong: {r['id']} {r['label']}→{d.section} ({d.score:.2f}) {r['title'][:40]}")
    seed = [r for r in test if r["source"].startswith("shared/seed")]
    seed_wrong = [r for r, _ in wrong if r in seed]
    decided = {r["id"]: d.section for r, d in wrong}
    for name, part in (
        (f"blind part (L{BLIND_FROM} on)", [r for r in test if int(r["id"][1:]) >= BLIND_FROM]),
        ("test without the seed nine", [r for r in test if r not in seed]),
    ):
        pairs = [(r["label"], decided.get(r["id"], r["label"])) for r in part]
        right = sum(1 for a, b in pairs if a == b)
        print(f"{name}: {right}/{len(part)} right, macro-F1 {macro_f1(pairs, classes):.3f}")
    print(f"seed articles in their section: {len(seed) - len(seed_wrong)}/{len(seed)}")


def tune(base: ClassifierSettings, labels: Sequence[str], repeats: int = 3) -> None:
    """Grid over the model's knobs, ranked by 5-fold CV on train+dev repeated ``repeats``
    times with differently drawn folds (dev alone is too small to separate them)."""
    grid = itertools.product(
        ("model", "both"), (30.0, 100.0, 300.0), (0.1, 0.2), (0.2, 0.3, 0.4, 0.5, 0.6)
    )
    results = []
    seen = set()
    for method, c, rw, share in grid:
        if method == "model":
            rw = 0.0
        key = (method, c, rw, share)
        if key in seen:
            continue
        seen.add(key)
        settings = base.model_copy(
            update=dict(method=method, regularization=c, rules_weight=rw, title_share=share)
        )
        cv = sum(cross_validate(settings, labels, shuffle=k + 1)[0] for k in range(repeats))
        _, dev, _, _ = score(settings, labels, ("train",), "dev")
        results.append((cv / repeats, dev, key))
        print(
            f"CV {cv / repeats:.3f}  dev {dev:.3f}  method={method} C={c} "
            f"rules_weight={rw} title_share={share}",
            flush=True,
        )
    best = max(results)
    print(f"best by CV: {best[2]} (CV {best[0]:.3f}, dev {best[1]:.3f})")


def read_blind(path: Path, classes: Sequence[str]) -> list[dict[str, str]]:
    """A JSONL set of the labelled set's shape (title, text, label; url, id optional)."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"--blind: cannot read {path} ({exc.strerror})") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            title, text, label = row["title"], row["text"], row["label"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{n}: expected title, text and label ({exc})") from None
        if label not in classes:
            raise ConfigError(f"{path}:{n}: label {label!r} is none of {', '.join(classes)}")
        out.append({**row, "title": title, "text": text, "label": label})
    if not out:
        raise ConfigError(f"--blind: {path} has no items")
    return out


def blind(settings: ClassifierSettings, labels: Sequence[str], path: Path) -> None:
    """The shipped settings, trained on train+dev, on a set nothing here was tuned on."""
    classes = [*labels, OUT]
    data = read_blind(path, classes)
    per, macro, confusion, wrong = score(settings, labels, ("train", "dev"), "", data)
    print_table(f"blind set {path}: {len(data)} items", per, macro, confusion, classes)
    for r, d in wrong:
        name = r.get("id") or r.get("url") or ""
        print(f"  wrong: {name} {r['label']}→{d.section} ({d.score:.2f}) {r['title'][:40]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="grid on the dev split")
    parser.add_argument("--cv", action="store_true", help="5-fold CV on train+dev")
    parser.add_argument(
        "--group", choices=("outlet", "genre"), help="with --cv: folds by outlet or by genre"
    )
    parser.add_argument(
        "--blind", type=Path, metavar="FILE", help="report on a JSONL set (no tuning)"
    )
    args = parser.parse_args()
    sections = load_config().sections
    try:
        if args.blind is not None:
            blind(sections.classifier, sections.keys, args.blind)
        elif args.cv:
            pooled, per_fold = cross_validate(sections.classifier, sections.keys, group=args.group)
            n = len(rows("train")) + len(rows("dev"))
            folds = " ".join(f"{f:.3f}" for f in per_fold)
            how = f"{len(per_fold)} folds by {args.group}" if args.group else "5-fold CV"
            print(f"{how} on train+dev ({n} items): macro-F1 {pooled:.3f} (folds {folds})")
        elif args.tune:
            tune(sections.classifier, sections.keys)
        else:
            report(sections.classifier, sections.keys)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
