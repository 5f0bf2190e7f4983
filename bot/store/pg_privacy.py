"""Privacy for the PostgreSQL store: the same rules as :mod:`bot.store.privacy` (text emptied,
user ids replaced by placeholders that name no one, rows and counts kept), in PostgreSQL's SQL."""

from __future__ import annotations

from typing import Any

from bot.store.base import Purged
from bot.store.pg_connection import PgConnection, status_count
from bot.store.privacy import NOT_PURGED, PURGED_AUTHOR, ROW_PLACEHOLDER


class PgPrivacy(PgConnection):
    """``purge_before`` and ``purge_user`` of :class:`bot.store.base.Store`."""

    async def purge_before(self, cutoff: str) -> Purged:
        async with self._transaction() as con:
            return Purged(
                queries=await _update(
                    con,
                    "UPDATE queries SET text = '', author = $1 WHERE at < $2 AND (text != '' OR author != $1)",
                    PURGED_AUTHOR,
                    cutoff,
                ),
                feedback=await _update(
                    con, f"UPDATE feedback SET actor = {ROW_PLACEHOLDER} WHERE at < $1 AND {NOT_PURGED}", cutoff
                ),
                gaps=await _update(con, "UPDATE gaps SET text = '' WHERE at < $1 AND text != ''", cutoff),
                review=await _update(
                    con,
                    f"UPDATE review_records SET text = '', actor = {ROW_PLACEHOLDER} "
                    f"WHERE at < $1 AND (text != '' OR {NOT_PURGED})",
                    cutoff,
                ),
            )

    async def purge_user(self, user: str) -> Purged:
        theirs = "SELECT id FROM queries WHERE author = $1"
        async with self._transaction() as con:
            # Everything that points at their queries first, while the queries still name them.
            review = await _update(
                con,
                f"UPDATE review_records SET text = '', actor = CASE WHEN actor = $1 THEN {ROW_PLACEHOLDER} "
                f"ELSE actor END WHERE (actor = $1 OR query_id IN ({theirs})) AND (text != '' OR actor = $1)",
                user,
            )
            gaps = await _update(con, f"UPDATE gaps SET text = '' WHERE query_id IN ({theirs}) AND text != ''", user)
            feedback = await _update(con, f"UPDATE feedback SET actor = {ROW_PLACEHOLDER} WHERE actor = $1", user)
            queries = await _update(
                con, "UPDATE queries SET text = '', author = $1 WHERE author = $2", PURGED_AUTHOR, user
            )
            return Purged(queries=queries, feedback=feedback, gaps=gaps, review=review)


async def _update(con: Any, sql: str, *params: str) -> int:
    return status_count(await con.execute(sql, *params))
