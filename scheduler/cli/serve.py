"""`xinqu serve`: the unsubscribe and confirm pages behind the links in each mail."""

from __future__ import annotations

import click

from xinqu.app import App


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve(app: App, host: str, port: int) -> None:
    """Serve the unsubscribe / confirm links (put it behind web.base_url)."""
    from xinqu.web import make_server

    server = make_server(app, host, port)
    click.echo(f"serving on http://{host}:{server.server_address[1]} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


COMMANDS = [serve]
