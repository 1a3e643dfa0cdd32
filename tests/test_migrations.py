"""The migrations and the models agree, and the history has one head."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from xinqu.store.base import MIGRATIONS_DIR, Base, open_store, resolve_database_url

pytestmark = pytest.mark.usefixtures("store_backend")


def test_upgraded_schema_matches_the_models(tmp_path: Path) -> None:
    store = open_store(resolve_database_url(tmp_path))
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.dispose()


def test_history_has_a_single_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
