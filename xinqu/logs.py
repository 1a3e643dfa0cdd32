"""Logging: one line per event; quiet on the console by default, rotating files on disk."""

from __future__ import annotations

import logging
import logging.handlers
from datetime import datetime
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ZonedFormatter(logging.Formatter):
    """Times with their zone, to the second: ``2026-11-25T10:00:00+08:00``.

    The zone is the machine's (where the operator reads the log); ``xinqu status``
    shows the bulletin's, marked the same way.
    """

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


class OneLineFormatter(logging.Formatter):
    """A record as one console line: a library's traceback (Twisted's, on a refused
    connection) goes to the log file only, the console says where it went."""

    def __init__(self, fmt: str, *, to_file: bool) -> None:
        super().__init__(fmt)
        self.to_file = to_file

    def format(self, record: logging.LogRecord) -> str:
        line = " ".join(record.getMessage().split())
        if record.exc_info or record.exc_text or record.stack_info:
            error = record.exc_info[1] if record.exc_info else None
            if error is not None and str(error) and str(error) not in line:
                line += f" ({type(error).__name__}: {' '.join(str(error).split())})"
            if self.to_file:
                line += " — details in the log file"
        return f"{record.levelname} {record.name}: {line}"


def setup_logging(log_dir: Path | None, verbose: int = 0) -> None:
    """Console gets warnings (info with -v, debug with -vv); the file gets info.

    The file handler is attached lazily on the first record so that `--help` or
    a config error does not create a data folder.
    """
    root = logging.getLogger()
    if getattr(root, "_xinqu_configured", False):
        return
    root.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
    if verbose >= 2:
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        console.setFormatter(OneLineFormatter(FORMAT, to_file=log_dir is not None))
    root.addHandler(console)
    if log_dir is not None:
        root.addHandler(_LazyRotatingFile(log_dir / "xinqu.log"))
    for noisy in ("scrapy", "twisted", "filelock", "trafilatura", "htmldate", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose < 2 else logging.INFO)
    root._xinqu_configured = True  # type: ignore[attr-defined]


def console_shows_info() -> None:
    """For the long-running service: its jobs' starts and results reach the console too."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            handler.setLevel(min(handler.level, logging.INFO))


class _LazyRotatingFile(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(logging.INFO)
        self.path = path
        self._handler: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._handler is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handler = logging.handlers.RotatingFileHandler(
                self.path, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
            )
            self._handler.setFormatter(ZonedFormatter(FORMAT))
        self._handler.emit(record)

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()
        super().close()
