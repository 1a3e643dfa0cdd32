"""Sorting articles into the bulletin's sections (or out), with a reason.

The methods, chosen in ``sections.yaml`` (``classifier.method``) by measurement
(``python -m bench.classify_methods``: cross-validation by outlet and with each genre
held out):

- ``svm``: TF-IDF over character 1–3-grams (a vocabulary learnt from the labelled
  set), headline and body as two blocks, and a linear SVM whose decision values are
  calibrated (sigmoid, 3-fold) into probabilities, so that a margin between two
  sections means the same whatever the article. Trained and cached as ``model`` is;
  its reason names the n-grams that weighed most.

- ``model``: TF-IDF over hashed character 1–3-grams and a logistic regression,
  trained from the labelled set in the repository the first time it is needed and
  cached under the data folder, keyed by a hash of the data and the settings (never
  committed as a blob). Its reason names the n-grams that weighed most. The model
  reads the headline and the body as two blocks, each normalised, the headline
  taking ``title_share`` of the whole: an editor judges a story by what its
  headline says it is about, and that must not fade as the body grows longer than
  the training texts.
- ``rules``: the editor's weighted keywords; its reason names the keywords found.
- ``both``: the model's probabilities blended with the rules'.

An editor's ``title_priors`` lean an article towards a section when its (simplified)
title matches: ``title_prior_weight`` is added to that section's share before the
decision. Headlines state the substance even when a story opens with an anecdote.
An editor's ``out_titles`` patterns put an article out whatever the method says.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from xinqu import resources
from xinqu.config import ClassifierSettings
from xinqu.errors import ConfigError
from xinqu.process import features
from xinqu.process.normalize import normalize

log = logging.getLogger(__name__)

OUT = "out"
#: Bump when features, training or explanations change, so models and reasons are rebuilt.
MODEL_VERSION = "7"
REPO_DATA = resources.labelled_data()


@dataclass(frozen=True)
class Decision:
    """A section with its share, the reasons, and how close the next section came.

    ``margin`` is the chosen share minus the runner-up's; ``uncertain`` says the
    decision is one an editor should look at (``uncertain_margin``).
    """

    section: str
    score: float
    reason: str
    runner_up: str | None = None
    margin: float = 1.0
    uncertain: bool = False


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    label: str


def load_examples(path: Path, splits: Sequence[str] = ("train", "dev")) -> list[Example]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"classifier.training_data: {path} not found") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row.get("split", "train") in splits:
                out.append(Example(row["title"], row["text"], row["label"]))
        except (ValueError, KeyError) as exc:
            raise ConfigError(
                f"{path}:{n}: expected a JSON object with title, text, label ({exc})"
            ) from None
    return out


def _unit_rows(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """``x`` with every non-empty row scaled to unit length (in place)."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data**2, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data /= norms[rows]
    return x


