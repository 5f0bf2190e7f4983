"""The guilds, channels and members the fake Discord knows, and their JSON payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_HISTORY = 1 << 16
USE_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
MEMBER = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_HISTORY | USE_COMMANDS
TEXT, FORUM, PUBLIC_THREAD = 0, 15, 11


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    roles: list[int] = field(default_factory=list)
    permissions: int = MEMBER


@dataclass
class Channel:
    id: int
    name: str
    type: int
    guild: Guild | None
    parent: Channel | None = None
    owner: User | None = None
    bot_can_send: bool = True

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }
        if self.guild is not None:
            data["guild_id"] = str(self.guild.id)
        if self.type == FORUM:
            data |= {"available_tags": [], "default_reaction_emoji": None, "default_forum_layout": 0, "topic": None}
        if self.type == PUBLIC_THREAD:
            assert self.parent is not None and self.owner is not None
            data |= {
                "parent_id": str(self.parent.id),
                "owner_id": str(self.owner.id),
                "message_count": 1,
                "member_count": 1,
                "total_message_sent": 1,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": "2026-01-01T00:00:00+00:00",
                    "locked": False,
                },
            }
        return data


@dataclass
class Role:
    id: int
    name: str
    permissions: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": 0 if self.name == "@everyone" else 1,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": True,
            "flags": 0,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    threads: list[Channel] = field(default_factory=list)

    def payload(self, bot_member: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "unavailable": False,
            "member_count": 5,
            "large": False,
            "joined_at": "2025-01-01T00:00:00+00:00",
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.payload() for r in self.roles],
            "channels": [c.payload() for c in self.channels],
            "threads": [t.payload() for t in self.threads],
            "members": [bot_member],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
        }


@dataclass
class World:
    bot: User
    guilds: list[Guild]
    users: list[User]
    first_id: int = 1_300_000_000_000_000_000

    def channel(self, channel_id: int) -> Channel:
        for g in self.guilds:
            for c in g.channels + g.threads:
                if c.id == channel_id:
                    return c
        raise KeyError(channel_id)

    def find_channel(self, channel_id: int) -> Channel | None:
        try:
            return self.channel(channel_id)
        except KeyError:
            return None

    def add_thread(self, parent: Channel, name: str, owner: User, thread_id: int) -> Channel:
        assert parent.guild is not None
        thread = Channel(thread_id, name, PUBLIC_THREAD, parent.guild, parent=parent, owner=owner)
        parent.guild.threads.append(thread)
        return thread


def guild_id_for_shard(n: int) -> int:
    """Guild ids whose shard (``(id >> 22) % count``) is ``n % count`` for small counts."""
    return (1_000_000 + n) << 22
