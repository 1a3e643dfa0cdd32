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
  headline and lead differs, the leads give different days, or the headlines and leads
  name different kinds of event (a signing, a ground-breaking, an opening, a delivery);
- the publication dates: independent write-ups of one event by different outlets
  appear within days of each other, while the same project's other events (its signing,
  its ground-breaking, its first deliveries) are months apart. Near dates never merge on
  their own; with no conflict they let a weaker overlap (a shared figure with its unit,
  a rewritten lead that still shares phrases) count, so a rewrite that shares few
  shingles is found.

``compare`` turns these into a verdict: ``same`` (merged), ``possible`` (shown to the
editor, never merged silently) or ``different``. The thresholds were chosen on the dev
half of the real benchmark (``python -m bench.dedupe``) and frozen before the test half
was measured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher

import numpy as np
import numpy.typing as npt

from xinqu.process.minhash import NUM_PERM, Hashes, Signature, shingle_hashes, signature
from xinqu.process.normalize import codes, letters, story_text

SAME = "same"
POSSIBLE = "possible"
DIFFERENT = "different"

#: A number with its unit; years alone and single digits say too little.
FACT = re.compile(
    r"(\d+(?:\.\d+)?)((?:万亿|亿|万|千)?"
    r"(?:美元|元|平方公里|平方千米|平方米|亩|公顷|个|家|项|人次|人|吨|台|套|公里|米|%|倍|艘|列)?)"
)
DATE = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")
#: A dateline (新华社6月27日电, 1月8日报道) dates the report, not the event.
DATELINE = re.compile(r"(?:\d{1,2}月)?\d{1,2}日(?:电|讯|报道|消息)")
#: A figure with a unit (118.7亿元, 50万辆) says more than a bare number (12, 16).
UNIT_FACT = re.compile(r"[^\d.]$")
#: Kinds of event a headline and lead announce. Two reports naming only different kinds
#: (one a signing, the other a ground-breaking) are two events of one project.
EVENT_KINDS: dict[str, re.Pattern[str]] = {
    "sign": re.compile("签约|签署|签订|备忘录|落户"),
    "start": re.compile("开工|奠基|动工|破土|开建"),
    "deliver": re.compile("交付"),
    "open": re.compile("投产|量产|下线|投入运营|开业|开园|开航|投运|启用|落成|开港|开幕"),
    "approve": re.compile("批复|同意设立|获批|核准"),
    "unveil": re.compile("揭牌|挂牌"),
    "trial": re.compile("试飞|试运行|试营业"),
}
#: A headline or lead announcing what will happen (not 将于今天, today): a preview is not
#: the report of the event.
PREVIEW = re.compile("将于(?!今)|即将|计划于")
HAN = re.compile(r"[^\u4e00-\u9fff]")
#: A day as a span of proleptic ordinals (first, last): a full date is one day, a month
#: or a year (what some pages give) is the span it covers.
DaySpan = tuple[int, int]
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
    partners: int = 6
    #: published at most this many days apart: the window of one event's write-ups
    days_apart: int = 7
    #: weighted containment that, inside the window and with no conflict, makes one story
    #: when the leads share a figure with its unit or one lead's rare shingles (weighed by
    #: document frequency, so a background sentence counts little) are this much in the other
    near_support: float = 0.06
    near_lead: float = 0.5
    #: letters of the lead whose figures count as the event's own
    lead_facts: int = 150
    #: the prefilter's bar for pairs published inside the window
    near_prefilter: float = 0.03
    #: or, published on known days inside the window, headlines and leads sharing a name
    #: this long (天府国际机场, 东方影都) with this much weighted containment
    signature_name: int = 6
    #: the weight one of the name's shingles must reach (log((common + 1) / (df + 0.5)):
    #: 1.0 is a shingle in at most about seven stories)
    signature_rarity: float = 1.0
    signature_support: float = 0.05


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
    kinds: frozenset[str] = frozenset()
    days: DaySpan | None = None
    head: str = ""
    preview: bool = False
    #: figures with units in the headline and the lead: the event's own, not background
    lead_facts: frozenset[str] = frozenset()
    lead_weights: npt.NDArray[np.float64] | None = None
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
    days_apart: int | None = None

    def reason(self) -> str:
        facts = "、".join(self.shared_facts[:4]) or "无"
        text = (
            f"短片段加权包含度 {self.containment:.2f}，标题导语重合 {self.lead:.2f}，"
            f"共同数字 {len(self.shared_facts)} 个（{facts}）"
        )
        if self.days_apart is not None:
            text += f"，发布相隔 {self.days_apart} 天"
        return f"{text}；{self.conflict}" if self.conflict else text


def facts_of(text: str) -> frozenset[str]:
    return frozenset(
        number + unit
        for number, unit in FACT.findall(text)
        if unit or (len(number) > 2 and not YEAR.fullmatch(number)) or len(number) == 2
    )


def days_of(lead: str) -> frozenset[tuple[int, int]]:
    """(month or 0, day) of the dates in a lead."""
    lead = DATELINE.sub("", lead)
    return frozenset((int(m.group(1) or 0), int(m.group(2))) for m in DATE.finditer(lead))


def kinds_of(head: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in EVENT_KINDS.items() if pattern.search(head))


