"""`xinqu sources`: list, check and add news sources."""

from __future__ import annotations

import click
import yaml

from scheduler.app import App
from scheduler.config import Source, load_sources
from scheduler.errors import ConfigError


@click.group()
def sources() -> None:
    """List, check and add news sources."""


@sources.command("list")
@click.pass_obj
def list_sources(app: App) -> None:
    """Every configured source with its state and last crawl result."""
    from scheduler.store.articles import last_source_runs

    with app.store.session() as session:
        runs = last_source_runs(session)
    for source in app.config.sources:
        state = "enabled" if source.enabled else "disabled"
        trust = "verified" if source.verified else "assumed"
        run = runs.get(source.name)
        last = (
            f"{run.started_at.astimezone(app.tz):%Y-%m-%d %H:%M} {run.status} new={run.new}"
            if run
            else "never crawled"
        )
        click.echo(
            f"{source.name:<16} {source.area:<8} {source.family or 'generic':<10} "
            f"{state:<8} {trust:<8} {last}"
        )


@sources.command("add")
@click.option("--name", required=True)
@click.option("--area", required=True)
@click.option("--site-name", required=True)
@click.option("--list-url", "list_urls", multiple=True, required=True)
@click.option("--family")
@click.pass_obj
def add_source(
    app: App, name: str, area: str, site_name: str, list_urls: tuple[str, ...], family: str | None
) -> None:
    """Append a validated entry to sources.yaml."""
    path = app.config.directory / "sources.yaml"
    entry: dict[str, object] = {
        "name": name,
        "area": area,
        "site_name": site_name,
        "list_urls": list(list_urls),
    }
    if family:
        entry["family"] = family
    try:
        Source.model_validate(entry)
    except Exception as exc:
        raise ConfigError(f"new source {name!r}: {str(exc).splitlines()[-1].strip()}") from None
    if any(s.name == name for s in app.config.sources):
        raise ConfigError(f"{path}: a source named {name!r} already exists")
    text = path.read_text(encoding="utf-8") if path.exists() else "sources:\n"
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, indent=2)
    addition = "\n" + "".join(f"  {line}\n" for line in block.splitlines())
    path.write_text(text.rstrip("\n") + "\n" + addition, encoding="utf-8")
    load_sources(path)
    click.echo(f"added {name} to {path}")


COMMANDS = [sources]
