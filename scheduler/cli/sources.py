"""`xinqu sources`: list, check and add news sources."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import click
import yaml

from xinqu.app import App
from xinqu.config import Source, load_sources
from xinqu.errors import ConfigError, XinquError


class UsageError(XinquError):
    """A command was given the wrong arguments."""


@click.group()
def sources() -> None:
    """List, check and add news sources."""


@sources.command("list")
@click.pass_obj
def list_sources(app: App) -> None:
    """Every configured source with its state and last crawl result."""
    from xinqu.store.articles import dead_link_counts, last_source_runs

    with app.store.session() as session:
        runs = last_source_runs(session)
        dead = dead_link_counts(session, app.config.settings.crawl.max_link_attempts)
    for source in app.config.sources:
        state = "enabled" if source.enabled else "disabled"
        trust = "verified" if source.verified else "assumed"
        run = runs.get(source.name)
        last = "never crawled"
        if run is not None:
            last = (
                f"{run.started_at.astimezone(app.tz):%Y-%m-%d %H:%M} {run.status} "
                f"new={run.new} errors={run.errors}"
            )
            if dead.get(source.name):
                last += f" dead={dead[source.name]}"
            if run.error_message:
                last += f" — {run.error_message}"
        click.echo(
            f"{source.name:<16} {source.area:<8} {source.family or 'generic':<10} "
            f"{state:<8} {trust:<8} {last}"
        )


@sources.command("check")
@click.argument("names", nargs=-1, metavar="NAME|URL...")
@click.option("--all", "check_all", is_flag=True, help="Check every configured source.")
@click.pass_obj
def check_sources_command(app: App, names: tuple[str, ...], check_all: bool) -> None:
    """Fetch list pages and first articles live; print what was extracted and what looks wrong.

    A NAME is a configured source. A URL is any list page, configured or not: the
    check shows what a new site given by that URL alone would yield — every row of
    its first two list pages with the date and the evidence it came from, and the
    title, date, source line and first lines of two in-window articles. Nothing is
    stored. Exits 1 when any source shows a problem.
    """
    from crawler.check import check_sources, format_check
    from crawler.families import family_for

    if check_all:
        names = tuple(s.name for s in app.config.sources)
    if not names:
        raise UsageError("name one or more sources or list URLs, or give --all")
    urls = [n for n in names if LIST_URL.match(n)]
    if urls and len(urls) != len(names):
        raise UsageError("give either source names or list URLs, not both")
    chosen = [adhoc_source(u) for u in urls] or [app.config.source(n) for n in names]
    for source in chosen:
        family_for(app.config, source)
    verbose = click.get_current_context().find_root().params.get("verbose", 0)
    if urls:
        reports = check_sources(app, chosen, verbose=verbose, articles=2, pages=2)
    else:
        reports = check_sources(app, chosen, verbose=verbose)
    for report in reports:
        click.echo("\n".join(format_check(report, app.tz, rows=None if urls else 5)))
    if any(report.problems for report in reports):
        raise click.exceptions.Exit(1)


LIST_URL = re.compile(r"^https?://", re.I)


def adhoc_source(url: str) -> Source:
    """A source made of a list URL alone, as a user would add it (generic family)."""
    host = urlsplit(url).hostname or "site"
    name = "new_" + re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_")
    try:
        return Source.model_validate(
            {"name": name, "area": "—", "site_name": host, "list_urls": [url]}
        )
    except ValueError as exc:
        raise UsageError(f"{url}: not a list URL ({str(exc).splitlines()[-1].strip()})") from None


def _option(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` with VALUE read as YAML (numbers, lists, true/false)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--option {text!r}: expected KEY=VALUE")
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError:
        return key.strip(), value


@sources.command("add")
@click.option("--name", required=True)
@click.option("--area", required=True)
@click.option("--site-name", required=True)
@click.option("--list-url", "list_urls", multiple=True, required=True)
@click.option("--family", help="CMS family (docs/sources.md); default generic.")
@click.option(
    "--option", "options", multiple=True, metavar="KEY=VALUE", help="A family option (repeatable)."
)
@click.option("--offline", is_flag=True, help="Add without fetching the list page first.")
@click.pass_obj
def add_source(
    app: App,
    name: str,
    area: str,
    site_name: str,
    list_urls: tuple[str, ...],
    family: str | None,
    options: tuple[str, ...],
    offline: bool,
) -> None:
    """Check a new source (family, options, its list fetched once) and append it to
    sources.yaml; a source whose check fails is not added (--offline skips the fetch)."""
    from crawler.check import check_sources, format_check
    from crawler.families import family_for

    path = app.editable_config_dir / "sources.yaml"
    entry: dict[str, object] = {
        "name": name,
        "area": area,
        "site_name": site_name,
        "list_urls": list(list_urls),
    }
    if family:
        entry["family"] = family
    if options:
        entry["family_options"] = dict(map(_option, options))
    try:
        source = Source.model_validate(entry)
    except Exception as exc:
        raise ConfigError(f"new source {name!r}: {str(exc).splitlines()[-1].strip()}") from None
    if any(s.name == name for s in app.config.sources):
        raise ConfigError(f"{path}: a source named {name!r} already exists")
    family_for(app.config, source)
    if not offline:
        verbose = click.get_current_context().find_root().params.get("verbose", 0)
        [report] = check_sources(app, [source], verbose=verbose, articles=2)
        click.echo("\n".join(format_check(report, app.tz, rows=5)))
        if report.problems:
            raise XinquError(
                f"source {name} not added: {report.problems[0]}"
                + (f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else "")
                + "; fix it, or add it anyway with --offline"
            )
    text = path.read_text(encoding="utf-8") if path.exists() else "sources:\n"
    items = re.search(r"^sources:[^\n]*\n(?:\s*#[^\n]*\n|\s*\n)*([ ]*)- ", text, re.M)
    indent = items.group(1) if items else "  "
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, indent=2)
    addition = "".join(f"{indent}{line}\n" for line in block.splitlines())
    if re.search(r"^sources:\s*\[\]\s*$", text, re.M):
        text = re.sub(r"^sources:\s*\[\]\s*$", "sources:", text, flags=re.M)
    path.write_text(text.rstrip("\n") + "\n" + addition, encoding="utf-8")
    try:
        load_sources(path)
    except ConfigError:
        path.write_text(text, encoding="utf-8")
        raise
    click.echo(f"added {name} to {path}")


COMMANDS = [sources]