def day_span(value: date | None) -> DaySpan | None:
    """The publication day as a span (a datetime counts by its calendar day)."""
    if value is None:
        return None
    day = value.toordinal() if not isinstance(value, datetime) else value.date().toordinal()
    return (day, day)


def days_between(a: DaySpan | None, b: DaySpan | None) -> int | None:
    """Days between two spans (0 when they overlap); None when either is unknown."""
    if a is None or b is None:
        return None
    return max(0, b[0] - a[1], a[0] - b[1])


def rare_lead_share(story: Story, inside: npt.NDArray[np.intp], df: DocumentFrequency) -> float:
    """Share of a lead's weight (rare shingles count, common ones do not) that the other
    text contains; ``inside`` are the positions of those shingles in the lead."""
    if story.lead_weights is None:
        story.lead_weights = df.weights(story.lead)
    total = float(story.lead_weights.sum())
    return float(story.lead_weights[inside].sum()) / total if total > 0 else 0.0


def shared_name(a: str, b: str, df: DocumentFrequency, params: StoryParams) -> int:
    """Length of the longest run of characters two headlines-with-leads share, or 0 when
    the run is a phrase many stories use (推动高质量发展): a name must be rare."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    run = a[match.a : match.a + match.size]
    hashes = short(shingle_hashes(letters(codes(run)), params.shingle))
    if not hashes.size or float(df.weights(hashes).max()) < params.signature_rarity:
        return 0
    return match.size


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
    article_id: int,
    title: str,
    text: str,
    places: Sequence[str],
    params: StoryParams,
    days: DaySpan | None = None,
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
        kinds=kinds_of(headline + body.lstrip()[:60]),
        days=days,
        head=HAN.sub("", headline + body.lstrip()[:60]),
        preview=bool(PREVIEW.search(headline + body.lstrip()[:60])),
        lead_facts=frozenset(
            f
            for f in facts_of(headline + body.lstrip()[: params.lead_facts])
            if UNIT_FACT.search(f)
        ),
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
    _, in_a, _ = np.intersect1d(a.lead, hb, assume_unique=True, return_indices=True)
    _, in_b, _ = np.intersect1d(b.lead, ha, assume_unique=True, return_indices=True)
    lead = max(in_a.size / max(1, a.lead.size), in_b.size / max(1, b.lead.size))
    common = tuple(sorted(facts_a & facts_b, key=lambda f: (-len(f), f)))
    fewer = min(len(facts_a), len(facts_b))
    fact_share = len(common) / fewer if fewer else 0.0
    conflict = ""
    if a.place and b.place and a.place != b.place:
        conflict = f"所讲新区不同（{a.place} / {b.place}）"
    elif _days_conflict(a.lead_days, b.lead_days):
        conflict = "导语日期不同"
    elif a.kinds and b.kinds and not a.kinds & b.kinds:
        kinds_a, kinds_b = "、".join(sorted(a.kinds)), "、".join(sorted(b.kinds))
        conflict = f"事件类型不同（{kinds_a} / {kinds_b}）"
    apart = days_between(a.days, b.days)
    supported = containment >= params.support and lead >= params.lead
    facts = len(common) >= params.min_facts and fact_share >= params.fact_share
    near = (
        apart is not None
        and apart <= params.days_apart
        and not conflict
        and containment >= params.near_support
        and (
            bool(a.lead_facts & b.lead_facts)
            or rare_lead_share(a, in_a, df) >= params.near_lead
            or rare_lead_share(b, in_b, df) >= params.near_lead
        )
    )
    signature = (
        apart is not None
        and apart <= params.days_apart
        and a.days is not None
        and b.days is not None
        and a.days[0] == a.days[1]
        and b.days[0] == b.days[1]
        and not conflict
        and a.preview == b.preview
        and containment >= params.signature_support
        and shared_name(a.head, b.head, df, params) >= params.signature_name
    )
    if conflict.startswith("所讲新区"):
        verdict = DIFFERENT
    elif containment >= params.same or (supported and not conflict) or near or signature:
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
        days_apart=apart,
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

    def add(self, article_id: int, title: str, text: str, days: DaySpan | None = None) -> None:
        story, hashes = build_story(article_id, title, text, self.places, self.params, days)
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

    def near(self, pairs: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Pairs published inside one event's window: the signature estimate is too noisy
        at small overlaps to drop them, so they reach the exact comparison."""
        unknown = np.iinfo(np.int64).min // 4
        first = np.array([s.days[0] if s.days else unknown for s in self.stories], np.int64)
        last = np.array([s.days[1] if s.days else unknown for s in self.stories], np.int64)
        i, j = pairs[:, 0], pairs[:, 1]
        known = (first[i] != unknown) & (first[j] != unknown)
        apart = np.maximum(0, np.maximum(first[j] - last[i], first[i] - last[j]))
        out: npt.NDArray[np.bool_] = known & (apart <= self.params.days_apart)
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
        near = self.near(index[order]) & (contain[order] >= self.params.near_prefilter)
        order = order[(contain[order] >= self.params.prefilter) | near]
        taken = np.zeros(len(self.stories), dtype=np.int32)
        out: list[tuple[int, int]] = []
        for i, j in index[order].tolist():
            if taken[i] < self.params.partners and taken[j] < self.params.partners:
                taken[i] += 1
                taken[j] += 1
                out.append((i, j))
        return sorted(out)
