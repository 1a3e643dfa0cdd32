"""The application context every command works in: config, data folder, store."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from xinqu.config import Config, load_config
from xinqu.errors import ConfigError, XinquError
from xinqu.store.base import Store, external_database_url, open_store, resolve_database_url


@dataclass
class App:
    """Loaded lazily so `xinqu --help` needs neither a valid config nor a database."""

    config_dir: Path | None = None
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("XINQU_DATA", "var")))
    #: Told (once, one line) when a command creates the data folder; logs it by default.
    on_created: Callable[[Path], None] | None = None

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_dir)

    @property
    def editable_config_dir(self) -> Path:
        """The configuration folder commands may write to (``sources add``, ``sources new``).

        The shipped configuration is package data, never edited in place: it must be
        named explicitly (``--config`` or ``XINQU_CONFIG``), as a copy made by
        ``xinqu init DIR`` or a source checkout's ``config/``.
        """
        if self.config_dir is None:
            raise ConfigError(
                "the shipped configuration is not edited in place: run `xinqu init DIR` for an "
                "editable copy, then use --config DIR (or XINQU_CONFIG=DIR)"
            )
        return self.config.directory

    @property
    def tz(self) -> ZoneInfo:
        return self.config.settings.tz

    @property
    def external_database_url(self) -> str | None:
        """``XINQU_DATABASE_URL``, else ``settings.database_url``; None for the SQLite default."""
        return external_database_url(self.config.settings.database_url)

    @property
    def database_url(self) -> str:
        return resolve_database_url(self.data_dir, self.config.settings.database_url)

    @property
    def has_data(self) -> bool:
        """Whether there is state to read: an external database, or the data folder's."""
        return bool(self.external_database_url) or (self.data_dir / "xinqu.db").exists()

    def require_data_dir(self) -> None:
        """For read-only commands: say where we looked instead of creating an empty store."""
        if not self.has_data:
            raise XinquError(
                f"no data folder at {self.data_dir.resolve()} (no xinqu.db there): run in the "
                "folder that holds it, or give --data DIR (or XINQU_DATA)"
            )

    @cached_property
    def store(self) -> Store:
        """The store; the data folder is made (and said so) only once a database opened,
        so a bad ``database_url`` leaves nothing behind but its one-line error."""
        created = not self.data_dir.exists()
        if created and self.external_database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite file lives in it
        store = open_store(self.database_url)
        if created:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            announce = self.on_created or (
                lambda path: logging.getLogger(__name__).info("created data folder %s", path)
            )
            announce(self.data_dir)
        return store

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.dispose()
