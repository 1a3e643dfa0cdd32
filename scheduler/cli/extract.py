"""`xinqu extract`: what the article extractor makes of one page (a saved file or a URL)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import click

from crawler.settings import USER_AGENT
from scheduler.app import App
from scheduler.errors import XinquError

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


@click.command()
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--url", help="The page's real address (for a saved file).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def extract(app: App, target: str, url: str | None, fmt: str) -> None:
    """What the article extractor makes of one page."""
    from crawler.extract import extract_article

    html, real_url = _read(target, url)
    article = extract_article(html, real_url, tz=app.tz)
    if fmt == "json":
        click.echo(json.dumps(article.as_dict(), ensure_ascii=False, indent=2))
        return
    published = article.published_at.isoformat() if article.published_at else "-"
    click.echo(f"title:        {article.title or '-'}")
    click.echo(f"published_at: {published}")
    click.echo(f"source_line:  {article.source_line or '-'}")
    click.echo(f"body from:    {article.body_from or '-'}")
    click.echo("")
    click.echo(article.text)


COMMANDS = [extract]
