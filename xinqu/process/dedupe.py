"""Three levels of duplicates, joined into groups with one representative each.

1. Same canonical URL: the store already keys articles by canonical URL
   (``xinqu.store.urls``), so one page is one article.
2. Same content after normalisation: equal ``content_key``.
3. Near-duplicates (a repost with a new headline, an added lead, a trimmed tail,
   traditional characters, slightly different numbers): MinHash-LSH over character
   shingles proposes pairs; a pair is kept when the Jaccard index or the
   containment of the shorter text reaches its threshold (estimated from the
   signatures, then checked exactly on the shingle sets when a verifier is given).

Editors' merges always join; an article an editor split off joins nothing
automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH

from xinqu.process.minhash import (
    NUM_PERM,
    Hashes,
    Signature,
    estimated_containment,
    estimated_jaccard,
)


@dataclass(frozen=True)
class DedupeParams:
    """Measured by ``python -m bench.dedupe`` on reposts of train+dev stories.

    3- and 4-character shingles tie there (F1 ≈ 0.99); 4 keeps fewer shingles per text.
    """

    shingle: int = 4
    lsh_threshold: float = 0.3
    jaccard: float = 0.5
    containment: float = 0.7
    min_shingles: int = 30


@dataclass
class Doc:
    """What dedupe needs of one article."""

    id: int
    key: str
    signature: Signature
    size: int
    detached: bool = False


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                ra, rb = rb, ra
            self.parent[ra] = rb

    def groups(self, ids: Iterable[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in ids:
            out.setdefault(self.find(i), []).append(i)
        return out


Verifier = Callable[[int, int], bool]
#: Signatures estimate the Jaccard index with noise; with an exact verifier they only
#: pre-filter, this much below the thresholds.
SLACK = 0.1
MAX_BUCKET = 200


def is_near_duplicate(a: Doc, b: Doc, params: DedupeParams, slack: float = 0.0) -> bool:
    jaccard = estimated_jaccard(a.signature, b.signature)
    if jaccard >= params.jaccard - slack:
        return True
    if min(a.size, b.size) < params.min_shingles:
        return False
    return estimated_containment(jaccard, a.size, b.size) >= params.containment - slack


def exact_near_duplicate(a: Hashes, b: Hashes, params: DedupeParams) -> bool:
    """The same test on the shingle sets themselves."""
    inter = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - inter
    if union and inter / union >= params.jaccard:
        return True
    small = min(a.size, b.size)
    return small >= params.min_shingles and inter / small >= params.containment


@lru_cache(maxsize=8)
def bands(threshold: float) -> tuple[int, int]:
    """Bands × rows for NUM_PERM, as datasketch's ``MinHashLSH`` chooses them."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r)


def _pairs_in_buckets(
    order: npt.NDArray[np.intp], starts: npt.NDArray[np.intp], sizes: npt.NDArray[np.intp]
) -> list[npt.NDArray[np.int64]]:
    """Codes (i * 2**32 + j, i < j) of the pairs inside every bucket, built with numpy."""
    out: list[npt.NDArray[np.int64]] = []
    for size in np.unique(sizes):
        first = starts[sizes == size]
        if size > MAX_BUCKET:
            for lo in first:
                members = np.sort(order[lo : lo + size]).astype(np.int64)
                out.append((members[:-1] << 32) | members[1:])
            continue
        members = np.sort(order[first[:, None] + np.arange(size)], axis=1).astype(np.int64)
        a, b = np.triu_indices(int(size), k=1)
        out.append(((members[:, a] << 32) | members[:, b]).ravel())
    return out


