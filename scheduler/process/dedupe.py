"""Three levels of duplicates, joined into groups with one representative each.

1. Same canonical URL: the store already keys articles by canonical URL
   (``scheduler.store.urls``), so one page is one article.
2. Same content after normalisation: equal ``content_key``.
3. Near-duplicates (a repost with a new headline, an added lead, a trimmed tail,
   traditional characters, slightly different numbers): MinHash-LSH over character
   shingles proposes pairs; a pair is kept when the estimated Jaccard index or the
   estimated containment of the shorter text reaches its threshold.

Editors' merges always join; an article an editor split off joins nothing
automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH
from datasketch.lean_minhash import LeanMinHash

from scheduler.process.minhash import (
    NUM_PERM,
    Signature,
    estimated_containment,
    estimated_jaccard,
)


@dataclass(frozen=True)
class DedupeParams:
    """Chosen by ``python -m bench.dedupe`` on train+dev stories (F1 0.997 there)."""

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


def is_near_duplicate(a: Doc, b: Doc, params: DedupeParams) -> bool:
    jaccard = estimated_jaccard(a.signature, b.signature)
    if jaccard >= params.jaccard:
        return True
    if min(a.size, b.size) < params.min_shingles:
        return False
    return estimated_containment(jaccard, a.size, b.size) >= params.containment


def _bands(threshold: float) -> tuple[int, int]:
    """Bands × rows for NUM_PERM, chosen as datasketch does for the threshold."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def near_duplicate_pairs(docs: Sequence[Doc], params: DedupeParams) -> list[tuple[int, int]]:
    """Pairs of ids judged near-duplicates, among docs that are not detached.

    LSH banding via datasketch's ``MinHashLSH``; candidates are verified on the
    signatures (no second pass over the texts).
    """
    live = [d for d in docs if not d.detached]
    if len(live) < 2:
        return []
    lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=NUM_PERM)
    by_id = {d.id: d for d in live}
    pairs: list[tuple[int, int]] = []
    for doc in live:
        sketch = LeanMinHash(seed=1, hashvalues=doc.signature.astype(np.uint64), scheme="legacy")
        for other in lsh.query(sketch):
            if is_near_duplicate(doc, by_id[other], params):
                pairs.append((other, doc.id))
        lsh.insert(doc.id, sketch, check_duplication=False)
    return pairs


def group(
    docs: Sequence[Doc],
    params: DedupeParams,
    *,
    merges: Iterable[tuple[int, int]] = (),
    representative: Callable[[list[int]], int],
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
    for a, b in near_duplicate_pairs(distinct, params):
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
