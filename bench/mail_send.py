"""How fast `digest send` delivers, and what its exactly-once bookkeeping costs.

Sends one issue to N subscribers through a real SMTP server (aiosmtpd on
127.0.0.1) three ways, in this process, and prints messages per second:

- baseline: bare smtplib, one connection, the same bytes, no records;
- engine: xinqu.mail.send_issue (three committed state changes per message);
- per-connection: bare smtplib opening a new connection for every message.

Usage: .venv/bin/python bench/mail_send.py [N]
"""

from __future__ import annotations

import smtplib
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mailkit import SmtpSink, add_issue, serve_smtp, smtp_settings  # noqa: E402

from xinqu.app import App  # noqa: E402
from xinqu.mail import send_issue  # noqa: E402
from xinqu.store.subscribers import upsert_subscriber  # noqa: E402


def _app(folder: Path, port: int) -> App:
    config = folder / "config"
    config.mkdir()
    (config / "settings.yaml").write_text(
        yaml.safe_dump({"mail": smtp_settings(port)}, allow_unicode=True), "utf-8"
    )
    (config / "sources.yaml").write_text("sources: []\n", "utf-8")
    (config / "sections.yaml").write_text((ROOT / "config" / "sections.yaml").read_text("utf-8"))
    return App(config_dir=config, data_dir=folder / "data")


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, serve_smtp(SmtpSink()) as sink:
        app = _app(Path(tmp), sink.port)
        with app.store.session() as session:
            for i in range(n):
                upsert_subscriber(session, f"reader{i}@example.org", name=f"读者{i}")
        issue = add_issue(app)

        start = time.perf_counter()
        report = send_issue(app, issue.id)
        engine = time.perf_counter() - start
        assert len(report.sent) == n and len(sink.received) == n
        payload = sink.received[0].raw

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
        app.close()

    print(f"messages: {n}, size {len(payload)} bytes, database: SQLite (WAL)")
    print(f"baseline smtplib, one connection : {n / baseline:8.1f} msg/s")
    print(
        f"send_issue (records, 3 commits)   : {n / engine:8.1f} msg/s "
        f"({engine / baseline:.2f}x baseline time)"
    )
    print(
        f"smtplib, a connection per message: {n / per_connection:8.1f} msg/s "
        f"({per_connection / baseline:.2f}x baseline time)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
