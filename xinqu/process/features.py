"""Hashed character n-grams of many texts at once, as a sparse count matrix.

The classifier reads a text's title and the start of its body, folded as dedupe
folds them (simplified characters, half-width forms, no punctuation, digits as
``0``). N-grams never cross the boundary between title and body or between
documents, and each one knows whether it came from the title, so the model can
weigh the headline as a block of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from xinqu.process.normalize import Codes, codes, letters, normalize

DIM = 1 << 20
NGRAMS = (1, 2, 3)
_SEP = np.uint32(0)
_P = np.uint64(0x10001)
_MIX = np.uint64(0x9E3779B97F4A7C15)


#: The areas' names say where, not what: the classifier judges substance, so it
#: reads every name as plain 新区.
AREA_NAMES = re.compile(
    "(?:浦东|滨海|两江|舟山群岛|舟山|兰州|南沙|西咸|贵安|西海岸|金普|天府|湘江|江北|福州|滇中|"
    "哈尔滨|长春|赣江|雄安|浦東|濱海|兩江|蘭州|貴安|湘江|贛江|長春|滇中)(?:新区|新區)?"
)


#: Pinyin a copying site left after characters (`新區(qū)`, `會(huì)`): copy junk, not text.
ANNOTATION = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]{1,12}[)）]")


def clean(text: str) -> str:
    """The text without pinyin annotations."""
    return ANNOTATION.sub("", text)


def plain(text: str) -> str:
    """A text as the SVM's vectorizers read it: pinyin junk dropped, folded as dedupe
    folds (simplified, half width, no punctuation), area names as plain 新区."""
    return normalize(AREA_NAMES.sub("新区", clean(text)))


def fold(text: str) -> Codes:
    """A text as the classifier reads it: folded letters, area names as 新区, digits as 0."""
    out = letters(codes(AREA_NAMES.sub("新区", clean(text))))
    out[(out >= 0x30) & (out <= 0x39)] = 0x30
    return out


def reading(title: str, text: str, text_chars: int) -> Codes:
    """The code points the classifier reads: the title, 0, the start of the body."""
    body = fold(text[: text_chars * 2])[:text_chars]
    return np.concatenate([fold(title), np.array([_SEP], dtype=np.uint32), body])


Ids = npt.NDArray[np.int64]


def ngram_ids(stream: Codes, sizes: Sequence[int] = NGRAMS) -> tuple[Ids, Ids, Ids]:
    """(start position, length, bucket) of every n-gram of a 0-separated stream."""
    values = stream.astype(np.uint64)
    is_sep = stream == _SEP
    starts: list[Ids] = []
    lengths: list[Ids] = []
    buckets: list[Ids] = []
    with np.errstate(over="ignore"):
        for n in sizes:
            m = values.size - n + 1
            if m <= 0:
                continue
            h = np.full(m, np.uint64(n), dtype=np.uint64)
            bad = np.zeros(m, dtype=bool)
            for j in range(n):
                h = h * _P + values[j : j + m]
                bad |= is_sep[j : j + m]
            h *= _MIX
            keep = np.flatnonzero(~bad)
            starts.append(keep)
            lengths.append(np.full(keep.size, n, dtype=np.int64))
            buckets.append(((h[keep] >> np.uint64(40)) % np.uint64(DIM)).astype(np.int64))
    if not starts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(starts), np.concatenate(lengths), np.concatenate(buckets)


@dataclass(frozen=True)
class Batch:
    """The streams of many documents joined by 0, and where each n-gram came from.

    Each stream is a title, 0, a body (``reading``); ``title_end`` is, for each
    document, the position in ``joined`` where its title ends.
    """

    joined: Codes
    doc_of: Ids
    starts: Ids
    lengths: Ids
    buckets: Ids
    title_end: Ids

    def in_title(self, positions: Ids) -> npt.NDArray[np.bool_]:
        """Whether each position of ``joined`` lies in its document's title."""
        return positions < self.title_end[self.doc_of[positions]]

    def first_ngrams(self, docs: Ids, buckets: Ids) -> list[str | None]:
        """For each (doc, bucket), the text of the doc's first n-gram in that bucket."""
        wanted = docs * DIM + buckets
        targets = np.unique(wanted)
        out: list[str | None] = [None] * wanted.size
        if targets.size == 0:
            return out
        keys = self.doc_of[self.starts] * DIM + self.buckets
        at = np.minimum(np.searchsorted(targets, keys), targets.size - 1)
        hit = np.flatnonzero(targets[at] == keys)
        found, first = np.unique(keys[hit], return_index=True)
        where = dict(zip(found.tolist(), hit[first].tolist(), strict=True))
        for k, want in enumerate(wanted.tolist()):
            i = where.get(want)
            if i is not None:
                start, n = int(self.starts[i]), int(self.lengths[i])
                out[k] = self.joined[start : start + n].tobytes().decode("utf-32-le")
        return out


