"""Character shingles and MinHash signatures, vectorised with numpy.

A signature is a one-permutation MinHash (``NUM_PERM`` bins) of the hashed
k-character shingles of a text's letters. Digits are folded to ``0`` first,
so reports whose numbers differ slightly still share their shingles.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from xinqu.process.normalize import Codes

Hashes = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]

NUM_PERM = 64
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BASE = np.uint64(0x100000001B3)
_BIN_BITS = 6
_ALL_BINS = np.arange(NUM_PERM, dtype=np.uint64)
_LOW32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint64(0xFFFFFFFF)
_OFFSET = np.uint64(0x9E3779B1)


def shingle_hashes(content: Codes, k: int) -> Hashes:
    """Distinct 64-bit hashes of the k-character shingles (the whole text if shorter)."""
    folded = content.astype(np.uint64)
    folded[(content >= 0x30) & (content <= 0x39)] = ord("0")
    n = folded.size - k + 1
    if n <= 0:
        if folded.size == 0:
            return np.zeros(0, dtype=np.uint64)
        n, k = 1, folded.size
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h * _BASE + folded[j : j + n]
        h ^= h >> np.uint64(31)
        h *= _MIX1
        h ^= h >> np.uint64(29)
        h *= _MIX2
        h ^= h >> np.uint64(32)
    h.sort()
    return h[np.r_[True, h[1:] != h[:-1]]]


def signature(hashes: Hashes) -> Signature:
    """One-permutation MinHash of a sorted shingle-hash set, densified by rotation.

    The top bits of a hash choose one of ``NUM_PERM`` bins, the low 32 bits are its
    value, and a bin keeps its minimum. ``shingle_hashes`` returns sorted hashes, so
    the minimum of each bin is simply its first element: O(n) instead of O(n·k) for
    k independent permutations. An empty bin borrows the value of the next
    non-empty one, offset by the distance (Shrivastava & Li, 2014).
    """
    sig = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    if hashes.size == 0:
        return sig.astype(np.uint32)
    bins = hashes >> np.uint64(64 - _BIN_BITS)
    first = np.searchsorted(bins, _ALL_BINS, side="left")
    present = (first < hashes.size) & (bins[np.minimum(first, hashes.size - 1)] == _ALL_BINS)
    sig[present] = hashes[first[present]] & _LOW32
    if not present.all():
        filled = np.flatnonzero(present)
        ahead = np.searchsorted(filled, np.arange(NUM_PERM)) % filled.size
        donor = filled[ahead]
        distance = (donor - np.arange(NUM_PERM)) % NUM_PERM
        with np.errstate(over="ignore"):
            borrowed = (sig[donor] + distance.astype(np.uint64) * _OFFSET) & _LOW32
        sig = np.where(present, sig, borrowed)
    return sig.astype(np.uint32)


def estimated_jaccard(a: Signature, b: Signature) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def estimated_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A∩B| / min(|A|, |B|) estimated from the Jaccard index and the set sizes."""
    small = min(size_a, size_b)
    if small == 0:
        return 0.0
    return jaccard * (size_a + size_b) / ((1.0 + jaccard) * small)
