"""Engine, sessions, the UTC datetime column type and migrations."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from xinqu import resources
from xinqu.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = resources.migrations_dir()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend.

    SQLite has no zone-aware type, so values are stored as naive UTC and handed
    back as aware UTC; a naive value on the way in is a programming error.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def _import_models() -> None:
    """Import every module of this package so Base.metadata knows all tables."""
    package = importlib.import_module("xinqu.store")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in {"migrations"}:
            importlib.import_module(f"xinqu.store.{info.name}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """An open database: an engine plus a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (every head); one INFO line when it did.

        Alembic's own INFO chatter (context, each step) is kept out of the log: an
        up-to-date database is checked and left without a word.
        """
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["engine"] = self.engine
        alembic_log = logging.getLogger("alembic")
        level = alembic_log.level
        alembic_log.setLevel(logging.WARNING)
        try:
            heads = set(ScriptDirectory.from_config(cfg).get_heads())
            with self.engine.connect() as conn:
                current = set(MigrationContext.configure(conn).get_current_heads())
            if current == heads:
                return
            command.upgrade(cfg, "heads")
        except DBAPIError as exc:
            raise StoreError(
                f"cannot migrate the database at {self.safe_url}: {_one_line(exc.orig or exc)}"
            ) from None
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot migrate the database at {self.safe_url}: {_one_line(exc)}"
            ) from None
        finally:
            alembic_log.setLevel(level)
        log.info(
            "migrated the database at %s from %s to %s",
            self.safe_url,
            ", ".join(sorted(current)) or "empty",
            ", ".join(sorted(heads)),
        )

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


#: The environment variable naming an external database. A URL with a password is a
#: secret, and secrets come only from the environment, so it wins over settings.yaml.
DATABASE_URL_ENV = "XINQU_DATABASE_URL"


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'xinqu.db').resolve()}"


def external_database_url(configured: str | None) -> str | None:
    """The external database in force: ``XINQU_DATABASE_URL``, else ``settings.database_url``."""
    return os.environ.get(DATABASE_URL_ENV) or configured


def resolve_database_url(data_dir: Path, configured: str | None = None) -> str:
    """The database a command works on: the external one, else the data folder's SQLite file."""
    return external_database_url(configured) or default_database_url(data_dir)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the database at ``url``; any failure is one StoreError."""
    _import_models()
    try:
        safe = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise StoreError(
            f"database_url {url.split('@')[-1]!r} is not a database URL (expected e.g. "
            "postgresql+psycopg://user@host/dbname or sqlite:////path/to/xinqu.db)"
        ) from None
    try:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        store = Store(url)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"cannot open the database at {safe}: {_one_line(exc)}") from None
    if migrate:
        try:
            store.migrate()
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database at {safe}: {_one_line(exc)}") from None
    return store