def batch(streams: Sequence[Codes], sizes: Sequence[int] = NGRAMS) -> Batch:
    sep = np.array([_SEP], dtype=np.uint32)
    if not streams:
        empty = np.zeros(0, dtype=np.int64)
        return Batch(np.zeros(0, dtype=np.uint32), empty, empty, empty, empty, empty)
    joined = np.concatenate([part for s in streams for part in (s, sep)])
    lengths = np.array([s.size + 1 for s in streams])
    doc_of = np.repeat(np.arange(len(streams)), lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    separators = np.flatnonzero(joined == _SEP)
    title_end = separators[np.searchsorted(separators, offsets)]
    starts, ngram_lengths, buckets = ngram_ids(joined, sizes)
    return Batch(joined, doc_of, starts, ngram_lengths, buckets, title_end)


def matrix(streams: Sequence[Codes], sizes: Sequence[int] = NGRAMS) -> sparse.csr_matrix:
    """Count matrix (documents × DIM) of the streams' n-grams."""
    return counts(batch(streams, sizes), len(streams))


def counts(b: Batch, n_docs: int, keep: npt.NDArray[np.bool_] | None = None) -> sparse.csr_matrix:
    """Documents × DIM counts, built from one sort of (document, bucket) keys.

    ``keep``: count only the n-grams where it is true (one per n-gram of the batch,
    e.g. ``b.in_title(b.starts)`` for the titles).
    """
    starts, buckets = b.starts, b.buckets
    if keep is not None:
        starts, buckets = starts[keep], buckets[keep]
    keys, n = np.unique(b.doc_of[starts] * DIM + buckets, return_counts=True)
    docs, cols = np.divmod(keys, DIM)
    indptr = np.searchsorted(docs, np.arange(n_docs + 1))
    return sparse.csr_matrix((n.astype(np.float64), cols, indptr), shape=(n_docs, DIM))


def occurrences(
    b: Batch, patterns: Sequence[Codes], n_docs: int, title_weight: float = 1.0
) -> sparse.csr_matrix:
    """Count matrix (documents × patterns) of exact pattern occurrences in the streams.

    An occurrence in a title counts ``title_weight`` times.
    """
    values = b.joined.astype(np.uint64)
    is_sep = b.joined == _SEP
    rows: list[Ids] = []
    cols: list[Ids] = []
    weights: list[npt.NDArray[np.float64]] = []
    by_length: dict[int, list[int]] = {}
    for k, pattern in enumerate(patterns):
        if pattern.size:
            by_length.setdefault(int(pattern.size), []).append(k)
    with np.errstate(over="ignore"):
        for n, ks in by_length.items():
            m = values.size - n + 1
            if m <= 0:
                continue
            h = np.zeros(m, dtype=np.uint64)
            bad = np.zeros(m, dtype=bool)
            for j in range(n):
                h = h * _P + values[j : j + m]
                bad |= is_sep[j : j + m]
            wanted = np.zeros(len(ks), dtype=np.uint64)
            for i, k in enumerate(ks):
                for c in patterns[k].astype(np.uint64):
                    wanted[i] = wanted[i] * _P + c
            hit = np.flatnonzero(np.isin(h, wanted) & ~bad)
            which = np.searchsorted(np.sort(wanted), h[hit])
            order = np.argsort(wanted)
            rows.append(b.doc_of[hit])
            cols.append(np.asarray(ks)[order[which]])
            weights.append(np.where(b.in_title(hit), title_weight, 1.0))
    if not rows:
        return sparse.csr_matrix((n_docs, len(patterns)))
    r, c, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)
    return sparse.coo_matrix((w, (r, c)), shape=(n_docs, len(patterns))).tocsr()
