"""Sorting articles into the bulletin's sections (or out), with a reason.

Two methods, chosen in ``sections.yaml`` (``classifier.method``) by measurement
(``python -m bench.classify``):

- ``model``: TF-IDF over hashed character 1–3-grams and a logistic regression,
  trained from the labelled set in the repository the first time it is needed and
  cached under the data folder, keyed by a hash of the data and the settings (never
  committed as a blob). Its reason names the n-grams that weighed most.
- ``rules``: the editor's weighted keywords; its reason names the keywords found.
- ``both``: the model's probabilities blended with the rules'.

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

import numpy as np
from scipy import sparse

from scheduler.config import ClassifierSettings
from scheduler.errors import ConfigError
from scheduler.process import features
from scheduler.process.normalize import normalize

log = logging.getLogger(__name__)

OUT = "out"
#: Bump when features or training change meaning, so cached models are rebuilt.
MODEL_VERSION = "1"
REPO_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "classify" / "labelled.jsonl"


@dataclass(frozen=True)
class Decision:
    section: str
    score: float
    reason: str


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


class LinearModel:
    """TF-IDF + logistic regression over hashed character n-grams."""

    def __init__(self, settings: ClassifierSettings) -> None:
        self.settings = settings
        self.labels: list[str] = []
        self.idf: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    def _streams(self, items: Sequence[tuple[str, str]]) -> list[features.Codes]:
        s = self.settings
        return [features.reading(t, x, s.title_weight, s.text_chars) for t, x in items]

    def _tfidf(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        assert self.idf is not None
        x = counts.copy()
        x.data = 1.0 + np.log(x.data)
        x = x.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ x

    def fit(self, examples: Sequence[Example]) -> LinearModel:
        from sklearn.linear_model import LogisticRegression

        counts = features.matrix(self._streams([(e.title, e.text) for e in examples]))
        df = np.bincount(counts.indices, minlength=features.DIM)
        self.idf = np.log((1 + len(examples)) / (1 + df)) + 1.0
        model = LogisticRegression(
            C=self.settings.regularization, max_iter=5000, class_weight="balanced"
        )
        used = np.unique(counts.indices)
        model.fit(self._tfidf(counts)[:, used], [e.label for e in examples])
        self.labels = [str(c) for c in model.classes_]
        self.coef = np.zeros((model.coef_.shape[0], features.DIM))
        self.coef[:, used] = model.coef_
        self.intercept = model.intercept_
        if self.coef.shape[0] == 1:  # two classes: sklearn keeps one row
            self.coef = np.vstack([-self.coef[0], self.coef[0]])
            self.intercept = np.array([-self.intercept[0], self.intercept[0]])
        return self

    def probabilities(
        self, items: Sequence[tuple[str, str]]
    ) -> tuple[np.ndarray, sparse.csr_matrix, list[features.Codes]]:
        assert self.coef is not None and self.intercept is not None
        streams = self._streams(items)
        x = self._tfidf(features.matrix(streams))
        logits = np.asarray(x @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True), x, streams

    def explain(self, x_row: sparse.csr_matrix, stream: features.Codes, label: str) -> str:
        assert self.coef is not None
        weights = self.coef[self.labels.index(label)][x_row.indices] * x_row.data
        order = np.argsort(-weights)[:5]
        shown = []
        for i in order:
            if weights[i] <= 0:
                break
            text = features.ngram_text(stream, int(x_row.indices[i]))
            if text and text not in shown:
                shown.append(text)
        return "、".join(f"“{t}”" for t in shown)


class Rules:
    """Weighted keywords per section (and ``out``), counted in title and text."""

    def __init__(self, settings: ClassifierSettings, labels: Sequence[str]) -> None:
        self.settings = settings
        self.labels = list(labels)
        self.weights = {
            label: {normalize(k): w for k, w in settings.keywords.get(label, {}).items()}
            for label in self.labels
        }
        words = sorted({k for ws in self.weights.values() for k in ws}, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def scores(self, title: str, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        scores = dict.fromkeys(self.labels, 0.0)
        found: dict[str, list[str]] = {label: [] for label in self.labels}
        if self.pattern is None:
            return scores, found
        body = normalize(text[: self.settings.text_chars * 2])[: self.settings.text_chars]
        head = normalize(title)
        counts: dict[str, float] = {}
        for word in self.pattern.findall(head):
            counts[word] = counts.get(word, 0.0) + self.settings.title_weight
        for word in self.pattern.findall(body):
            counts[word] = min(counts.get(word, 0.0) + 1.0, 3.0 + self.settings.title_weight)
        for word, n in counts.items():
            for label in self.labels:
                weight = self.weights[label].get(word)
                if weight:
                    scores[label] += weight * n
                    found[label].append(word)
        return scores, found


class Classifier:
    """Decides the section of many articles at once."""

    def __init__(
        self, settings: ClassifierSettings, labels: Sequence[str], model: LinearModel | None
    ):
        self.settings = settings
        self.labels = [*labels, OUT] if OUT not in labels else list(labels)
        self.model = model
        self.rules = Rules(settings, self.labels)
        self.out_titles = [re.compile(p) for p in settings.out_titles]

    @property
    def version(self) -> str:
        """Changes whenever a decision could change: settings, data, code."""
        digest = hashlib.sha1(self.settings.model_dump_json().encode())
        digest.update(MODEL_VERSION.encode())
        if self.model is not None and self.model.coef is not None:
            digest.update(self.model.coef.tobytes())
        return digest.hexdigest()[:12]

    def _rule_probabilities(self, title: str, text: str) -> tuple[np.ndarray, dict[str, list[str]]]:
        scores, found = self.rules.scores(title, text)
        values = np.array([scores[label] for label in self.labels])
        if values.sum() <= 0:
            values = np.array([1.0 if label == OUT else 0.0 for label in self.labels])
        return values / values.sum(), found

    def classify(self, items: Sequence[tuple[str, str]]) -> list[Decision]:
        s = self.settings
        if not items:
            return []
        use_model = s.method in ("model", "both")
        if use_model:
            if self.model is None:
                raise ConfigError("sections.yaml: classifier.method needs a trained model")
            model_p, x, streams = self.model.probabilities(items)
            order = [self.model.labels.index(label) for label in self.labels]
            model_p = model_p[:, order]
        decisions = []
        for i, (title, text) in enumerate(items):
            forced = next((p.pattern for p in self.out_titles if p.search(title)), None)
            if forced is not None:
                decisions.append(Decision(OUT, 1.0, f"title matches out_titles {forced!r}"))
                continue
            found: dict[str, list[str]] = {}
            if s.method == "model":
                p = model_p[i]
            else:
                rule_p, found = self._rule_probabilities(title, text)
                p = (
                    rule_p
                    if s.method == "rules"
                    else ((1 - s.rules_weight) * model_p[i] + s.rules_weight * rule_p)
                )
            best = int(np.argmax(p))
            label, score = self.labels[best], float(p[best])
            why = []
            if use_model:
                assert self.model is not None
                why.append("n-grams " + (self.model.explain(x[i], streams[i], label) or "—"))
            if found.get(label):
                why.append("keywords " + "、".join(dict.fromkeys(found[label])))
            if label != OUT and score < s.min_confidence:
                why.insert(0, f"{label} {score:.2f} < min_confidence {s.min_confidence}")
                label = OUT
            decisions.append(Decision(label, score, "; ".join(why)))
        return decisions


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
    model = LinearModel(settings).fit(examples)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(cached)
        log.info("trained the section classifier from %s (%d examples)", path, len(examples))
    return Classifier(settings, labels, model)