def candidate_pairs(signatures: npt.NDArray[np.uint32], threshold: float) -> npt.NDArray[np.int64]:
    """Index pairs (as ``i << 32 | j``, i < j) agreeing on at least one LSH band.

    The banding is datasketch's (same bands and rows for the threshold), done for
    all signatures at once with numpy: inserting and querying 100 000 sketches one
    by one through ``MinHashLSH`` costs about half a minute here, this seconds. A
    bucket holding more than ``MAX_BUCKET`` signatures (a template repeated
    everywhere) contributes only chains between neighbours, not all its pairs.
    """
    b, r = bands(threshold)
    n = signatures.shape[0]
    codes: list[npt.NDArray[np.int64]] = []
    sig = signatures.astype(np.uint64)
    with np.errstate(over="ignore"):
        for band in range(b):
            key = np.zeros(n, dtype=np.uint64)
            for col in range(band * r, band * r + r):
                key = key * np.uint64(0x100000001B3) + sig[:, col]
            order = np.argsort(key, kind="stable")
            sorted_keys = key[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            sizes = np.diff(np.r_[starts, n])
            multi = sizes > 1
            codes += _pairs_in_buckets(order, starts[multi], sizes[multi])
    if not codes:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(codes))


def near_duplicate_pairs(
    docs: Sequence[Doc], params: DedupeParams, verify: Verifier | None = None
) -> list[tuple[int, int]]:
    """Pairs of ids judged near-duplicates, among docs that are not detached.

    LSH banding proposes candidates; the signatures judge them (all at once), or,
    given ``verify``, pre-filter them for an exact check.
    """
    live = [d for d in docs if not d.detached]
    if len(live) < 2:
        return []
    signatures = np.stack([d.signature for d in live])
    sizes = np.array([d.size for d in live], dtype=np.float64)
    slack = SLACK if verify is not None else 0.0
    codes = candidate_pairs(signatures, params.lsh_threshold)
    out = []
    for lo in range(0, codes.size, 200_000):
        chunk = codes[lo : lo + 200_000]
        i, j = chunk >> 32, chunk & 0xFFFFFFFF
        jaccard = (signatures[i] == signatures[j]).mean(axis=1)
        small = np.minimum(sizes[i], sizes[j])
        contain = np.divide(
            jaccard * (sizes[i] + sizes[j]),
            (1.0 + jaccard) * small,
            out=np.zeros_like(jaccard),
            where=small > 0,
        )
        long_enough = small >= params.min_shingles
        keep = (jaccard >= params.jaccard - slack) | (
            long_enough & (contain >= params.containment - slack)
        )
        for a, b in zip(i[keep].tolist(), j[keep].tolist(), strict=True):
            if verify is None or verify(live[a].id, live[b].id):
                out.append((live[a].id, live[b].id))
    return out


def group(
    docs: Sequence[Doc],
    params: DedupeParams,
    *,
    merges: Iterable[tuple[int, int]] = (),
    representative: Callable[[list[int]], int],
    verify: Verifier | None = None,
) -> dict[int, int]:
    """Map every doc id to its group's representative id."""
    uf = UnionFind()
    first_by_key: dict[str, Doc] = {}
    distinct: list[Doc] = []
    for doc in docs:
        if doc.detached:
            continue
        seen = first_by_key.get(doc.key)
        if seen is None:
            first_by_key[doc.key] = doc
            distinct.append(doc)
        else:
            uf.union(seen.id, doc.id)
    for a, b in near_duplicate_pairs(distinct, params, verify):
        uf.union(a, b)
    known = {d.id for d in docs}
    for a, b in merges:
        if a in known and b in known:
            uf.union(a, b)
    result: dict[int, int] = {}
    for members in uf.groups(d.id for d in docs).values():
        rep = representative(members)
        for member in members:
            result[member] = rep
    return result


def pairs_from_groups(assignment: dict[Hashable, Hashable]) -> set[frozenset[Hashable]]:
    """All unordered pairs inside the groups of an assignment (for evaluation)."""
    members: dict[Hashable, list[Hashable]] = {}
    for item, rep in assignment.items():
        members.setdefault(rep, []).append(item)
    out: set[frozenset[Hashable]] = set()
    for group_members in members.values():
        for i, a in enumerate(group_members):
            for b in group_members[i + 1 :]:
                out.add(frozenset((a, b)))
    return out
