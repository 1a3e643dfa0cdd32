"""How fast `digest send` delivers, what its exactly-once bookkeeping costs, and how
it grows with send workers.

Sends one issue to N subscribers through a real SMTP server (aiosmtpd on
127.0.0.1, in this process) and prints messages per second:

- baseline: bare smtplib, one connection, the same bytes, no records;
- per-connection: bare smtplib opening a new connection for every message;
- engine, W workers: xinqu.mail.send_issue(workers=W) — W processes claiming
  records (three committed state changes per message), for each W asked.

Each engine run gets a fresh store: a new SQLite file, or with ``--database``
a new schema in that PostgreSQL database (dropped afterwards).

    .venv/bin/python bench/mail_send.py 2000
    .venv/bin/python bench/mail_send.py 50000 --workers 1 2 4 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mailkit import SmtpSink, add_issue, serve_smtp, smtp_settings  # noqa: E402

from xinqu.app import App  # noqa: E402
from xinqu.clock import now  # noqa: E402
from xinqu.mail import send_issue  # noqa: E402
from xinqu.store.subscribers import Subscriber  # noqa: E402


@contextmanager
def fresh_database(admin_url: str | None, folder: Path) -> Iterator[str | None]:
    """None (the data folder's SQLite file), or a URL into a new PostgreSQL schema."""
    if admin_url is None:
        yield None
        return
    schema = f"xq_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{joiner}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def make_app(folder: Path, port: int, database_url: str | None, n: int) -> App:
    config = folder / "config"
    config.mkdir()
    settings: dict[str, object] = {"mail": smtp_settings(port)}
    if database_url:
        settings["database_url"] = database_url
    (config / "settings.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    (config / "sources.yaml").write_text("sources: []\n", "utf-8")
    (config / "sections.yaml").write_text((ROOT / "config" / "sections.yaml").read_text("utf-8"))
    app = App(config_dir=config, data_dir=folder / "data")
    stamp = now()
    rows = [
        {
            "email": f"reader{i}@example.org",
            "name": f"读者{i}",
            "state": "active",
            "created_at": stamp,
            "updated_at": stamp,
        }
        for i in range(n)
    ]
    with app.store.session() as session:
        for start in range(0, n, 5000):
            session.execute(insert(Subscriber), rows[start : start + 5000])
    return app


def engine_run(n: int, workers: int, admin_url: str | None, sink: SmtpSink) -> float:
    """Seconds one `send_issue(workers=W)` takes to deliver the issue to n readers."""
    with tempfile.TemporaryDirectory() as tmp, fresh_database(admin_url, Path(tmp)) as url:
        app = make_app(Path(tmp), sink.port, url, n)
        issue = add_issue(app)
        sink.received.clear()
        start = time.perf_counter()
        report = send_issue(app, issue.id, workers=workers)
        seconds = time.perf_counter() - start
        app.close()
    copies = sink.copies()
    assert len(report.sent) == n and len(copies) == n and set(copies.values()) == {1}
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipients", type=int, nargs="?", default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    n = args.recipients
    with serve_smtp(SmtpSink()) as sink:
        engine = {w: engine_run(n, w, args.database, sink) for w in args.workers}
        payload = sink.received[0].raw
        sink.received.clear()

        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as conn:
            for i in range(n):
                conn.sendmail("bulletin@example.org", [f"reader{i}@example.org"], payload)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        for i in range(n):
            with smtplib.SMTP("127.0.0.1", sink.port) as conn:
                conn.sendmail("bulletin@example.org", [f"reader{i}@example.org"], payload)
        per_connection = time.perf_counter() - start

    database = "PostgreSQL" if args.database else "SQLite (WAL)"
    print(f"messages: {n}, size {len(payload)} bytes, database: {database}")
    print(f"baseline smtplib, one connection  : {n / baseline:8.1f} msg/s")
    print(
        f"smtplib, a connection per message : {n / per_connection:8.1f} msg/s "
        f"({per_connection / baseline:.2f}x baseline time)"
    )
    one = engine.get(1)
    for workers, seconds in engine.items():
        line = (
            f"send_issue, {workers} worker(s)        : {n / seconds:8.1f} msg/s "
            f"({seconds / baseline:.2f}x baseline time"
        )
        if one and workers != 1:
            line += f", {one / seconds:.2f}x one worker's rate"
        print(line + ")")


if __name__ == "__main__":
    main()
