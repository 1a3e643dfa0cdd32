"""`xinqu extract`: what the article extractor makes of one page."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.app import App
from scheduler.errors import XinquError


def _read(target: str, url: str | None) -> tuple[str, str]:
    path = Path(target)
    if path.exists():
        from crawler.extract.encoding import decode_html

        return decode_html(path.read_bytes()), url or path.resolve().as_uri()
    if target.startswith(("http://", "https://")):
        import urllib.request

        try:
            with urllib.request.urlopen(target, timeout=30) as reply:
                charset = reply.headers.get_content_charset()
                from crawler.extract.encoding import decode_html

                return decode_html(reply.read(), charset), url or target
        except OSError as exc:
            raise XinquError(f"cannot fetch {target}: {exc}") from None
    raise XinquError(f"{target}: no such file, and not an http(s) URL")


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
        click.echo(article.as_json())
        return
    click.echo(f"title:        {article.title}")
    click.echo(f"published_at: {article.published_at.isoformat() if article.published_at else '-'}")
    click.echo(f"source_line:  {article.source_line or '-'}")
    click.echo("")
    click.echo(article.text)


COMMANDS = [extract]
