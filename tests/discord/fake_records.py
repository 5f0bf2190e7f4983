"""What the fake records: the bot's messages and the interactions it was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EPHEMERAL = 64


@dataclass
class Sent:
    """A message the bot made appear (REST, interaction response or follow-up)."""

    payload: dict[str, Any]
    via: str
    files: dict[str, bytes] = field(default_factory=dict)
    pings: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.payload.get("flags", 0) & EPHEMERAL)

    @property
    def text(self) -> str:
        """Content and embed text together, for assertions."""
        parts = [self.payload.get("content") or ""]
        for e in self.payload.get("embeds") or []:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in e.get("fields") or []]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(parts)

    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"]
            for row in self.payload.get("components") or []
            for c in row["components"]
            if "custom_id" in c
        ]


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    created: float
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[Sent] = field(default_factory=list)
    original: Sent | None = None
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    deferred_ephemeral: bool | None = None
    filled: bool = False

    @property
    def acked(self) -> bool:
        return bool(self.callbacks)

    @property
    def response_types(self) -> list[int]:
        return [c["type"] for c in self.callbacks]

    def messages(self) -> list[Sent]:
        """What the member saw: the response message (once filled) and the follow-ups."""
        out = [self.original] if self.original is not None and self.filled else []
        return out + [m for m in self.followups if m is not self.original]

    @property
    def answered(self) -> bool:
        return bool(self.messages()) or self.modal is not None or self.choices is not None
