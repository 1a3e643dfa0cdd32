"""Near-duplicate precision/recall on real news texts and reposts made from them.

Every text of the labelled set (real published news, ``xinqu/data/classify``) gets
reposts the way sites repost: a reporter's lead added, the tail trimmed, converted
to traditional characters, numbers changed, or several of these at once. True pairs
are a text and its reposts (and reposts among themselves); every other pair, many
of them same-area, same-template stories (signings, meetings), must stay apart.

    python -m bench.dedupe            # grid on train+dev stories, figures on test
    python -m bench.dedupe --grid     # print the whole grid
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from dataclasses import replace

from xinqu.process.dedupe import (
    DedupeParams,
    Doc,
    exact_near_duplicate,
    group,
    pairs_from_groups,
)
from xinqu.process.minhash import shingle_hashes, signature
from xinqu.process.normalize import codes, key_of_letters, letters
from xinqu.resources import labelled_data

DATA = labelled_data()
LEADS = [
    "本报讯（记者 王晗 通讯员 刘武）",
    "新华社电 近日，记者从有关方面获悉，",
    "据新区融媒体中心消息，",
    "【编者按】今年以来，各地纷纷出台新举措推动高质量发展，现将有关情况转载如下。",
]


def _s2t() -> object:
    import opencc

    return opencc.OpenCC("s2t")


def reposts(text: str, rng: random.Random, converter: object) -> list[tuple[str, str]]:
    """(kind, text) variants of one story."""

    def trim(t: str) -> str:
        return t[: max(20, int(len(t) * rng.uniform(0.6, 0.85)))]

    def numbers(t: str) -> str:
        return re.sub(
            r"\d+(?:\.\d+)?", lambda m: str(round(float(m.group()) * 1.05, 2)), t, count=2
        )

    def lead(t: str) -> str:
        return rng.choice(LEADS) + t

    def trad(t: str) -> str:
        return converter.convert(t)  # type: ignore[attr-defined]

    return [
        ("lead", lead(text)),
        ("trim", trim(text)),
        ("traditional", trad(text)),
        ("numbers", numbers(text)),
        ("lead+trim+numbers", numbers(trim(lead(text)))),
    ]


def build(stories: list[dict[str, str]], seed: int = 7) -> tuple[list[tuple[str, str]], dict]:
    """Texts keyed by name, and the true assignment name -> story."""
    rng = random.Random(seed)
    converter = _s2t()
    texts: list[tuple[str, str]] = []
    truth: dict[str, str] = {}
    for story in stories:
        base = story["title"] + "\n" + story["text"]
        name = story["id"]
        texts.append((name, base))
        truth[name] = name
        for kind, variant in reposts(base, rng, converter):
            texts.append((f"{name}/{kind}", variant))
            truth[f"{name}/{kind}"] = name
    return texts, truth


def evaluate(
    texts: list[tuple[str, str]], truth: dict, params: DedupeParams
) -> tuple[float, float, int, int]:
    docs = []
    names = {}
    sets = {}
    for i, (name, text) in enumerate(texts):
        content = letters(codes(text))
        hashes = shingle_hashes(content, params.shingle)
        docs.append(Doc(i, key_of_letters(content), signature(hashes), int(hashes.size)))
        names[i] = name
        sets[i] = hashes

    def verify(a: int, b: int) -> bool:
        return exact_near_duplicate(sets[a], sets[b], params)

    assignment = group(docs, params, representative=min, verify=verify)
    predicted = {frozenset(names[i] for i in p) for p in pairs_from_groups(assignment)}
    true = pairs_from_groups(truth)
    hit = len(predicted & true)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(true) if true else 1.0
    return precision, recall, len(true), len(predicted - true)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grid", action="store_true", help="print every grid point")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines()]
    tune = [r for r in rows if r["split"] != "test"]
    test = [r for r in rows if r["split"] == "test"]
    tune_texts, tune_truth = build(tune)
    best: tuple[float, DedupeParams] | None = None
    grid = itertools.product((3, 4, 5), (0.5, 0.6, 0.7), (0.7, 0.8, 0.9))
    for shingle, jaccard, containment in grid:
        params = DedupeParams(shingle=shingle, jaccard=jaccard, containment=containment)
        p, r, _, fp = evaluate(tune_texts, tune_truth, params)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if args.grid:
            print(f"k={shingle} J>={jaccard} C>={containment}: P={p:.3f} R={r:.3f} F1={f1:.3f}")
        if best is None or f1 > best[0]:
            best = (f1, params)
    assert best is not None
    chosen = best[1]
    print(f"chosen on train+dev ({len(tune)} stories x 6 texts): {chosen}")
    shipped = DedupeParams()
    for label, params in (("chosen", chosen), ("shipped defaults", shipped)):
        test_texts, test_truth = build(test, seed=11)
        p, r, n_true, fp = evaluate(test_texts, test_truth, params)
        print(
            f"{label:<16} test ({len(test)} stories, {len(test_texts)} texts, {n_true} true "
            f"pairs): precision={p:.3f} recall={r:.3f} false pairs={fp}"
        )
        by_kind = {}
        for kind in ("lead", "trim", "traditional", "numbers", "lead+trim+numbers"):
            subset = [(n, t) for n, t in test_texts if "/" not in n or n.endswith("/" + kind)]
            sub_truth = {n: test_truth[n] for n, _ in subset}
            by_kind[kind] = evaluate(subset, sub_truth, replace(params))[1]
        print("  recall by repost kind: " + ", ".join(f"{k}={v:.2f}" for k, v in by_kind.items()))


if __name__ == "__main__":
    main()
