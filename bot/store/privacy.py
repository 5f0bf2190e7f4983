"""Privacy for the SQLite store: people's message text and user ids are emptied after the
retention period, or on request for one person. Rows stay (text blanked, the id replaced by a
placeholder that names no one), so every count, chart and statistic is unchanged."""

from __future__ import annotations

import aiosqlite

from bot.store.base import Purged
from bot.store.connection import SQLiteConnection

# Feedback and review records are unique per (query, actor): their placeholder carries the row
# id so two purged rows of one query never collide; a query's author is just "purged".
PURGED_AUTHOR = "purged"
ROW_PLACEHOLDER = "'purged:' || id"
NOT_PURGED = "actor NOT LIKE 'purged:%'"


class PrivacyTables(SQLiteConnection):
    """``purge_before`` and ``purge_user`` of :class:`bot.store.base.Store`."""

    async def purge_before(self, cutoff: str) -> Purged:
        async with self._transaction() as db:
            return Purged(
                queries=await _update(
                    db,
                    "UPDATE queries SET text = '', author = ? WHERE at < ? AND (text != '' OR author != ?)",
                    (PURGED_AUTHOR, cutoff, PURGED_AUTHOR),
                ),
                feedback=await _update(
                    db, f"UPDATE feedback SET actor = {ROW_PLACEHOLDER} WHERE at < ? AND {NOT_PURGED}", (cutoff,)
                ),
                gaps=await _update(db, "UPDATE gaps SET text = '' WHERE at < ? AND text != ''", (cutoff,)),
                review=await _update(
                    db,
                    f"UPDATE review_records SET text = '', actor = {ROW_PLACEHOLDER} "
                    f"WHERE at < ? AND (text != '' OR {NOT_PURGED})",
                    (cutoff,),
                ),
            )

    async def purge_user(self, user: str) -> Purged:
        theirs = "SELECT id FROM queries WHERE author = ?"
        async with self._transaction() as db:
            # Everything that points at their queries first, while the queries still name them.
            review = await _update(
                db,
                f"UPDATE review_records SET text = '', actor = CASE WHEN actor = ? THEN {ROW_PLACEHOLDER} "
                f"ELSE actor END WHERE (actor = ? OR query_id IN ({theirs})) AND (text != '' OR actor = ?)",
                (user, user, user, user),
            )
            gaps = await _update(db, f"UPDATE gaps SET text = '' WHERE query_id IN ({theirs}) AND text != ''", (user,))
            feedback = await _update(db, f"UPDATE feedback SET actor = {ROW_PLACEHOLDER} WHERE actor = ?", (user,))
            queries = await _update(
                db, "UPDATE queries SET text = '', author = ? WHERE author = ?", (PURGED_AUTHOR, user)
            )
            return Purged(queries=queries, feedback=feedback, gaps=gaps, review=review)


async def _update(db: aiosqlite.Connection, sql: str, params: tuple[str, ...]) -> int:
    cur = await db.execute(sql, params)
    return int(cur.rowcount)
