"""Section classifier: choose the settings by CV on train+dev, report them on test.

    python -m bench.classify            # the shipped settings (config/sections.yaml) on test
    python -m bench.classify --tune     # grid over method and knobs: CV on train+dev, and dev
    python -m bench.classify --cv       # 5-fold cross-validation on train+dev, shipped settings

Models are trained on ``train`` for the dev grid; the shipped model (and the test
figures) are trained on ``train`` + ``dev``, as ``xinqu process`` trains it. The test
split is never used to choose anything.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Sequence

from xinqu.config import ClassifierSettings, load_config
from xinqu.process.classify import (
    OUT,
    REPO_DATA,
    Classifier,
    Example,
    LinearModel,
    build_classifier,
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


def cross_validate(
    settings: ClassifierSettings, labels: Sequence[str], folds: int = 5, shuffle: int = 0
) -> tuple[float, list[float]]:
    """Macro-F1 of ``folds``-fold cross-validation on train+dev.

    Folds by row order mod k; ``shuffle`` > 0 shuffles the rows first with that seed,
    so repeated runs give differently drawn folds.
    """
    data = rows("train") + rows("dev")
    if shuffle:
        random.Random(shuffle).shuffle(data)
    pooled: list[tuple[str, str]] = []
    per_fold = []
    for k in range(folds):
        held = [r for i, r in enumerate(data) if i % folds == k]
        fit = [
            Example(r["title"], r["text"], r["label"]) for i, r in enumerate(data) if i % folds != k
        ]
        model = LinearModel(settings).fit(fit) if settings.method != "rules" else None
        clf = Classifier(settings, labels, model)
        decisions = clf.classify([(r["title"], r["text"]) for r in held])
        pairs = [(r["label"], d.section) for r, d in zip(held, decisions, strict=True)]
        per_fold.append(macro_f1(pairs, [*labels, OUT]))
        pooled += pairs
    return macro_f1(pooled, [*labels, OUT]), per_fold


def score(
    settings: ClassifierSettings, labels: Sequence[str], train: Sequence[str], split: str
) -> tuple[dict[str, tuple[float, float, float]], float, dict[tuple[str, str], int], list]:
    clf = build_classifier(settings, labels, splits=train)
    data = rows(split)
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


def report(settings: ClassifierSettings, labels: Sequence[str]) -> None:
    per, macro, confusion, wrong = score(settings, labels, ("train", "dev"), "test")
    classes = [*labels, OUT]
    test = rows("test")
    print(f"test split: {len(test)} items; method={settings.method}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="grid on the dev split")
    parser.add_argument("--cv", action="store_true", help="5-fold CV on train+dev")
    args = parser.parse_args()
    sections = load_config().sections
    if args.cv:
        pooled, per_fold = cross_validate(sections.classifier, sections.keys)
        n = len(rows("train")) + len(rows("dev"))
        folds = " ".join(f"{f:.3f}" for f in per_fold)
        print(f"5-fold CV on train+dev ({n} items): macro-F1 {pooled:.3f} (folds {folds})")
    elif args.tune:
        tune(sections.classifier, sections.keys)
    else:
        report(sections.classifier, sections.keys)


if __name__ == "__main__":
    main()
