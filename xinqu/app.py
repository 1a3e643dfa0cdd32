"""The application context every command works in: config, data folder, store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from xinqu.config import Config, load_config
from xinqu.errors import ConfigError
from xinqu.store.base import Store, default_database_url, open_store


@dataclass
class App:
    """Loaded lazily so `xinqu --help` needs neither a valid config nor a database."""

    config_dir: Path | None = None
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("XINQU_DATA", "var")))

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
    def database_url(self) -> str:
        return self.config.settings.database_url or default_database_url(self.data_dir)

    @cached_property
    def store(self) -> Store:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return open_store(self.database_url)

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.dispose()
