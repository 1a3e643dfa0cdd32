"""Copy one store into another without loss: `xinqu db migrate-to URL`.

The usual case is an institute's SQLite file moving into PostgreSQL when one machine
is no longer enough. Both stores are migrated to the newest schema first, so they
have the same tables. Each table goes over in foreign-key order and in primary-key
order within it, in batches that are each their own transaction, and a batch leaves
out the rows the target already holds (by primary key): a copy cut off part-way is
resumed by running it again with ``resume``. At the end every table's row count and
a checksum of its contents are compared on both sides; the copy is good only when
all of them agree.

A target that already holds rows is refused unless ``resume`` is given, so a
mistyped URL cannot mix two installations' data. Stop the scheduler before copying:
rows written to the source during the copy may be missed (the final comparison
says so).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Table, func, select, text, tuple_
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from xinqu.errors import StoreError
from xinqu.store.base import Base, Store

#: Rows per batch: big enough to keep round trips few, small enough (article bodies are
#: a few KB each) to keep a batch's memory to some megabytes.
BATCH_ROWS = 1000


@dataclass
class TableCopy:
    """What happened to one table."""

    name: str
    source_rows: int = 0
    copied: int = 0
    already_there: int = 0
    target_rows: int = 0
    source_checksum: str = ""
    target_checksum: str = ""

    @property
    def agrees(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum

    def line(self) -> str:
        state = "ok" if self.agrees else "DIFFERS"
        kept = f", {self.already_there} already there" if self.already_there else ""
        return (
            f"{self.name}: {self.copied} rows copied{kept}; source {self.source_rows}, "
            f"target {self.target_rows} rows, checksum {self.target_checksum[:12]} {state}"
        )


@dataclass
class CopyReport:
    tables: list[TableCopy] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(table.agrees for table in self.tables)

    @property
    def differing(self) -> list[str]:
        return [table.name for table in self.tables if not table.agrees]


def tables() -> list[Table]:
    """The store's tables, parents before the tables that refer to them."""
    return list(Base.metadata.sorted_tables)


def target_rows(store: Store) -> dict[str, int]:
    """Row counts of the tables that hold any rows."""
    with store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
        }
    return {name: count for name, count in counts.items() if count}


def copy_store(
    source: Store,
    target: Store,
    *,
    resume: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[TableCopy], None] | None = None,
) -> CopyReport:
    """Copy every row of ``source`` into ``target``; compare counts and checksums after."""
    if source.engine.url == target.engine.url:
        raise StoreError("the target is the source itself: give another database URL")
    held = target_rows(target)
    if held and not resume:
        listed = ", ".join(f"{name} {count}" for name, count in sorted(held.items()))
        raise StoreError(
            f"the target {target.safe_url} already holds rows ({listed}): give --resume to "
            "go on with a copy cut off part-way, or name an empty database"
        )
    report = CopyReport()
    for table in tables():
        done = _copy_table(source, target, table, batch_rows)
        done.source_rows, done.source_checksum = checksum(source, table)
        done.target_rows, done.target_checksum = checksum(target, table)
        report.tables.append(done)
        if progress:
            progress(done)
    return report


def _primary_key(table: Table) -> list[Column[Any]]:
    key = list(table.primary_key.columns)
    if not key:
        raise StoreError(f"table {table.name} has no primary key: it cannot be copied by key")
    return key


def _key_of(row: Row[Any], key: Sequence[Column[Any]]) -> tuple[Any, ...]:
    return tuple(row._mapping[column] for column in key)


def _after(key: Sequence[Column[Any]], last: tuple[Any, ...] | None) -> list[ColumnElement[bool]]:
    if last is None:
        return []
    if len(key) == 1:
        return [key[0] > last[0]]
    return [tuple_(*key) > tuple_(*last)]


def _batches(
    conn: Connection, table: Table, key: Sequence[Column[Any]], size: int
) -> Iterator[list[Row[Any]]]:
    """The table's rows in key order, ``size`` at a time (keyset paging: no OFFSET)."""
    last: tuple[Any, ...] | None = None
    while True:
        rows = list(
            conn.execute(select(table).where(*_after(key, last)).order_by(*key).limit(size)).all()
        )
        if not rows:
            return
        yield rows
        last = _key_of(rows[-1], key)


def _among(key: Sequence[Column[Any]], keys: list[tuple[Any, ...]]) -> ColumnElement[bool]:
    """The rows whose key is one of ``keys`` (not a key range: the two backends may sort
    text keys differently)."""
    if len(key) == 1:
        return key[0].in_([k[0] for k in keys])
    return tuple_(*key).in_(keys)


def _copy_table(source: Store, target: Store, table: Table, size: int) -> TableCopy:
    key = _primary_key(table)
    done = TableCopy(table.name)
    with source.engine.connect() as reading:
        for rows in _batches(reading, table, key, size):
            keys = [_key_of(row, key) for row in rows]
            with target.engine.begin() as writing:
                present = {
                    tuple(found) for found in writing.execute(select(*key).where(_among(key, keys)))
                }
                missing = [dict(row._mapping) for row in rows if _key_of(row, key) not in present]
                if missing:
                    writing.execute(table.insert(), missing)
            done.copied += len(missing)
            done.already_there += len(rows) - len(missing)
    if target.engine.dialect.name == "postgresql":
        _advance_sequences(target, table)
    return done


def _advance_sequences(target: Store, table: Table) -> None:
    """Explicit ids leave a PostgreSQL serial's sequence behind: move it past the copied
    rows, or the next row the product inserts would collide with one of them."""
    with target.engine.begin() as conn:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar_one()
            if sequence:
                conn.execute(
                    text(
                        f"SELECT setval(:sequence, COALESCE((SELECT MAX({column.name}) "
                        f"FROM {table.name}), 0) + 1, false)"
                    ),
                    {"sequence": sequence},
                )


def _canonical(value: Any) -> Any:
    """One spelling of a value whatever backend read it (SQLite and PostgreSQL hand back
    the same Python types through the store's column types, bar these)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def checksum(store: Store, table: Table) -> tuple[int, str]:
    """(rows, a checksum of the table's contents) — the sum of its rows' sha256 digests
    modulo 2**256, so the order a backend reads rows in (text keys sort by collation on
    PostgreSQL, bytewise on SQLite) does not matter, and any changed row shows."""
    key = _primary_key(table)
    total = 0
    count = 0
    with store.engine.connect() as conn:
        for rows in _batches(conn, table, key, BATCH_ROWS):
            for row in rows:
                values = [_canonical(value) for value in row]
                line = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
                total = (total + int.from_bytes(hashlib.sha256(line.encode()).digest())) % 2**256
                count += 1
    return count, f"{total:064x}"
