"""Alembic environment: runs on the engine the Store hands over (no alembic.ini needed).

From the command line (`alembic -c alembic.ini ...`) the URL comes from
``XINQU_DATABASE_URL`` or the default SQLite file under ``./var``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context

from xinqu.store.base import Base, _import_models, make_engine, resolve_database_url

_import_models()
config = context.config
engine = config.attributes.get("engine")
if engine is None:
    url = resolve_database_url(Path(os.environ.get("XINQU_DATA", "var")))
    engine = make_engine(url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
