"""Story-level duplicate evidence: is this the same event, written up by another outlet?

Two reports of one event share little text once an outlet rewrites the headline and
lead, reorders paragraphs, rounds numbers or reposts it in traditional characters, so
the evidence is built from measures that survive rewriting:

- containment of short (3-character) shingles, each weighted by how rare it is across
  the whole store (inverse document frequency), so a background paragraph that many
  stories share (a new area's standard introduction, a template) counts for little;
- the headline and lead of one found in the other's text;
- shared facts: numbers with their units (118.7亿元, 499平方公里, 72个) and dates;
- conflicts that separate two events of one genre: the story's new area named in the
  headline and lead differs, or the leads give different days.

``compare`` turns these into a verdict: ``same`` (merged), ``possible`` (shown to the
editor, never merged silently) or ``different``. The thresholds were chosen on the dev
half of the real benchmark (``python -m bench.dedupe``) and frozen before the test half
was measured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from xinqu.process.minhash import NUM_PERM, Hashes, Signature, shingle_hashes, signature
from xinqu.process.normalize import letters, story_text

SAME = "same"
POSSIBLE = "possible"
DIFFERENT = "different"

#: A number with its unit; years alone and single digits say too little.
FACT = re.compile(
    r"(\d+(?:\.\d+)?)((?:万亿|亿|万|千)?"
    r"(?:美元|元|平方公里|平方千米|平方米|亩|公顷|个|家|项|人次|人|吨|台|套|公里|米|%|倍|艘|列)?)"
)
DATE = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")
YEAR = re.compile(r"(?:19|20)\d\d")
_DF_BITS = 22
#: Shingle hashes cut to their top 32 bits: half the memory, so every article's set can
#: stay in memory; a chance collision inside one pair of texts is negligible.
Short = npt.NDArray[np.uint32]


def short(hashes: Hashes) -> Short:
    """Top 32 bits of sorted distinct hashes: still sorted, so only neighbours can repeat."""
    cut = (hashes >> np.uint64(32)).astype(np.uint32)
    if cut.size < 2:
        return cut
    return cut[np.r_[True, cut[1:] != cut[:-1]]]


@dataclass(frozen=True)
class StoryParams:
    """Chosen on the dev split of tests/data/dedupe (see ``bench.dedupe``), then frozen."""

    shingle: int = 3
    #: stories containing a shingle from which on it weighs nothing
    common: int = 20
    lead_letters: int = 90
    #: weighted containment that alone makes two texts one story
    same: float = 0.3
    #: weaker containment that, with the headline and lead of one found in the other, does too
    support: float = 0.15
    lead: float = 0.4
    #: shared facts never merge (two events of one place share its standing figures) but
    #: put a pair in the band the editor sees
    min_facts: int = 2
    fact_share: float = 0.8
    #: the band the editor sees: weighted containment at least this, not judged same
    possible: float = 0.2
    #: rare lead shingles per story used as blocking keys
    lead_keys: int = 8
    max_bucket: int = 50
    #: candidates whose containment, estimated from MinHash signatures, is below this are
    #: not compared (far below ``support``: the estimate is noisy at small overlaps)
    prefilter: float = 0.1
    #: at most this many partners per story are compared, the likeliest first (a story is
    #: rarely carried by more outlets; a phrase-sharing crowd is not one story)
    partners: int = 4


@dataclass
class Story:
    """What story-level dedupe keeps of one article besides its shingle set."""

    id: int
    lead: Short
    facts: frozenset[str]
    lead_days: frozenset[tuple[int, int]]
    place: str | None
    sig: Signature
    size: int
    weight: float = 0.0
    keys: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Evidence:
    """Why two articles are, may be, or are not one story."""

    containment: float
    lead: float
    shared_facts: tuple[str, ...]
    fact_share: float
    conflict: str
    verdict: str

    def reason(self) -> str:
        facts = "、".join(self.shared_facts[:4]) or "无"
        text = (
            f"短片段加权包含度 {self.containment:.2f}，标题导语重合 {self.lead:.2f}，"
            f"共同数字 {len(self.shared_facts)} 个（{facts}）"
        )
        return f"{text}；{self.conflict}" if self.conflict else text


def facts_of(text: str) -> frozenset[str]:
    return frozenset(
        number + unit
        for number, unit in FACT.findall(text)
        if unit or (len(number) > 2 and not YEAR.fullmatch(number)) or len(number) == 2
    )


def days_of(lead: str) -> frozenset[tuple[int, int]]:
    """(month or 0, day) of the dates in a lead."""
    return frozenset((int(m.group(1) or 0), int(m.group(2))) for m in DATE.finditer(lead))


def dominant_place(head: str, places: Sequence[str]) -> str | None:
    counts = {p: head.count(p) for p in places}
    best = max(counts.values(), default=0)
    if best == 0:
        return None
    top = [p for p, c in counts.items() if c == best]
    return top[0] if len(top) == 1 else None


class DocumentFrequency:
    """How many stored stories contain each shingle, counted in hashed buckets.

    A shingle's weight falls with the number of stories containing it and is nothing
    once ``common`` stories do: a paragraph that many stories repeat (an area's standard
    introduction, a template, a boilerplate policy sentence) cannot make two one.
    """

    def __init__(self, common: int = 20) -> None:
        self.common = common
        self.counts = np.zeros(1 << _DF_BITS, dtype=np.int32)
        self.docs = 0

    def add(self, hashes: Short) -> None:
        self.counts[(hashes >> np.uint32(32 - _DF_BITS)).astype(np.intp)] += 1
        self.docs += 1

    def weights(self, hashes: Short) -> npt.NDArray[np.float64]:
        df = self.counts[(hashes >> np.uint32(32 - _DF_BITS)).astype(np.intp)]
        weights: npt.NDArray[np.float64] = np.maximum(np.log((self.common + 1.0) / (df + 0.5)), 0.0)
        return weights


def shingles(
    title: str, text: str, params: StoryParams
) -> tuple[str, npt.NDArray[np.uint32], Hashes]:
    """The cleaned text, its letters and the set of its short shingles (64-bit hashes)."""
    cleaned = story_text(title + "\n" + text)
    content = letters(np.frombuffer(cleaned.encode("utf-32-le"), dtype=np.uint32))
    return cleaned, content, shingle_hashes(content, params.shingle)


def build_story(
    article_id: int, title: str, text: str, places: Sequence[str], params: StoryParams
) -> tuple[Story, Short]:
    """The story and its shingle set, shortened (for the document frequencies)."""
    cleaned, content, hashes = shingles(title, text, params)
    lead = short(shingle_hashes(content[: params.lead_letters], params.shingle))
    headline, _, body = cleaned.partition("\n")
    story = Story(
        id=article_id,
        lead=lead,
        facts=facts_of(cleaned),
        lead_days=days_of(body.lstrip()[:60]),
        place=dominant_place(headline + body[:200], places),
        sig=signature(hashes),
        size=int(hashes.size),
    )
    return story, short(hashes)


def set_keys(story: Story, df: DocumentFrequency, params: StoryParams) -> None:
    """The story's blocking keys: its rarest lead shingles across the store."""
    if story.lead.size:
        rare = np.argsort(-df.weights(story.lead), kind="stable")[: params.lead_keys]
        story.keys = [int(h) for h in story.lead[rare]]


