"""Storage behind a Protocol: the SQLite implementation is the default."""

from bot.store.base import QueryRecord, Store, StoreError

__all__ = ["QueryRecord", "Store", "StoreError"]
