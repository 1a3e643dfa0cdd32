"""Other ways to sort articles into sections, measured as the shipped one is.

    python -m bench.classify_methods

Each method is scored by the three cross-validations of ``bench.classify`` on
train+dev — random folds (three draws), folds that never split an outlet, and each
genre of docs/labels.md held out in turn — so a method that only learns one
collection's outlets or genres shows it. The methods:

- ``shipped``: the settings in config/sections.yaml (hashed character 1–3-grams,
  logistic regression, title priors, out_titles);
- ``char-svm``: character 1–3-gram TF-IDF (headline and body as two blocks) with a
  linear SVM, the method measured ≈0.04 better on news from outside the set;
- ``word-svm``: word 1–2-grams from jieba with a linear SVM;
- ``char+word-svm``: both blocks side by side.

The choice goes into config/sections.yaml by hand, with these figures beside it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import jieba
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as unit_rows
from sklearn.svm import LinearSVC

from bench.classify import FitPredict, cross_validate_with, shipped_method
from xinqu.config import ClassifierSettings, load_config
from xinqu.process.classify import OUT
from xinqu.process.normalize import normalize

jieba.setLogLevel(logging.WARNING)

Rows = Sequence[dict[str, str]]


def _words(text: str, cache: dict[str, str]) -> str:
    if text not in cache:
        cache[text] = " ".join(w for w in jieba.lcut(text) if w.strip())
    return cache[text]


def svm_method(
    *, chars: bool, words: bool, title_share: float, c: float, text_chars: int
) -> FitPredict:
    """TF-IDF blocks (headline, body) of characters and/or jieba words, linear SVM."""
    cache: dict[str, str] = {}

    def readings(rows: Rows) -> list[tuple[str, list[str], list[str]]]:
        titles = [normalize(r["title"]) for r in rows]
        bodies = [normalize(r["text"][: text_chars * 2])[:text_chars] for r in rows]
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

    def fit_predict(fit: Rows, held: Rows) -> list[str]:
        train_blocks, held_blocks = [], []
        for (kind, t_fit, b_fit), (_, t_held, b_held) in zip(
            readings(fit), readings(held), strict=True
        ):
            vt, vb = vectorizer(kind), vectorizer(kind)
            share = title_share
            fitted = [share * vt.fit_transform(t_fit), (1 - share) * vb.fit_transform(b_fit)]
            train_blocks.append(sparse.hstack(fitted))
            held_blocks.append(
                sparse.hstack([share * vt.transform(t_held), (1 - share) * vb.transform(b_held)])
            )
        x_fit = unit_rows(sparse.hstack(train_blocks).tocsr())
        x_held = unit_rows(sparse.hstack(held_blocks).tocsr())
        model = LinearSVC(C=c, class_weight="balanced")
        model.fit(x_fit, [r["label"] for r in fit])
        return [str(p) for p in model.predict(x_held)]

    return fit_predict


def compare(settings: ClassifierSettings, labels: Sequence[str]) -> None:
    classes = [*labels, OUT]
    share, chars = settings.title_share, settings.text_chars

    def svm(*, with_chars: bool, with_words: bool) -> FitPredict:
        return svm_method(
            chars=with_chars, words=with_words, title_share=share, c=1.0, text_chars=chars
        )

    methods: dict[str, FitPredict] = {
        "shipped": shipped_method(settings, labels),
        "char-svm": svm(with_chars=True, with_words=False),
        "word-svm": svm(with_chars=False, with_words=True),
        "char+word-svm": svm(with_chars=True, with_words=True),
    }
    print(f"{'method':<15}{'random':>8}{'outlet':>8}{'genre':>8}   seconds")
    for name, fit_predict in methods.items():
        start = time.perf_counter()
        random_cv = np.mean(
            [cross_validate_with(fit_predict, classes, shuffle=k)[0] for k in (1, 2, 3)]
        )
        by_outlet = cross_validate_with(fit_predict, classes, group="outlet")[0]
        by_genre = cross_validate_with(fit_predict, classes, group="genre")[0]
        took = time.perf_counter() - start
        print(f"{name:<15}{random_cv:>8.3f}{by_outlet:>8.3f}{by_genre:>8.3f}   {took:>7.0f}")


def main() -> None:
    sections = load_config().sections
    compare(sections.classifier, sections.keys)


if __name__ == "__main__":
    main()