class LinearModel:
    """TF-IDF + logistic regression over hashed character n-grams."""

    def __init__(self, settings: ClassifierSettings) -> None:
        self.settings = settings
        self.labels: list[str] = []
        self.idf: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    def _tfidf(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        assert self.idf is not None
        x = counts.copy()
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        return _unit_rows(x)

    def vectors(self, batch: features.Batch, n_docs: int) -> sparse.csr_matrix:
        """Unit rows: ``title_share`` of the headline's TF-IDF block, the rest the body's."""
        share = self.settings.title_share
        in_title = batch.in_title(batch.starts)
        title = self._tfidf(features.counts(batch, n_docs, in_title))
        body = self._tfidf(features.counts(batch, n_docs, ~in_title))
        return _unit_rows((share * title + (1.0 - share) * body).tocsr())

    def fit(self, examples: Sequence[Example]) -> LinearModel:
        from sklearn.linear_model import LogisticRegression

        s = self.settings
        streams = [features.reading(e.title, e.text, s.text_chars) for e in examples]
        batch = features.batch(streams, s.ngram_sizes)
        df = np.bincount(features.counts(batch, len(examples)).indices, minlength=features.DIM)
        self.idf = np.log((1 + len(examples)) / (1 + df)) + 1.0
        x = self.vectors(batch, len(examples))
        model = LogisticRegression(C=s.regularization, max_iter=5000, class_weight="balanced")
        used = np.unique(x.indices)
        model.fit(x[:, used], [e.label for e in examples])
        self.labels = [str(c) for c in model.classes_]
        self.coef = np.zeros((model.coef_.shape[0], features.DIM))
        self.coef[:, used] = model.coef_
        self.intercept = model.intercept_
        if self.coef.shape[0] == 1:  # two classes: sklearn keeps one row
            self.coef = np.vstack([-self.coef[0], self.coef[0]])
            self.intercept = np.array([-self.intercept[0], self.intercept[0]])
        return self

    def probabilities(
        self, batch: features.Batch, n_docs: int
    ) -> tuple[np.ndarray, sparse.csr_matrix]:
        assert self.coef is not None and self.intercept is not None
        x = self.vectors(batch, n_docs)
        logits = np.asarray(x @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True), x

    def explain(
        self, x: sparse.csr_matrix, batch: features.Batch, labels: Sequence[str], top: int = 5
    ) -> list[str]:
        """For each document, the n-grams that weighed most towards its label.

        A single character says little to an editor (“印”, “施”), so words of two or
        more characters are named first; single characters only fill what is left.
        """
        assert self.coef is not None
        n = x.shape[0]
        rows = np.repeat(np.arange(n), np.diff(x.indptr))
        label_rows = np.array([self.labels.index(label) for label in labels])
        weight = x.data * self.coef[label_rows[rows], x.indices]
        # small contributions never make a document's top few: drop them before sorting
        keep = weight > 0.05 * weight.max(initial=0.0)
        rows, cols, weight = rows[keep], x.indices[keep], weight[keep]
        # one argsort on "row + (1 - relative weight)" orders by row, heaviest first
        order = np.argsort(rows + (1.0 - weight / (weight.max(initial=0.0) + 1e-12)) * 0.999)
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, np.arange(n))
        rank = np.arange(rows.size) - first[rows]
        chosen = rank < 4 * top
        texts = batch.first_ngrams(rows[chosen], cols[chosen].astype(np.int64))
        words: list[list[str]] = [[] for _ in range(n)]
        chars: list[list[str]] = [[] for _ in range(n)]
        for row, text in zip(rows[chosen].tolist(), texts, strict=True):
            if not text or not text.strip("0"):  # digits read as 0: a number says nothing
                continue
            if len(text) == 1:
                if text not in chars[row]:
                    chars[row].append(text)
            elif not any(text in w for w in words[row]):
                # a longer n-gram takes the place of the shorter ones it contains
                words[row] = [w for w in words[row] if w not in text] + [text]
        shown = [(w + c)[:top] for w, c in zip(words, chars, strict=True)]
        return ["、".join(f"“{t}”" for t in names) for names in shown]


