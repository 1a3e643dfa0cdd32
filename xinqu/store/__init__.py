"""The store: SQLAlchemy models, sessions and Alembic migrations.

One module owns each table (``articles`` owns articles and crawl runs; later
modules own processing, issues, subscribers and deliveries); other code goes
through the functions those modules export.
"""

from xinqu.store.base import Base, Store, open_store

__all__ = ["Base", "Store", "open_store"]
