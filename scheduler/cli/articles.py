"""`xinqu articles`: what processing decided, and the editor's overrides."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import click

from scheduler.cli.options import DAY
from xinqu.app import App
from xinqu.errors import XinquError


def parse_day(day: date, tz: ZoneInfo) -> datetime:
    """A day as the start of that day in the configured zone."""
    return datetime.combine(day, time.min, tzinfo=tz)


@click.group()
def articles() -> None:
    """List stored articles with their section and area; fix sections, areas and groups."""


def _sections(app: App) -> list[str]:
    return [*app.config.sections.keys, "out"]


def _section_key(app: App, name: str) -> str:
    """A section named by key or Chinese title (`out`/`不选` for none), or one error line."""
    if name.strip().casefold() in ("out", "不选"):
        return "out"
    key = app.config.sections.key_for(name)
    if key is None:
        raise XinquError(
            f"unknown section {name!r} (known: {app.config.sections.spellings()}, out (不选))"
        )
    return key


@articles.command("list")
@click.option("--section", help="Only this section (industry, reform, out …).")
@click.option("--since", type=DAY, help="Only articles published (or first seen) since.")
@click.option("--all", "show_all", is_flag=True, help="Also duplicates, not only each story once.")
@click.option(
    "--possible-duplicates",
    "possible",
    is_flag=True,
    help="Only pairs processing thinks may be one story but did not merge.",
)
@click.option(
    "--uncertain", "only_uncertain", is_flag=True, help="Only stories whose section is unsure."
)
@click.pass_obj
def list_articles(
    app: App,
    section: str | None,
    since: date | None,
    show_all: bool,
    possible: bool,
    only_uncertain: bool,
) -> None:
    """One line per story: id, date, area, section (* editor's, ? uncertain), score, title."""
    from xinqu.process import _effective_section, effective_area
    from xinqu.store.processing import (
        area_overrides,
        group_members,
        overrides,
        processed_articles,
    )

    app.require_data_dir()
    if possible:
        _list_possible(app)
        return
    if section is not None:
        section = _section_key(app, section)
    with app.store.session() as session:
        rows = processed_articles(session, parse_day(since, app.tz) if since else None)
        edits = overrides(session)
        area_edits = area_overrides(session)
        members = group_members(session)
        shown = 0
        for article, state in rows:
            is_rep = state.group_id == article.id
            if not show_all and not is_rep:
                continue
            group = members.get(state.group_id, [article.id])
            effective = _effective_section(state.section, group, edits)
            if section is not None and effective != section:
                continue
            edited = effective != state.section or article.id in edits
            if only_uncertain and (edited or not state.uncertain):
                continue
            mark = "*" if edited else "?" if state.uncertain else " "
            stamp = (article.published_at or article.first_seen).astimezone(app.tz)
            area, _ = effective_area(state, article, group, area_edits)
            dups = f" (+{len(group) - 1} dup)" if is_rep and len(group) > 1 else ""
            if not is_rep:
                dups = f" (dup of {state.group_id})"
            click.echo(
                f"{article.id:>6} {stamp:%Y-%m-%d} {area:<7} {effective:<8}{mark} "
                f"{state.score:.2f} {article.title}{dups}"
            )
            shown += 1
        if not rows:
            click.echo("no articles (run `xinqu crawl` and `xinqu process` first)", err=True)
        elif not shown:
            click.echo("no stories match", err=True)


def _list_possible(app: App) -> None:
    """Pairs of articles that may report one event: merge them with `xinqu articles merge`."""
    from xinqu.store.articles import titles_by_id
    from xinqu.store.duplicates import possible_pairs

    with app.store.session() as session:
        pairs = possible_pairs(session)
        titles = titles_by_id(session, {i for e in pairs for i in (e.first_id, e.second_id)})
        for e in pairs:
            click.echo(f"{e.first_id:>6} {titles.get(e.first_id, '')}")
            click.echo(f"{e.second_id:>6} {titles.get(e.second_id, '')}")
            click.echo(f"       {e.reason}")
            click.echo(f"       same story? xinqu articles merge {e.first_id} {e.second_id}")
        if not pairs:
            click.echo("no possible duplicates (run `xinqu process` first)", err=True)


@articles.command("show")
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def show(app: App, article_id: int, as_json: bool) -> None:
    """Everything processing knows of one article: section, area, score, reason, group."""
    from xinqu.process import _effective_section, effective_area
    from xinqu.process.area import AreaDecision
    from xinqu.store.articles import article_by_id
    from xinqu.store.duplicates import evidence_for
    from xinqu.store.processing import (
        area_overrides,
        group_articles,
        overrides,
        processing_state,
    )

    with app.store.session() as session:
        article = article_by_id(session, article_id)
        if article is None:
            raise XinquError(f"no article with id {article_id} (see `xinqu articles list`)")
        state = processing_state(session, article_id)
        edits = overrides(session)
        area_edits = area_overrides(session)
        group_rows: Sequence[Any] = []
        if state is not None:
            group_rows = group_articles(session, state.group_id)
        edit = edits.get(article_id)
        info: dict[str, Any] = {
            "id": article.id,
            "title": article.title,
            "area": article.area,
            "site_area": article.area,
            "site_name": article.site_name,
            "url": article.url,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "processed": state is not None,
            "incomplete": article.incomplete,
        }
        if state is not None:
            group = [r.id for r in group_rows]
            info.update(
                section=_effective_section(state.section, group, edits),
                classifier_section=state.section,
                score=round(state.score, 3),
                reason=state.reason,
                classifier=state.classifier,
                uncertain=state.uncertain,
                runner_up=state.runner_up,
                margin=None if state.margin is None else round(state.margin, 3),
                representative=state.group_id,
                group=[{"id": r.id, "site_name": r.site_name, "url": r.url} for r in group_rows],
            )
            rep_state = processing_state(session, state.group_id) or state
            area, where = effective_area(rep_state, article, group, area_edits)
            evidence = tuple(filter(None, (rep_state.area_evidence or "").split("、")))
            decision = AreaDecision(area, where, () if where == "editor" else evidence)
            info.update(
                area=area,
                area_where=where,
                area_evidence=list(decision.evidence),
                area_reason=decision.explain(),
                area_decided=rep_state.area,
            )
        info["override"] = (
            {"section": edit.section, "split": edit.detached} if edit is not None else None
        )
        info["duplicate_evidence"] = [
            {
                "other": e.second_id if e.first_id == article_id else e.first_id,
                "verdict": e.verdict,
                "containment": e.containment,
                "lead": e.lead,
                "shared_facts": [f for f in e.shared_facts.split("、") if f],
                "conflict": e.conflict,
                "reason": e.reason,
            }
            for e in evidence_for(session, article_id)
        ]
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{info['id']}  {info['title']}")
    click.echo(f"  {info['site_area']} · {info['site_name']} · {info['published_at'] or 'no date'}")
    click.echo(f"  {info['url']}")
    if info["incomplete"]:
        click.echo(f"  text incomplete: {info['incomplete']}")
    if not info["processed"]:
        click.echo("  not processed yet (run `xinqu process`)")
        return
    note = " (set by the editor)" if info["override"] and info["override"]["section"] else ""
    click.echo(f"  section: {info['section']}{note}")
    click.echo(f"  area: {info['area']} — {info['area_reason']}")
    if info["area_where"] == "editor" and info["area_decided"]:
        click.echo(f"    (processing decided {info['area_decided']})")
    click.echo(
        f"  classifier: {info['classifier_section']} score {info['score']} — {info['reason']}"
    )
    if info["uncertain"] and not note:
        runner = f" over {info['runner_up']}" if info["runner_up"] else ""
        click.echo(
            f"  uncertain: the section leads{runner} by {info['margin']} only — "
            f"check it, or fix it with `xinqu articles set-section {info['id']} SECTION`"
        )
    if info["override"] and info["override"]["split"]:
        click.echo("  split off by the editor: merged automatically with nothing")
    click.echo(f"  story group (representative {info['representative']}):")
    for member in info["group"]:
        star = "*" if member["id"] == info["representative"] else " "
        click.echo(f"   {star}{member['id']:>6} {member['site_name']}  {member['url']}")
    if len(info["group"]) > 1 and not info["duplicate_evidence"]:
        click.echo("  duplicate evidence: same text after normalisation, or merged by the editor")
    for ev in info["duplicate_evidence"]:
        word = "same story as" if ev["verdict"] == "same" else "possibly the same story as"
        click.echo(f"  {word} {ev['other']}: {ev['reason']}")


@articles.command("set-section")
@click.argument("article_id", type=int)
@click.argument("section")
@click.pass_obj
def set_section_cmd(app: App, article_id: int, section: str) -> None:
    """Put an article's story in a section (or out); re-processing keeps it."""
    from xinqu.store.processing import set_section

    section = _section_key(app, section)
    with app.store.session() as session:
        set_section(session, article_id, section)
    click.echo(f"article {article_id}: section {section} (set by the editor)")


@articles.command("set-area")
@click.argument("article_id", type=int)
@click.argument("area")
@click.pass_obj
def set_area_cmd(app: App, article_id: int, area: str) -> None:
    """Say which new area an article's story is about (or 多个新区); re-processing keeps it."""
    from xinqu.store.processing import set_area

    known = [*app.config.areas.areas, app.config.areas.several]
    if area not in known:
        raise XinquError(
            f"unknown area {area!r} (known: {', '.join(known)}; see config/areas.yaml)"
        )
    with app.store.session() as session:
        set_area(session, article_id, area)
    click.echo(f"article {article_id}: area {area} (set by the editor)")


@articles.command("merge")
@click.argument("first_id", type=int)
@click.argument("second_id", type=int)
@click.pass_obj
def merge_cmd(app: App, first_id: int, second_id: int) -> None:
    """Treat two articles as one story (processing runs again to apply it)."""
    from xinqu.process import run_process
    from xinqu.store.processing import merge_articles

    with app.store.session() as session:
        merge_articles(session, first_id, second_id)
    run_process(app)
    click.echo(f"articles {first_id} and {second_id}: one story")


@articles.command("split")
@click.argument("article_id", type=int)
@click.pass_obj
def split_cmd(app: App, article_id: int) -> None:
    """Take an article out of its story group for good."""
    from xinqu.process import run_process
    from xinqu.store.processing import split_article

    with app.store.session() as session:
        split_article(session, article_id)
    run_process(app)
    click.echo(f"article {article_id}: its own story")


COMMANDS = [articles]
