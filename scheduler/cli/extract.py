"""`xinqu extract`: what the article extractor makes of one page (a saved file or a URL)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.settings import USER_AGENT
from xinqu.app import App
from xinqu.errors import XinquError

if TYPE_CHECKING:
    from crawler.extract import ExtractedArticle
    from crawler.extract.pages import ArticlePages

MAX_BYTES = 20 * 1024 * 1024


def _read(target: str, url: str | None) -> tuple[str, str]:
    """The page's text and the address its relative links resolve against."""
    from crawler.extract.encoding import decode_html

    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                body = reply.read(MAX_BYTES)
                charset = reply.headers.get_content_charset()
                final_url = reply.geturl()
        except (OSError, ValueError) as exc:
            raise XinquError(f"cannot fetch {target}: {exc}") from None
        return decode_html(body, charset), url or final_url
    path = Path(target)
    if not path.exists():
        raise XinquError(f"{target}: no such file, and not an http(s) URL")
    if not path.is_file():
        raise XinquError(f"{target}: not a file")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise XinquError(f"cannot read {target}: {exc.strerror or exc}") from None
    return decode_html(body), url or path.resolve().as_uri()


def _whole(app: App, html: str, url: str, online: bool) -> tuple[ExtractedArticle, ArticlePages]:
    """The article over all its pages (fetched like a crawl does when ``url`` is online)."""
    from crawler.extract import extract_article
    from crawler.extract.pages import ArticlePages

    pages = ArticlePages(
        url, extract_article(html, url, tz=app.tz), app.config.settings.crawl.max_article_pages
    )
    while online and (following := pages.next_url(html, url)) is not None:
        try:
            html, url = _read(following, None)
        except XinquError as exc:
            pages.failed(following, str(exc).removeprefix(f"cannot fetch {following}: "))
            break
        if not pages.add(url, extract_article(html, url, tz=app.tz)):
            break
    if not online and (following := pages.next_url(html, url)) is not None:
        pages.incomplete = f"the page continues at {following} (a saved file: not followed)"
    return pages.article(), pages


@click.command()
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--url", help="The page's real address (for a saved file).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def extract(app: App, target: str, url: str | None, fmt: str) -> None:
    """What the article extractor makes of one page, followed over its continuation pages."""
    html, real_url = _read(target, url)
    online = target.startswith(("http://", "https://"))
    article, pages = _whole(app, html, real_url, online)
    if fmt == "json":
        click.echo(json.dumps(article.as_dict(), ensure_ascii=False, indent=2))
        if pages.incomplete:
            click.echo(f"xinqu: text incomplete: {pages.incomplete}", err=True)
        return
    published = article.published_at.isoformat() if article.published_at else "-"
    click.echo(f"title:        {article.title or '-'}")
    click.echo(f"published_at: {published}")
    click.echo(f"source_line:  {article.source_line or '-'}")
    click.echo(f"body from:    {article.body_from or '-'}")
    click.echo(f"pages:        {pages.pages}")
    if pages.incomplete:
        click.echo(f"incomplete:   {pages.incomplete}")
    click.echo("")
    click.echo(article.text)


COMMANDS = [extract]
