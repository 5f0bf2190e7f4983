"""What members do in the fake: post messages and forum posts, run commands, click, submit forms.

Each action dispatches the event Discord would send the bot (MESSAGE_CREATE, THREAD_CREATE,
INTERACTION_CREATE) and returns what a test needs to follow up on it.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from tests.discord.fake_records import Interaction, Sent
from tests.discord.fake_world import Channel, User, World


class MemberActions:
    """Mixed into :class:`~tests.discord.fake_discord.FakeDiscord`, which provides these."""

    world: World
    base: str
    files: dict[str, bytes]
    interactions: dict[int, Interaction]
    commands: list[dict[str, Any]]

    if TYPE_CHECKING:

        def next_id(self) -> int: ...
        def user_payload(self, user: User) -> dict[str, Any]: ...
        def member_payload(self, user: User, with_user: bool = True) -> dict[str, Any]: ...
        def new_message(self, channel: Channel, author: User, body: dict[str, Any], **extra: Any) -> dict[str, Any]: ...
        async def dispatch(self, event: str, data: dict[str, Any], guild: Any) -> None: ...

    async def user_message(
        self,
        channel: Channel,
        author: User,
        content: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
        webhook: bool = False,
    ) -> dict[str, Any]:
        """A member posts a message; the bot gets MESSAGE_CREATE."""
        extra: dict[str, Any] = {"webhook_id": str(self.next_id())} if webhook else {}
        mentions = [self.user_payload(u) for u in self.world.users if f"<@{u.id}>" in content]
        msg = self.new_message(channel, author, {"content": content, "attachments": attachments or []}, **extra)
        msg["mentions"] = mentions
        data = msg | ({} if webhook else {"member": self.member_payload(author, False)})
        await self.dispatch("MESSAGE_CREATE", data, channel.guild)
        return msg

    async def forum_post(
        self, forum: Channel, author: User, title: str, content: str, **kw: Any
    ) -> tuple[Channel, dict[str, Any]]:
        """A new forum post: THREAD_CREATE, then its starter message (whose id is the thread's)."""
        thread = self.world.add_thread(forum, title, author, self.next_id())
        if kw.get("announce", True):  # False: the bot first hears of the thread from its message
            await self.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True}, forum.guild)
        msg = self.new_message(thread, author, {"content": content, "attachments": kw.get("attachments") or []})
        # The starter message of a forum post has the thread's id.
        del self.messages[int(msg["id"])]
        msg["id"] = str(thread.id)
        self.messages[thread.id] = msg
        await self.dispatch("MESSAGE_CREATE", msg | {"member": self.member_payload(author, False)}, forum.guild)
        return thread, msg

    def attachment(
        self, channel: Channel, filename: str, data: bytes, content_type: str = "text/plain"
    ) -> dict[str, Any]:
        """An uploaded file, served by the fake's CDN route."""
        aid = self.next_id()
        key = f"{channel.id}/{aid}/{filename}"
        self.files[key] = data
        url = f"{self.base}/attachments/{key}"
        return {
            "id": str(aid),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    # ------------------------------------------------------------ interactions

    async def interact(
        self, itype: int, data: dict[str, Any], user: User, channel: Channel, message: dict[str, Any] | None = None
    ) -> Interaction:
        iid = self.next_id()
        token = secrets.token_urlsafe(24)
        guild = channel.guild
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.world.bot.id),
            "type": itype,
            "data": data,
            "channel": channel.payload() | {"permissions": str(user.permissions)},
            "channel_id": str(channel.id),
            "token": token,
            "version": 1,
            "app_permissions": str(self.world.bot.permissions),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            payload["guild_id"] = str(guild.id)
            payload["guild_locale"] = "en-US"
            payload["member"] = self.member_payload(user) | {"permissions": str(user.permissions)}
        else:
            payload["user"] = self.user_payload(user)
        if message is not None:
            payload["message"] = message
        inter = Interaction(iid, token, itype, payload, asyncio.get_running_loop().time())
        self.interactions[iid] = inter
        await self.dispatch("INTERACTION_CREATE", payload, guild)
        return inter

    def command(self, name: str, ctype: int = 1) -> dict[str, Any]:
        for c in self.commands:
            if c["name"] == name and c.get("type", 1) == ctype:
                return c
        raise AssertionError(f"the bot did not register the command {name!r} (type {ctype})")

    async def slash(
        self,
        name: str,
        user: User,
        channel: Channel,
        options: dict[str, Any] | None = None,
        *,
        sub: str | None = None,
        resolved: dict[str, Any] | None = None,
        focused: str | None = None,
    ) -> Interaction:
        """Run ``/name [sub] options``: option names and types come from the registered command."""
        cmd = self.command(name)
        spec = cmd.get("options") or []
        if sub is not None:
            spec = next((o for o in spec if o["name"] == sub and o["type"] == 1), {}).get("options")
            if spec is None:
                raise AssertionError(f"/{name} has no subcommand {sub!r}")
        opts = []
        for key, value in (options or {}).items():
            o = next((o for o in spec if o["name"] == key), None)
            if o is None:
                raise AssertionError(f"/{name} {sub or ''} has no option {key!r}: {[o['name'] for o in spec]}")
            item = {"name": key, "type": o["type"], "value": value}
            if key == focused:
                item["focused"] = True
            opts.append(item)
        missing = [o["name"] for o in spec if o.get("required") and o["name"] not in (options or {})]
        if missing and focused is None:
            raise AssertionError(f"missing required options {missing}")
        data: dict[str, Any] = {"id": cmd["id"], "name": name, "type": 1}
        data["options"] = [{"name": sub, "type": 1, "options": opts}] if sub is not None else opts
        if resolved:
            data["resolved"] = resolved
        if channel.guild is not None:
            data["guild_id"] = str(channel.guild.id)
        return await self.interact(4 if focused else 2, data, user, channel)

    async def slash_with_file(
        self,
        name: str,
        user: User,
        channel: Channel,
        option: str,
        filename: str,
        content: bytes,
        *,
        sub: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> Interaction:
        att = self.attachment(channel, filename, content)
        resolved = {"attachments": {att["id"]: att}}
        return await self.slash(name, user, channel, (options or {}) | {option: att["id"]}, sub=sub, resolved=resolved)

    async def context_menu(self, name: str, user: User, channel: Channel, target: dict[str, Any]) -> Interaction:
        cmd = self.command(name, 3)
        data = {
            "id": cmd["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        return await self.interact(2, data, user, channel)

    async def click(self, sent: Sent, custom_id: str, user: User, values: list[str] | None = None) -> Interaction:
        """Press a button (or pick ``values`` in a select) on a message the bot sent."""
        if custom_id not in sent.custom_ids():
            raise AssertionError(f"no component {custom_id!r} on message {sent.id}: {sent.custom_ids()}")
        channel = self.world.channel(sent.channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 3 if values is not None else 2}
        if values is not None:
            data["values"] = values
        return await self.interact(3, data, user, channel, message=sent.payload)

    async def submit_modal(self, opened: Interaction, values: dict[str, str], user: User) -> Interaction:
        """Submit the modal the bot opened, changing the given fields (by label) and keeping the rest."""
        assert opened.modal is not None, "the bot did not open a modal"
        comps = []
        for comp in opened.modal["components"]:
            inner = comp["component"] if comp["type"] == 18 else comp["components"][0]
            label = comp.get("label") or inner.get("label")
            value = values.get(label, inner.get("value") or "")
            item = {"type": inner["type"], "custom_id": inner["custom_id"], "value": value}
            comps.append({"type": 18, "component": item} if comp["type"] == 18 else {"type": 1, "components": [item]})
        data = {"custom_id": opened.modal["custom_id"], "components": comps}
        channel = self.world.channel(int(opened.payload["channel_id"]))
        return await self.interact(5, data, user, channel)