class SvmModel:
    """Character 1–3-gram TF-IDF of the headline and of the body, a calibrated linear SVM."""

    def __init__(self, settings: ClassifierSettings) -> None:
        self.settings = settings
        self.labels: list[str] = []
        self.vectorizers: tuple[Any, Any] | None = None
        self.model: Any = None
        self.coef: np.ndarray | None = None
        self.names: list[str] = []

    def _texts(self, items: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
        n = self.settings.text_chars
        return (
            [features.plain(t) for t, _ in items],
            [features.plain(x[: n * 2])[:n] for _, x in items],
        )

    def vectors(self, items: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
        """Unit rows: ``title_share`` of the headline's TF-IDF block, the rest the body's."""
        assert self.vectorizers is not None
        share = self.settings.title_share
        titles, bodies = self._texts(items)
        vt, vb = self.vectorizers
        x = sparse.hstack([share * vt.transform(titles), (1 - share) * vb.transform(bodies)])
        return _unit_rows(x.tocsr())

    def fit(self, examples: Sequence[Example]) -> SvmModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        titles, bodies = self._texts([(e.title, e.text) for e in examples])
        vt, vb = (
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
            for _ in range(2)
        )
        vt.fit(titles)
        vb.fit(bodies)
        self.vectorizers = (vt, vb)
        self.names = [*vt.get_feature_names_out(), *vb.get_feature_names_out()]
        x = self.vectors([(e.title, e.text) for e in examples])
        svm = LinearSVC(C=self.settings.regularization, class_weight="balanced")
        self.model = CalibratedClassifierCV(svm, cv=3, method="sigmoid")
        self.model.fit(x, [e.label for e in examples])
        self.labels = [str(c) for c in self.model.classes_]
        # what the explanation weighs: the folds' SVMs, averaged (one row per label)
        coefs = [c.estimator.coef_ for c in self.model.calibrated_classifiers_]
        self.coef = np.mean(coefs, axis=0)
        if self.coef.shape[0] == 1:  # two classes: one row
            self.coef = np.vstack([-self.coef[0], self.coef[0]])
        return self

    def probabilities(
        self, items: Sequence[tuple[str, str]]
    ) -> tuple[np.ndarray, sparse.csr_matrix]:
        x = self.vectors(items)
        return np.asarray(self.model.predict_proba(x)), x

    def explain(self, x: sparse.csr_matrix, labels: Sequence[str], top: int = 5) -> list[str]:
        """For each document, the n-grams that weighed most towards its label; words of
        two or more characters first, as ``LinearModel.explain`` names them."""
        assert self.coef is not None
        out = []
        for i, label in enumerate(labels):
            start, end = x.indptr[i], x.indptr[i + 1]
            cols = x.indices[start:end]
            weight = x.data[start:end] * self.coef[self.labels.index(label), cols]
            order = np.argsort(-weight)
            words: list[str] = []
            chars: list[str] = []
            for k in order[: 4 * top]:
                if weight[k] <= 0:
                    break
                text = self.names[int(cols[k])].strip()
                if not text or text.isdigit():
                    continue
                if len(text) == 1:
                    if text not in chars:
                        chars.append(text)
                elif not any(text in w for w in words):
                    words = [w for w in words if w not in text] + [text]
            out.append("、".join(f"“{t}”" for t in (words + chars)[:top]))
        return out


Model = LinearModel | SvmModel


class Rules:
    """Weighted keywords per section (and ``out``), counted in what the classifier reads.

    A keyword in the title counts ``title_weight`` times; a keyword counts at most
    ``CAP`` times in all.
    """

    CAP = 5.0

    def __init__(self, settings: ClassifierSettings, labels: Sequence[str]) -> None:
        words = sorted({w for ws in settings.keywords.values() for w in ws})
        self.words = words
        self.title_weight = float(settings.title_weight)
        self.patterns = [features.fold(w) for w in words]
        self.weights = np.zeros((len(words), len(labels)))
        for j, label in enumerate(labels):
            for word, weight in settings.keywords.get(label, {}).items():
                self.weights[words.index(word), j] = weight

    def scores(self, batch: features.Batch, n_docs: int) -> tuple[np.ndarray, sparse.csr_matrix]:
        found = features.occurrences(batch, self.patterns, n_docs, self.title_weight)
        found.data = np.minimum(found.data, self.CAP)
        return np.asarray(found @ self.weights), found

    def found(self, counts: sparse.csr_matrix, row: int, label: int) -> list[str]:
        start, end = counts.indptr[row], counts.indptr[row + 1]
        return [self.words[k] for k in counts.indices[start:end] if self.weights[k, label] > 0]


class Classifier:
    """Decides the section of many articles at once."""

    def __init__(
        self, settings: ClassifierSettings, labels: Sequence[str], model: Model | None
    ) -> None:
        self.settings = settings
        self.labels = [*labels, OUT] if OUT not in labels else list(labels)
        self.model = model
        self.rules = Rules(settings, self.labels)
        self.out_titles = [re.compile(p) for p in settings.out_titles]
        self.title_priors = [
            (self.labels.index(key), re.compile(p))
            for key, patterns in settings.title_priors.items()
            for p in patterns
        ]

    def lean(self, p: np.ndarray, titles: Sequence[str]) -> list[list[str]]:
        """Adds the title priors to ``p`` in place; for each title, the priors that matched."""
        matched: list[list[str]] = [[] for _ in titles]
        if not self.title_priors or self.settings.title_prior_weight <= 0:
            return matched
        for i, title in enumerate(titles):
            folded = normalize(features.clean(title))
            hits = {j: pat.pattern for j, pat in self.title_priors if pat.search(folded)}
            for j, pattern in hits.items():
                p[i, j] += self.settings.title_prior_weight
                matched[i].append(f"{self.labels[j]} {pattern!r}")
            if hits:
                p[i] /= p[i].sum()
        return matched

    def forced_out(self, title: str) -> str | None:
        """The ``out_titles`` pattern the (folded) title matches, if any."""
        plain = normalize(features.clean(title))
        return next((pat.pattern for pat in self.out_titles if pat.search(plain)), None)

    @property
    def version(self) -> str:
        """Changes whenever a decision could change: settings, data, code."""
        digest = hashlib.sha1(self.settings.model_dump_json().encode())
        digest.update(MODEL_VERSION.encode())
        if self.model is not None and self.model.coef is not None:
            digest.update(self.model.coef.tobytes())
        return digest.hexdigest()[:12]

    def classify(self, items: Sequence[tuple[str, str]]) -> list[Decision]:
        s = self.settings
        n = len(items)
        if not n:
            return []
        streams = [features.reading(t, x, s.text_chars) for t, x in items]
        batch = features.batch(streams, s.ngram_sizes)
        p = np.zeros((n, len(self.labels)))
        if s.method in ("model", "both", "svm"):
            if self.model is None:
                raise ConfigError("sections.yaml: classifier.method needs a trained model")
            if isinstance(self.model, SvmModel):
                model_p, x = self.model.probabilities(items)
            else:
                model_p, x = self.model.probabilities(batch, n)
            p = model_p[:, [self.model.labels.index(label) for label in self.labels]]
        found = None
        if s.method in ("rules", "both"):
            raw, found = self.rules.scores(batch, n)
            total = raw.sum(axis=1, keepdims=True)
            rule_p = np.where(total > 0, raw / np.where(total > 0, total, 1), 0.0)
            rule_p[total[:, 0] <= 0, self.labels.index(OUT)] = 1.0
            p = (
                rule_p
                if s.method == "rules"
                else (1 - s.rules_weight) * p + s.rules_weight * rule_p
            )
        leaned = self.lean(p, [t for t, _ in items])
        best = p.argmax(axis=1)
        chosen = [self.labels[i] for i in best]
        if self.model is None or s.method == "rules":
            ngrams = [""] * n
        elif isinstance(self.model, SvmModel):
            ngrams = self.model.explain(x, chosen)
        else:
            ngrams = self.model.explain(x, batch, chosen)
        order = np.argsort(-p, axis=1)
        decisions = []
        for i, (title, _) in enumerate(items):
            forced = self.forced_out(title)
            if forced is not None:
                decisions.append(Decision(OUT, 1.0, f"title matches out_titles {forced!r}"))
                continue
            label, score = chosen[i], float(p[i, best[i]])
            second = int(order[i, 1]) if p.shape[1] > 1 else int(best[i])
            runner_up, margin = self.labels[second], score - float(p[i, second])
            why = []
            if ngrams[i]:
                why.append("n-grams " + ngrams[i])
            if found is not None and (words := self.rules.found(found, i, int(best[i]))):
                why.append("keywords " + "、".join(words))
            if leaned[i]:
                why.append("title prior " + "、".join(leaned[i]))
            weak = label != OUT and score < s.min_confidence
            if weak:
                why.insert(0, f"{label} {score:.2f} < min_confidence {s.min_confidence}")
                runner_up, margin, label = label, 0.0, OUT
            uncertain = weak or margin < s.uncertain_margin
            if uncertain and not weak:
                rival = f"{runner_up} {score - margin:.2f}"
                why.append(f"uncertain: {label} {score:.2f} against {rival}")
            decisions.append(
                Decision(
                    label, score, "; ".join(why) or "no evidence", runner_up, margin, uncertain
                )
            )
        return decisions


def train(settings: ClassifierSettings, examples: Sequence[Example]) -> Model:
    """The model ``settings.method`` reads: the calibrated SVM or the logistic regression."""
    if settings.method == "svm":
        return SvmModel(settings).fit(examples)
    return LinearModel(settings).fit(examples)


def training_path(settings: ClassifierSettings, config_dir: Path | None) -> Path:
    if settings.training_data is None:
        return REPO_DATA
    path = settings.training_data
    return path if path.is_absolute() or config_dir is None else config_dir / path


def build_classifier(
    settings: ClassifierSettings,
    labels: Sequence[str],
    *,
    config_dir: Path | None = None,
    cache_dir: Path | None = None,
    splits: Sequence[str] = ("train", "dev"),
) -> Classifier:
    """The classifier, with its model trained from the data (or read from the cache)."""
    if settings.method == "rules":
        return Classifier(settings, labels, None)
    path = training_path(settings, config_dir)
    data = path.read_bytes() if path.exists() else b""
    key = hashlib.sha256(
        data
        + settings.model_dump_json().encode()
        + MODEL_VERSION.encode()
        + ",".join(splits).encode()
    ).hexdigest()[:16]
    cached = cache_dir / f"classifier-{key}.pkl" if cache_dir is not None else None
    if cached is not None and cached.exists():
        try:
            with cached.open("rb") as fh:
                model = pickle.load(fh)
            return Classifier(settings, labels, model)
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            log.warning("ignoring unreadable model cache %s", cached)
    examples = load_examples(path, splits)
    if not examples:
        raise ConfigError(f"classifier.training_data: {path} has no examples in {list(splits)}")
    model = train(settings, examples)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(cached)
        log.info("trained the section classifier from %s (%d examples)", path, len(examples))
    return Classifier(settings, labels, model)
