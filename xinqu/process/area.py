"""The area a story is about, by its substance, not by the site that carried it.

A city portal, a provincial portal or one new area's site reporting a national
meeting carries news about other areas; the carrying site's area is only the
last resort. The decision reads, in this order:

1. the headline: the names and aliases of ``config/areas.yaml`` found in it;
2. the lead (the first ``lead_chars`` of the text), when the headline names none;
3. the carrying site's own area, when neither names any.

One area found decides. Of two, one that clearly dominates decides (half as much
weight again as the other: a mention in the headline counts 2, one in the lead 1,
and the headline's first-named area, its usual subject, 1 more unless the two are
joined as equals, 浦东新区与金普新区); otherwise the
story is about several areas (``several``, 多个新区). So is a story whose headline
speaks of the areas as a whole (``several_markers``: 国家级新区 …) without naming
one, one that names none at all but whose lead speaks of them so, and a national
event that names an area only as its venue (在福州新区召开第九次国家级新区工作经验交流会).

Text is folded first (traditional → simplified, full width → ASCII, Latin letters
in lower case) and the pinyin annotations copying sites leave behind (``新區(qū)``)
are removed, so a repost in traditional characters is read like the original and
an English story's ``Lin-gang`` like ``lingang``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from xinqu.config import AreasFile, load_areas
from xinqu.process.normalize import codes
from xinqu.resources import shipped_config_dir

#: Where the area came from: the headline, the lead, the carrying site, the editor.
HEADLINE, LEAD, SITE, EDITOR = "headline", "lead", "site", "editor"

_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(rf"\((?:[a-z{_TONES}]{{1,6}}\s?){{1,4}}\)")


@dataclass(frozen=True)
class Mention:
    area: str
    term: str
    where: str


@dataclass(frozen=True)
class AreaDecision:
    """The story's area (one area, or the ``several`` label) and why."""

    area: str
    where: str
    evidence: tuple[str, ...] = ()

    def explain(self) -> str:
        """One line for `xinqu articles show`: which names, found where."""
        found = "、".join(self.evidence)
        if self.where == SITE:
            return "no area named in the headline or the lead: the carrying site's area"
        if self.where == EDITOR:
            return "set by the editor"
        return f"{found} in the {self.where}" if found else f"from the {self.where}"


def fold(text: str) -> str:
    """Traditional → simplified, full width → ASCII, pinyin annotations removed, Latin
    letters in lower case (English names match however a headline capitalises them)."""
    folded = codes(text).tobytes().decode("utf-32-le")
    return _PINYIN.sub("", folded).lower()


