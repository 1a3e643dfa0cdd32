"""Where the package's shipped files are: the one place that knows.

Each is found through ``importlib.resources``, so a source checkout, an editable
install and an installed wheel all find the same files, from any working directory.
pip installs a package as files, so each resource is a real directory; these return
``Path`` because Jinja2's loader, Alembic and ``xinqu init`` need one. Nothing is ever
written here: run-time state lives in the data folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir(package: str) -> Path:
    return Path(str(files(package)))


def templates_dir() -> Path:
    """The Jinja2 templates (the repository's ``mail_templates/``)."""
    return _package_dir("xinqu.templates")


def shipped_config_dir() -> Path:
    """The shipped configuration (the repository's ``config/``)."""
    return _package_dir("xinqu.shipped_config")


def labelled_data() -> Path:
    """The section classifier's labelled set, trained from on first use."""
    return _package_dir("xinqu.data") / "classify" / "labelled.jsonl"


def migrations_dir() -> Path:
    """The store's Alembic migrations."""
    return _package_dir("xinqu.store") / "migrations"