def _days_conflict(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    if not a or not b:
        return False
    for month_a, day_a in a:
        for month_b, day_b in b:
            if day_a == day_b and (month_a == month_b or not month_a or not month_b):
                return False
    return True


def compare(
    a: Story,
    ha: Short,
    b: Story,
    hb: Short,
    df: DocumentFrequency,
    params: StoryParams,
) -> Evidence:
    facts_a, facts_b = a.facts, b.facts
    for story, hashes in ((a, ha), (b, hb)):
        if not story.weight:
            story.weight = float(df.weights(hashes).sum())
    _, ia, _ = np.intersect1d(ha, hb, assume_unique=True, return_indices=True)
    shared = float(df.weights(ha[ia]).sum()) if ia.size else 0.0
    smaller = min(a.weight, b.weight)
    containment = shared / smaller if smaller > 0 else 0.0
    lead = max(
        np.intersect1d(a.lead, hb, assume_unique=True).size / max(1, a.lead.size),
        np.intersect1d(b.lead, ha, assume_unique=True).size / max(1, b.lead.size),
    )
    common = tuple(sorted(facts_a & facts_b, key=lambda f: (-len(f), f)))
    fewer = min(len(facts_a), len(facts_b))
    fact_share = len(common) / fewer if fewer else 0.0
    conflict = ""
    if a.place and b.place and a.place != b.place:
        conflict = f"所讲新区不同（{a.place} / {b.place}）"
    elif _days_conflict(a.lead_days, b.lead_days):
        conflict = "导语日期不同"
    supported = containment >= params.support and lead >= params.lead
    facts = len(common) >= params.min_facts and fact_share >= params.fact_share
    if conflict.startswith("所讲新区"):
        verdict = DIFFERENT
    elif containment >= params.same or (supported and not conflict):
        verdict = SAME
    elif containment >= params.possible or supported or (facts and containment >= params.support):
        verdict = POSSIBLE
    else:
        verdict = DIFFERENT
    return Evidence(
        containment=round(containment, 3),
        lead=round(float(lead), 3),
        shared_facts=common,
        fact_share=round(fact_share, 3),
        conflict=conflict,
        verdict=verdict,
    )


def blocked_pairs(stories: Sequence[Story], max_bucket: int) -> set[tuple[int, int]]:
    """Pairs (by position) sharing a rare lead shingle or a fact, from capped buckets.

    Each story has a handful of keys and a bucket larger than ``max_bucket`` (a phrase
    or number every story of a kind repeats) proposes nothing, so the work grows with
    the number of stories, not with its square.
    """
    buckets: dict[object, list[int]] = {}
    for position, story in enumerate(stories):
        keys: Iterable[object] = [*story.keys, *(f for f in story.facts if len(f) >= 3)]
        for key in keys:
            buckets.setdefault(key, []).append(position)
    out: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2 or len(members) > max_bucket:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                if x != y:
                    out.add((min(x, y), max(x, y)))
    return out


class StoryJudge:
    """Story-level evidence for the candidate pairs of a whole store.

    ``add`` every article once (its shingles, cut to 32 bits, go into the document
    frequencies and stay for comparing); ``judge`` then proposes candidates by blocking
    (plus any the caller adds, such as MinHash-LSH pairs), drops those whose estimated
    containment is far too low, and compares the rest.
    """

    def __init__(self, places: Sequence[str], params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.places = list(places)
        self.df = DocumentFrequency(self.params.common)
        self.stories: list[Story] = []
        self.hashes: list[Short] = []

    def add(self, article_id: int, title: str, text: str) -> None:
        story, hashes = build_story(article_id, title, text, self.places, self.params)
        self.df.add(hashes)
        self.stories.append(story)
        self.hashes.append(hashes)

    def judge(
        self,
        extra: Iterable[tuple[int, int]] = (),
        skip: Callable[[int], bool] = lambda _: False,
    ) -> dict[tuple[int, int], Evidence]:
        """Evidence for every candidate pair (ids, smaller first) judged same or possible."""
        for story in self.stories:
            set_keys(story, self.df, self.params)
        position = {s.id: i for i, s in enumerate(self.stories)}
        pairs = blocked_pairs(self.stories, self.params.max_bucket)
        for x, y in extra:
            if x in position and y in position:
                i, j = position[x], position[y]
                pairs.add((min(i, j), max(i, j)))
        out: dict[tuple[int, int], Evidence] = {}
        for i, j in self.prefiltered(sorted(pairs)):
            a, b = self.stories[i], self.stories[j]
            if skip(a.id) or skip(b.id):
                continue
            evidence = compare(
                a,
                self.hashes[i],
                b,
                self.hashes[j],
                self.df,
                self.params,
            )
            if evidence.verdict != DIFFERENT:
                out[(min(a.id, b.id), max(a.id, b.id))] = evidence
        return out

    def prefiltered(self, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The pairs whose containment, estimated from the signatures, may reach support."""
        if not pairs:
            return []
        index = np.array(pairs, dtype=np.intp)
        sigs = np.stack([s.sig for s in self.stories])
        sizes = np.array([s.size for s in self.stories], dtype=np.float64)
        estimates = []
        for lo in range(0, len(index), 100_000):
            i, j = index[lo : lo + 100_000, 0], index[lo : lo + 100_000, 1]
            jaccard = (sigs[i] == sigs[j]).sum(axis=1) / NUM_PERM
            small = np.maximum(np.minimum(sizes[i], sizes[j]), 1.0)
            estimates.append(jaccard * (sizes[i] + sizes[j]) / ((1.0 + jaccard) * small))
        contain = np.concatenate(estimates)
        order = np.argsort(-contain, kind="stable")
        order = order[contain[order] >= self.params.prefilter]
        taken = np.zeros(len(self.stories), dtype=np.int32)
        out: list[tuple[int, int]] = []
        for i, j in index[order].tolist():
            if taken[i] < self.params.partners and taken[j] < self.params.partners:
                taken[i] += 1
                taken[j] += 1
                out.append((i, j))
        return sorted(out)
