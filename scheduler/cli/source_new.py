"""`xinqu sources new NAME URL`: add a source with its captured fixture site and expectation.

Adding a site is three things and no code: the source entry in sources.yaml, the
fixture site (list page and two articles, saved from the live site), and its
``expected.json``, filled with what the crawler read from those pages for the editor
to confirm. The fixture goes beside the configuration that got the entry
(``<config>/fixtures/sites/NAME/``); with ``--into-repo``, into the project's
``tests/fixtures/sites/NAME/``, where the parametrised expectation test runs it and
the shipped-sources contract asks for it.
"""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.sources import add_source, sources
from xinqu.app import App
from xinqu.clock import now as clock_now
from xinqu.config import SHIPPED_CONFIG_DIR, Source
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
    "--into-repo",
    is_flag=True,
    help="Write the fixture into the project checkout's tests/fixtures/sites/NAME/ "
    "(for a source shipped with the project); default: the config folder's fixtures/.",
)
@click.option(
    "--tests-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("tests"),
    show_default=True,
    help="With --into-repo: the checkout's tests folder.",
)
@click.pass_context
def new_source(
    ctx: click.Context,
    name: str,
    url: str,
    area: str | None,
    site_name: str | None,
    family: str | None,
    into_repo: bool,
    tests_dir: Path,
) -> None:
    """Capture URL's list page and two articles as fixtures, write their expectation, add NAME."""
    from crawler.families import get_family
    from crawler.genspider import EXPECTATION, Capturer, guess_area, render_expectation

    app: App = ctx.obj
    config_dir = app.editable_config_dir
    if any(s.name == name for s in app.config.sources):
        raise ConfigError(f"{config_dir / 'sources.yaml'}: source {name!r} exists")
    if into_repo:
        if not tests_dir.is_dir():
            raise ConfigError(
                f"{tests_dir}: tests folder not found (--into-repo runs in the project checkout)"
            )
        sites_dir = tests_dir / "fixtures" / "sites"
    elif config_dir.resolve() == SHIPPED_CONFIG_DIR.resolve():
        raise ConfigError(
            f"{config_dir} is the project's shipped configuration: add --into-repo so the "
            "fixture goes to tests/fixtures/sites/ where the shipped-sources test looks"
        )
    else:
        sites_dir = config_dir / "fixtures" / "sites"
    expectation = sites_dir / name / EXPECTATION
    if expectation.exists():
        raise ConfigError(f"{expectation}: already exists")
    get_family(family)
    draft = {"name": name, "area": area or "?", "site_name": site_name or "?", "list_urls": [url]}
    try:
        source = Source.model_validate({**draft, "family": family})
    except ValueError as exc:
        raise ConfigError(f"new source {name!r}: {str(exc).splitlines()[-1].strip()}") from None

    capturer = Capturer(
        source,
        sites_dir,
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
        options=(),
        offline=True,  # the capture has just fetched and read the list
    )
    for path in capture.write():
        click.echo(f"captured {path}")
    expectation.write_text(
        render_expectation(capture, captured=captured, config_dir=config_dir, tz=app.tz),
        "utf-8",
    )
    click.echo(
        f"wrote {expectation}: the values the crawler read from the saved pages; "
        "compare them with the pages and correct any that differ"
    )


COMMANDS: list[click.Command] = []