class AreaIndex:
    """The names, aliases and non-area phrases of areas.yaml, ready to scan texts."""

    def __init__(self, config: AreasFile) -> None:
        self.config = config
        self.several = config.several
        self.areas = tuple(config.areas)
        owner: dict[str, str | None] = {}
        for area, entry in config.areas.items():
            for phrase in entry.not_:
                owner[fold(phrase)] = None
            for term in entry.terms:
                owner[fold(term)] = area
        self._owner = owner
        by_first: dict[str, list[str]] = {}
        for term in sorted(owner, key=len, reverse=True):
            by_first.setdefault(term[0], []).append(term)
        self._by_first = by_first
        self._streets = tuple(config.street_suffixes)
        self._markers = tuple(fold(m) for m in config.several_markers)
        self._headline_names: dict[str, tuple[str, ...]] = {
            area: tuple(fold(t) for t in (*entry.terms, *entry.short))
            for area, entry in config.areas.items()
        }

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(area, term) for every name or alias in a folded text, longest match first."""
        return [(area, term) for area, term, _ in self._located(text)]

    def _located(self, text: str) -> list[tuple[str, str, int]]:
        """(area, term, position) of every name or alias in a folded text."""
        found: list[tuple[str, str, int]] = []
        i = 0
        while i < len(text):
            for term in self._by_first.get(text[i], ()):
                if text.startswith(term, i):
                    end = i + len(term)
                    area = self._owner[term]
                    if area is not None and not text.startswith(self._streets, end):
                        found.append((area, term, i))
                    i = end
                    break
            else:
                i += 1
        return found

    def names_any(self, headline: str) -> bool:
        """The headline names some area (any area's name or alias)."""
        return bool(self.mentions(fold(headline)))

    def names_area(self, headline: str, area: str) -> bool:
        """The headline already names this area (its aliases or its short names)."""
        folded = fold(headline)
        names = self._headline_names.get(area, (fold(area),))
        return any(name in folded for name in names)

    def is_area(self, area: str) -> bool:
        return area in self.config.areas or area == self.several

    def decide(self, title: str, text: str, site_area: str) -> AreaDecision:
        head = fold(title)
        lead = fold(text[: self.config.lead_chars * 2])[: self.config.lead_chars]
        located = self._located(head)
        in_head = [(area, term) for area, term, _ in located]
        lead_located = self._located(lead)
        in_lead = [(area, term) for area, term, _ in lead_located]
        head_marker = _national_marker(head, self._markers)
        lead_marker = _national_marker(lead, self._markers)
        if in_head:
            national = bool(head_marker or lead_marker)
            if national and _only_venue(head, located):
                return AreaDecision(self.several, HEADLINE, (head_marker or lead_marker or "",))
            subject = _subject(head, located)
            return self._weigh(in_head, in_lead, HEADLINE, national, subject)
        if head_marker:
            return AreaDecision(self.several, HEADLINE, (head_marker,))
        if in_lead:
            if lead_marker and _only_venue(lead, lead_located):
                return AreaDecision(self.several, LEAD, (lead_marker,))
            return self._weigh([], in_lead, LEAD, bool(lead_marker))
        if lead_marker:
            return AreaDecision(self.several, LEAD, (lead_marker,))
        return AreaDecision(site_area, SITE)

    def _weigh(
        self,
        in_head: list[tuple[str, str]],
        in_lead: list[tuple[str, str]],
        where: str,
        national: bool,
        subject: str | None = None,
    ) -> AreaDecision:
        """One area named decides; of two, one with clearly more weight; else several."""
        decisive = in_head or in_lead
        named = list(dict.fromkeys(a for a, _ in decisive))
        if len(named) == 1:
            return AreaDecision(named[0], where, _terms_of(decisive, named[0]))
        score: Counter[str] = Counter()
        for area, _ in in_head:
            score[area] += 2
        for area, _ in in_lead:
            score[area] += 1
        if subject is not None:
            score[subject] += 1
        (top, first), (_, second) = sorted(((a, score[a]) for a in named), key=lambda x: -x[1])[:2]
        if len(named) == 2 and not national and 2 * first >= 3 * second:
            return AreaDecision(top, where, _terms_of([*in_head, *in_lead], top))
        return AreaDecision(self.several, where, tuple(dict.fromkeys(t for _, t in decisive)))


#: A marker that describes one area, not the areas as a whole: 第8个国家级新区, 首个国家级新区,
#: 19个国家级新区之一 (作为中国第8个国家级新区，…为何都在贵州这地落子 is 贵安新区's).
_ONE_OF = re.compile(r"(?:第[\d一二三四五六七八九十]{1,3}|首)个$")


def _national_marker(text: str, markers: tuple[str, ...]) -> str | None:
    """The first marker in the text that speaks of the areas as a whole."""
    for marker in markers:
        for found in re.finditer(re.escape(marker), text):
            before, after = text[: found.start()], text[found.end() :]
            if not _ONE_OF.search(before) and not after.startswith("之一"):
                return marker
    return None


#: Two areas joined by one of these are named alike (浦东新区与金普新区): neither is the subject.
_JOINED = re.compile(r"^(?:与|和|及|同|、|,|，|携手|联手|牵手|对接)$")


#: An area named only as where a national event took place (在福州新区召开第九次国家级新区…会).
_VENUE_AFTER = re.compile(r"^(?:组织|隆重|正式)?(?:召开|举办|举行|开幕)")


def _only_venue(text: str, located: list[tuple[str, str, int]]) -> bool:
    """Every area named is named as the venue: the story is the national event's."""
    return all(
        text[pos - 1 : pos] == "在" and _VENUE_AFTER.match(text[pos + len(term) :])
        for _, term, pos in located
    )


def _subject(head: str, located: list[tuple[str, str, int]]) -> str | None:
    """The headline's first-named area, which Chinese headlines put first as their subject.

    None when the next area named follows it at once joined by 与/和/、 …, as equals.
    """
    first_area, first_term, at = located[0]
    others = [(area, pos) for area, _, pos in located if area != first_area]
    if not others:
        return first_area
    between = head[at + len(first_term) : others[0][1]]
    return None if _JOINED.match(between) else first_area


def _terms_of(found: list[tuple[str, str]], area: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for a, t in found if a == area))


@lru_cache(maxsize=1)
def shipped_index() -> AreaIndex:
    """The shipped areas.yaml's index (for callers without a configuration)."""
    return AreaIndex(load_areas(shipped_config_dir() / "areas.yaml"))
