"""Other ways to sort articles into sections, measured as the shipped one is.

    python -m bench.classify_methods            # every method, all three CVs
    python -m bench.classify_methods --only shipped char-svm+priors

Each method is scored by the three cross-validations of ``bench.classify`` on
train+dev — random folds (three draws, ``--draws``), folds that never split an outlet, and each
genre of docs/labels.md held out in turn — so a method that only learns one
collection's outlets or genres shows it. The choice is made by the two grouped CVs
(outlet, genre), never by the random one. The methods:

- ``shipped``: the settings in config/sections.yaml, through the product's own code
  (``method: svm`` since 2026-12-03; before, ``model``: hashed character 1–3-grams,
  logistic regression; both with title priors, out_titles and min_confidence);
- ``char-svm``: character 1–3-gram TF-IDF (headline and body as two blocks) with a
  linear SVM, the method measured ≈0.04 better on news from outside the set;
- ``word-svm``: word 1–2-grams from jieba with a linear SVM;
- ``char+word-svm``: both blocks side by side;
- ``…+priors``: the same, its sigmoid-calibrated probabilities leaned by the
  shipped title priors and overruled by out_titles, as the shipped model is;
- ``char+word-lr+priors``: both blocks, logistic regression, priors.

For the ``uncertain`` flag each method's margin (chosen share minus the runner-up's;
calibrated probabilities for the SVMs) is read on the outlet folds: how many items
``uncertain_margin`` flags and how many of the errors it catches.

The choice goes into config/sections.yaml by hand, with these figures beside it.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable, Sequence

import jieba
import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize as unit_rows
from sklearn.svm import LinearSVC

from bench.classify import folds_of, macro_f1, rows
from xinqu.config import ClassifierSettings, load_config
from xinqu.process.classify import OUT, Classifier, Example, train
from xinqu.process.features import plain

jieba.setLogLevel(logging.WARNING)

Rows = Sequence[dict[str, str]]
#: fit_predict(training rows, held-out rows) -> (section, margin) of each held-out row
Method = Callable[[Rows, Rows], list[tuple[str, float]]]


def _words(text: str, cache: dict[str, str]) -> str:
    if text not in cache:
        cache[text] = " ".join(w for w in jieba.lcut(text) if w.strip())
    return cache[text]


def linear_method(
    settings: ClassifierSettings,
    labels: Sequence[str],
    *,
    chars: bool,
    words: bool,
    learner: str,
    priors: bool,
) -> Method:
    """TF-IDF blocks (headline, body) of characters and/or jieba words; a linear SVM
    (sigmoid-calibrated) or a logistic regression; optionally the shipped priors."""
    cache: dict[str, str] = {}
    share, text_chars = settings.title_share, settings.text_chars
    classes = [*labels, OUT]
    adjust = Classifier(settings, labels, None)

    def readings(rs: Rows) -> list[tuple[str, list[str], list[str]]]:
        titles = [plain(r["title"]) for r in rs]
        bodies = [plain(r["text"][: text_chars * 2])[:text_chars] for r in rs]
        out = []
        if chars:
            out.append(("char", titles, bodies))
        if words:
            out.append(
                ("word", [_words(t, cache) for t in titles], [_words(b, cache) for b in bodies])
            )
        return out

    def vectorizer(kind: str) -> TfidfVectorizer:
        if kind == "char":
            return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        return TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"
        )

    def fit_predict(fit: Rows, held: Rows) -> list[tuple[str, float]]:
        train_blocks, held_blocks = [], []
        for (kind, t_fit, b_fit), (_, t_held, b_held) in zip(
            readings(fit), readings(held), strict=True
        ):
            vt, vb = vectorizer(kind), vectorizer(kind)
            train_blocks.append(
                sparse.hstack(
                    [share * vt.fit_transform(t_fit), (1 - share) * vb.fit_transform(b_fit)]
                )
            )
            held_blocks.append(
                sparse.hstack([share * vt.transform(t_held), (1 - share) * vb.transform(b_held)])
            )
        x_fit = unit_rows(sparse.hstack(train_blocks).tocsr())
        x_held = unit_rows(sparse.hstack(held_blocks).tocsr())
        y = [r["label"] for r in fit]
        if learner == "svm":
            model = CalibratedClassifierCV(
                LinearSVC(C=1.0, class_weight="balanced"), cv=3, method="sigmoid"
            )
        else:
            model = LogisticRegression(
                C=settings.regularization, max_iter=5000, class_weight="balanced"
            )
        model.fit(x_fit, y)
        order = [list(model.classes_).index(c) for c in classes]
        p = model.predict_proba(x_held)[:, order]
        titles = [r["title"] for r in held]
        if priors:
            adjust.lean(p, titles)
        out = []
        for i, title in enumerate(titles):
            ranked = np.sort(p[i])[::-1]
            section = classes[int(p[i].argmax())]
            if priors and adjust.forced_out(title) is not None:
                out.append((OUT, 1.0))
                continue
            out.append((section, float(ranked[0] - ranked[1])))
        return out

    return fit_predict


def shipped_method(settings: ClassifierSettings, labels: Sequence[str]) -> Method:
    def fit_predict(fit: Rows, held: Rows) -> list[tuple[str, float]]:
        examples = [Example(r["title"], r["text"], r["label"]) for r in fit]
        clf = Classifier(settings, labels, train(settings, examples))
        return [
            (d.section, d.margin) for d in clf.classify([(r["title"], r["text"]) for r in held])
        ]

    return fit_predict


def cross_validate(
    method: Method, classes: Sequence[str], *, group: str | None = None, shuffle: int = 0
) -> tuple[float, list[tuple[str, str, float]]]:
    """Pooled macro-F1 over held-out folds of train+dev; (label, decision, margin) of each."""
    data = rows("train") + rows("dev")
    out: list[tuple[str, str, float]] = []
    for held_idx in folds_of(data, group, 5, shuffle):
        held_set = set(held_idx)
        fit = [r for i, r in enumerate(data) if i not in held_set]
        held = [data[i] for i in held_idx]
        out += [(r["label"], s, m) for r, (s, m) in zip(held, method(fit, held), strict=True)]
    return macro_f1([(a, b) for a, b, _ in out], classes), out


def flag_stats(results: Sequence[tuple[str, str, float]], margin: float) -> str:
    """Share of items an ``uncertain_margin`` flags, and the errors among them."""
    flagged = [(a, b) for a, b, m in results if m < margin]
    errors = sum(1 for a, b, _ in results if a != b)
    caught = sum(1 for a, b in flagged if a != b)
    return f"{len(flagged) / len(results):.0%} flagged, {caught}/{errors} errors"


#: the margins whose flags are printed for the method run alone (``--only NAME``)
MARGINS = (0.1, 0.2, 0.3, 0.4, 0.5)


def methods(settings: ClassifierSettings, labels: Sequence[str]) -> dict[str, Method]:
    def lin(chars: bool, words: bool, learner: str = "svm", priors: bool = False) -> Method:
        return linear_method(
            settings, labels, chars=chars, words=words, learner=learner, priors=priors
        )

    return {
        "shipped": shipped_method(settings, labels),
        "char-svm": lin(True, False),
        "word-svm": lin(False, True),
        "char+word-svm": lin(True, True),
        "char-svm+priors": lin(True, False, priors=True),
        "char+word-svm+priors": lin(True, True, priors=True),
        "char+word-lr+priors": lin(True, True, learner="lr", priors=True),
    }


def compare(
    settings: ClassifierSettings, labels: Sequence[str], only: Sequence[str], draws: int
) -> None:
    classes = [*labels, OUT]
    margin = settings.uncertain_margin
    print(
        f"{'method':<22}{'random':>8}{'outlet':>8}{'genre':>8}"
        f"   uncertain_margin {margin} on outlet folds   seconds",
        flush=True,
    )
    for name, method in methods(settings, labels).items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        random_cv = np.mean(
            [cross_validate(method, classes, shuffle=k)[0] for k in range(1, draws + 1)]
        )
        by_outlet, outlet_results = cross_validate(method, classes, group="outlet")
        by_genre, _ = cross_validate(method, classes, group="genre")
        took = time.perf_counter() - start
        flags = flag_stats(outlet_results, margin)
        print(
            f"{name:<22}{random_cv:>8.3f}{by_outlet:>8.3f}{by_genre:>8.3f}"
            f"   {flags:<36}{took:>7.0f}",
            flush=True,
        )
        if len(only) == 1:
            for m in MARGINS:
                print(f"  uncertain_margin {m}: {flag_stats(outlet_results, m)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="methods to run (default: all)")
    parser.add_argument("--draws", type=int, default=3, help="random CV draws (default 3)")
    args = parser.parse_args()
    sections = load_config().sections
    compare(sections.classifier, sections.keys, args.only, args.draws)


if __name__ == "__main__":
    main()
