"""Replaying the editor's actions on a freshly selected draft (pure: no store, no clock).

The issue build selects candidates anew each time (after re-processing, for a
new period, on ``--rebuild``); the editor's corrections are kept as a log
(xinqu/store/editor_actions.py) and replayed here, in order, on each section's
candidates before the items are chosen. What each kind does:

- ``drop A``: the story leaves the issue (items and 其他动态);
- ``move A S``: the story is carried in section S (as an item: the editor moved it
  to have it there);
- ``pin A``: carried at the top of its section, pins in the order given;
- ``promote A``: carried as an item of its section (from 其他动态);
- ``headline A TEXT``: the headline the issue prints, word for word;
- ``area A AREA``: the story's area (its headline prefix and the per-area limit);
- ``merge A B``: B's story joins A's (B's links under A's ``also_at``);
- ``undo N``: action N is not replayed.

Carried (pinned, promoted, moved) stories are always items and take their places
first; the section's limits then fill the rest (xinqu.issue.select.choose).

An action names an article by id and finds its story through any member, so a
story whose representative changed on re-processing is still found. An action whose
article is no longer among the candidates (gone, carried by another issue, out of
the period) is not applied and says why in its note; it never stops a build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from xinqu.process import Candidate
from xinqu.store.editor_actions import ActionRecord
from xinqu.text import clean_line


@dataclass
class Edited:
    """The candidates after the actions, and what the selection must honour.

    ``carried``: per section, the representative ids always carried as items;
    ``pinned``: per section, those carried at the top, in order; ``headlines``:
    representative id → the editor's headline; ``notes``: action id → None when
    applied, else why not.
    """

    candidates: dict[str, list[Candidate]]
    carried: dict[str, list[int]] = field(default_factory=dict)
    pinned: dict[str, list[int]] = field(default_factory=dict)
    headlines: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str | None] = field(default_factory=dict)


def _members(c: Candidate) -> set[int]:
    return set(c.group) | {c.article.id}


def _find(pools: Mapping[str, list[Candidate]], article_id: int) -> tuple[str, int] | None:
    """(section, index) of the story with this member article, or None."""
    for key, pool in pools.items():
        for i, c in enumerate(pool):
            if c.article.id == article_id or article_id in c.group:
                return key, i
    return None


def _gone(article_id: int | None) -> str:
    return f"article {article_id} is not among this issue's candidates any more"


def _forget(edited: Edited, rep: int) -> None:
    for ids in (*edited.carried.values(), *edited.pinned.values()):
        if rep in ids:
            ids.remove(rep)


def _carry(edited: Edited, section: str, rep: int, *, pin: bool = False) -> None:
    carried = edited.carried.setdefault(section, [])
    if rep not in carried:
        carried.append(rep)
    if pin:
        pinned = edited.pinned.setdefault(section, [])
        if rep not in pinned:
            pinned.append(rep)


def apply_actions(
    candidates: Mapping[str, Sequence[Candidate]],
    actions: Iterable[ActionRecord],
    *,
    sections: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
) -> Edited:
    """The candidates as the editor's actions leave them (see the module's docstring).

    ``sections``: the section keys a move may name (default: those of ``candidates``);
    ``areas``: the area names an area action may give (default: any).
    """
    pools = {key: list(pool) for key, pool in candidates.items()}
    edited = Edited(pools)
    valid_sections = list(sections) if sections is not None else list(pools)
    todo = [a for a in actions if a.kind not in ("approve", "reopen")]
    undone = {a.other_id for a in todo if a.kind == "undo"}
    known_ids = {a.id for a in todo}
    for action in todo:
        if action.kind == "undo":
            edited.notes[action.id] = (
                None if action.other_id in known_ids else f"no action {action.other_id} to undo"
            )
            continue
        if action.id in undone:
            edited.notes[action.id] = "undone"
            continue
        edited.notes[action.id] = _apply(edited, action, valid_sections, areas)
    return edited


def _apply(
    edited: Edited,
    action: ActionRecord,
    sections: Sequence[str],
    areas: Sequence[str] | None,
) -> str | None:
    """Apply one action; None when done, else why it was not."""
    pools = edited.candidates
    if action.article_id is None:
        return f"{action.kind}: no article given"
    where = _find(pools, action.article_id)
    if where is None:
        return _gone(action.article_id)
    key, index = where
    story = pools[key][index]
    rep = story.article.id
    kind = action.kind
    if kind == "drop":
        del pools[key][index]
        _forget(edited, rep)
    elif kind == "move":
        target = action.value or ""
        if target not in sections:
            return f"no section {target!r} any more"
        del pools[key][index]
        pinned = rep in edited.pinned.get(key, [])
        _forget(edited, rep)
        pools.setdefault(target, []).append(replace(story, section=target))
        _carry(edited, target, rep, pin=pinned)
    elif kind == "pin":
        _carry(edited, key, rep, pin=True)
    elif kind == "promote":
        _carry(edited, key, rep)
    elif kind == "headline":
        line = clean_line(action.value)
        if not line:
            return "empty headline"
        edited.headlines[rep] = line
    elif kind == "area":
        area = clean_line(action.value)
        if not area or (areas is not None and area not in areas):
            return f"unknown area {action.value!r}"
        pools[key][index] = replace(story, area=area)
    elif kind == "merge":
        return _merge(edited, key, index, action.other_id)
    else:
        return f"unknown action {kind!r}"
    return None


def _merge(edited: Edited, key: str, index: int, other_id: int | None) -> str | None:
    """The story of ``other_id`` joins the one at ``pools[key][index]``."""
    pools = edited.candidates
    if other_id is None:
        return "merge: no second article given"
    found = _find(pools, other_id)
    if found is None:
        return _gone(other_id)
    okey, oindex = found
    keeper, joined = pools[key][index], pools[okey][oindex]
    if (okey, oindex) == (key, index):
        return f"articles {keeper.article.id} and {other_id} are one story already"
    urls = [keeper.article.url, *keeper.also_at]
    also = [*keeper.also_at, *(u for u in (joined.article.url, *joined.also_at) if u not in urls)]
    members = tuple(dict.fromkeys((*keeper.group, *sorted(_members(joined)))))
    pools[key][index] = replace(keeper, also_at=tuple(also), group=members)
    del pools[okey][oindex]
    _forget(edited, joined.article.id)
    edited.headlines.pop(joined.article.id, None)
    return None
