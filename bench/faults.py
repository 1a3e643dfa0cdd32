"""The mail fault suite as a table: what was tried against a hostile SMTP server and a
shared database, and how many readers lost their copy or got two.

Runs every scenario of tests/faultkit.py (real `xinqu digest send` processes, a
raw-socket SMTP server on 127.0.0.1; with ``--postgres URL`` also two senders on
that PostgreSQL) and prints one line per scenario and the totals. Exit status 1
when anything was lost or sent twice.

Usage: .venv/bin/python bench/faults.py [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from faultkit import SCENARIOS, Tally, two_senders  # noqa: E402


def _on_fresh_schema(admin_url: str, run: Callable[[str], Tally]) -> Tally:
    """Run on a schema made for the run and dropped after it (the database may be shared)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    schema = f"xq_faults_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        joiner = "&" if "?" in admin_url else "?"
        return run(f"{admin_url}{joiner}options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run two senders on this (empty) database")
    args = parser.parse_args()
    tallies: list[Tally] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, scenario in SCENARIOS.items():
            start = time.monotonic()
            tally = scenario(Path(tmp) / name)
            tallies.append(tally)
            print(f"{tally.line()}  [{time.monotonic() - start:.1f} s]", flush=True)
        if args.postgres:
            tally = _on_fresh_schema(args.postgres, lambda url: two_senders(Path(tmp) / "pg", url))
            tallies.append(tally)
            print(tally.line(), flush=True)
    lost = sum(len(t.lost) for t in tallies)
    twice = sum(len(t.twice) for t in tallies)
    readers = sum(t.readers for t in tallies)
    print(f"total: {len(tallies)} scenarios, {readers} readers, lost {lost}, sent twice {twice}")
    return 1 if lost or twice else 0


if __name__ == "__main__":
    raise SystemExit(main())
