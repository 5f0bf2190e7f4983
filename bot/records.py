"""What one answer leaves behind: the query record, the metric labels, and the note asking for
the full error when a code is in no table."""

from __future__ import annotations

from bot.metrics import PLATFORMS
from bot.metrics import Mode as ModeLabel
from bot.metrics import Platform as PlatformLabel
from bot.models import Incoming, Mode
from bot.policy import Decision
from bot.store.base import QueryRecord

# Metric labels are fixed sets: a platform the metrics do not name counts as the command line.
_MODE_LABELS: dict[Mode, ModeLabel] = {
    Mode.SLASH: "slash",
    Mode.CONTEXT: "context-menu",
    Mode.AUTO: "auto",
    Mode.MENTION: "mention",
    Mode.CLI: "cli",
}


def platform_label(name: str) -> PlatformLabel:
    """The metrics label for a platform name (one the metrics do not know counts as "cli")."""
    return name if name in PLATFORMS else "cli"


def labels(incoming: Incoming) -> tuple[PlatformLabel, ModeLabel]:
    """The metrics labels of a message: its platform and how it was asked."""
    return platform_label(incoming.place.platform), _MODE_LABELS[incoming.mode]


def query_record(incoming: Incoming, decision: Decision) -> QueryRecord:
    """What the query log keeps of one asked message and what the bot decided."""
    top = decision.matches[0] if decision.matches else None
    place = incoming.place
    return QueryRecord(
        platform=place.platform,
        scope=place.scope,
        channel=place.channel,
        author=incoming.author,
        mode=incoming.mode.value,
        text=incoming.text,
        outcome=decision.outcome.value,
        top_id=top.entry.id if top else None,
        confidence=top.confidence if top else None,
        match_ids=tuple(m.entry.id for m in decision.matches),
    )


def unknown_code_note(unknown: tuple[tuple[str | None, int], ...]) -> str:
    """What to ask for when a code is in no table: the parts of the error that identify it."""
    codes = ", ".join(f"{d} {c}" if d else str(c) for d, c in unknown[:3])
    return (
        f"{codes}: not a documented code in any table this bot knows. Please post the full error: "
        "its domain (Error Domain=...), the NSUnderlyingError, and the _kCFStreamErrorDomainKey / "
        "_kCFStreamErrorCodeKey values, so it can be identified."
    )
