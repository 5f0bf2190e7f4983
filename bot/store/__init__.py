"""Storage behind a Protocol (``bot.store.base``): SQLite (``bot.store.sqlite``) by default, one
file for one process; PostgreSQL (``bot.store.pg``, the ``postgres`` extra) when ``store.url``
is set, for several processes on one database. :func:`open_store` is the one place that picks."""

from __future__ import annotations

from bot.models import SupportBotError
from bot.settings import StoreSettings
from bot.store.base import Store


def store_for_url(url: str, timeout: float = 5.0) -> Store:
    """A store (not yet open) for ``sqlite:///path``, ``:memory:``, a plain path, or ``postgresql://...``."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from bot.store.pg import PostgresStore
        except ImportError:
            raise SupportBotError(
                "store.url is a PostgreSQL database but asyncpg is not installed: pip install 'supportbot[postgres]'"
            ) from None
        return PostgresStore(url, timeout=timeout)
    if "://" in url and not url.startswith("sqlite://"):
        raise SupportBotError(
            f"unknown database address '{url.split('://')[0]}://...': use sqlite:/// or postgresql://"
        )
    from bot.store.sqlite import SQLiteStore

    return SQLiteStore(url.removeprefix("sqlite://") if url.startswith("sqlite://") else url, timeout=timeout)


def open_store(settings: StoreSettings, memory: bool = False) -> Store:
    """The configured store (not yet open): PostgreSQL when ``url`` is set, else SQLite at ``path``;
    ``memory``: a private in-memory SQLite database (``ask`` and ``eval``)."""
    if memory:
        return store_for_url(":memory:", settings.busy_timeout)
    url = settings.url.get_secret_value().strip() if settings.url is not None else ""
    return store_for_url(url or settings.path, settings.busy_timeout)
