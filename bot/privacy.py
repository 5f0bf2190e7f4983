"""The retention period: people's message text and user ids are kept ``[store] retention_days``
days, then emptied everywhere the store keeps them (the rows and so the counts stay)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from bot.store.base import Purged, Store

log = logging.getLogger(__name__)


def cutoff_for(retention_days: int, now: datetime | None = None) -> str:
    """The ISO time before which records are purged."""
    return ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat(timespec="seconds")


async def purge_expired(store: Store, retention_days: int) -> Purged:
    """Empty the text and user ids recorded more than ``retention_days`` ago; returns the counts."""
    purged = await store.purge_before(cutoff_for(retention_days))
    # The auto-reply ledger remembers which threads were answered; it keeps them as long.
    await store.forget_replies(time.time() - retention_days * 86400)
    if purged.total:
        log.info(
            "retention: emptied text and user ids older than %d days",
            retention_days,
            extra={
                "queries": purged.queries,
                "feedback": purged.feedback,
                "gaps": purged.gaps,
                "review": purged.review,
            },
        )
    return purged
