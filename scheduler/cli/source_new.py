"""`xinqu sources new NAME URL`: add a source with its captured fixture site and a test.

Adding a site is three things and no code: the source entry in sources.yaml, the
fixture site (list page and two articles, saved from the live site), and
tests/test_source_NAME.py, which fails until someone fills in what the pages show.
"""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.sources import add_source, sources
from xinqu.app import App
from xinqu.clock import now as clock_now
from xinqu.config import Source
from xinqu.errors import ConfigError


def _user_agent(app: App) -> str:
    from crawler import settings

    return app.config.settings.crawl.user_agent or settings.USER_AGENT


@sources.command("new")
@click.argument("name")
@click.argument("url")
@click.option("--area", help="The new area (default: guessed from the site's name).")
@click.option("--site-name", help="Attribution, e.g. 浦东新区官网 (default: the page's SiteName).")
@click.option("--family", help="CMS family (crawler/families), e.g. trs, hanweb; default generic.")
@click.option(
    "--tests-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("tests"),
    show_default=True,
    help="The project's tests folder; fixtures go to its fixtures/sites/NAME/.",
)
@click.pass_context
def new_source(
    ctx: click.Context,
    name: str,
    url: str,
    area: str | None,
    site_name: str | None,
    family: str | None,
    tests_dir: Path,
) -> None:
    """Capture URL's list page and two articles as fixtures, write a failing test, add NAME."""
    from crawler.families import get_family
    from crawler.genspider import Capturer, guess_area, render_test

    app: App = ctx.obj
    config_dir = app.editable_config_dir
    if any(s.name == name for s in app.config.sources):
        raise ConfigError(f"{config_dir / 'sources.yaml'}: source {name!r} exists")
    if not tests_dir.is_dir():
        raise ConfigError(f"{tests_dir}: tests folder not found (run from the project checkout)")
    test_file = tests_dir / f"test_source_{name}.py"
    if test_file.exists():
        raise ConfigError(f"{test_file}: already exists")
    get_family(family)
    draft = {"name": name, "area": area or "?", "site_name": site_name or "?", "list_urls": [url]}
    try:
        source = Source.model_validate({**draft, "family": family})
    except ValueError as exc:
        raise ConfigError(f"new source {name!r}: {str(exc).splitlines()[-1].strip()}") from None

    capturer = Capturer(
        source,
        tests_dir / "fixtures" / "sites",
        user_agent=_user_agent(app),
        timeout=app.config.settings.crawl.timeout_seconds,
    )
    captured = clock_now(app.tz)
    capture = capturer.capture(app.tz, captured)
    site_name = site_name or capture.page_site or capture.page_title.split("-")[-1].strip()
    area = area or guess_area(site_name, capture.page_title)
    if area is None:
        raise ConfigError(f"cannot tell the area of {url} from {site_name!r}; give --area")
    capture.source = source.model_copy(update={"area": area, "site_name": site_name})
    ctx.invoke(
        add_source,
        name=name,
        area=area,
        site_name=site_name,
        list_urls=(url,),
        family=family,
    )
    for path in capture.write():
        click.echo(f"captured {path}")
    test_file.write_text(render_test(capture, captured=captured, config_dir=config_dir), "utf-8")
    click.echo(f"wrote {test_file} (fails until its TODO values are filled in)")


COMMANDS: list[click.Command] = []
