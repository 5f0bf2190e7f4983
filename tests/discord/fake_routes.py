"""The fake's REST routes: only those the bot is expected to call (anything else is a 404)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.discord import fake_checks as checks

if TYPE_CHECKING:
    from tests.discord.fake_discord import FakeDiscord
    from tests.discord.fake_records import Interaction, Sent

P = "/api/v10"
EPHEMERAL = 64
# Callback types allowed per interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


async def read_body(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """JSON body, or multipart ``payload_json`` plus ``files[n]`` (name -> bytes)."""
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        payload = json.loads(str(form["payload_json"]))
        files: dict[str, bytes] = {}
        for key, value in form.items():
            if key.startswith("files[") and hasattr(value, "file"):
                files[value.filename] = value.file.read()
        return payload, files
    text = await request.text()
    return (json.loads(text) if text else {}), {}


def add_routes(app: web.Application, fake: FakeDiscord) -> None:
    from tests.discord.fake_discord import error, json_response
    from tests.discord.fake_gateway import gateway_handler

    world = fake.world

    async def me(request: web.Request) -> web.Response:
        return json_response(fake.user_payload(world.bot))

    async def application(request: web.Request) -> web.Response:
        return json_response(
            {
                "id": str(world.bot.id),
                "name": "supportbot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": fake.user_payload(world.users[0]),
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
            }
        )

    async def gateway_bot(request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": fake.gateway_url, "shards": 1, "session_start_limit": limit})

    async def put_commands(request: web.Request) -> web.Response:
        if request.match_info["app"] != str(world.bot.id):
            return error(403, 50001, "Missing Access")
        body = await request.json()
        problems = checks.check_commands(body)
        if problems:
            fake.violate(f"invalid commands: {problems}")
            return error(400, 50035, "Invalid Form Body")
        old = {(c["name"], c.get("type", 1)): c["id"] for c in fake.commands}
        fake.commands = [
            {"description": "", "options": [], "type": 1}
            | c
            | {
                "id": old.get((c["name"], c.get("type", 1))) or str(fake.next_id()),
                "application_id": str(world.bot.id),
                "version": "1",
            }
            for c in body
        ]
        return json_response(fake.commands)

    async def post_message(request: web.Request) -> web.Response:
        channel = world.find_channel(int(request.match_info["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if not channel.bot_can_send:
            return error(403, 50013, "Missing Permissions")
        body, files = await read_body(request)
        problems = checks.check_message(body | {"attachments": list(files)})
        if problems:
            fake.violate(f"invalid message: {problems}")
            return error(400, 50035, "Invalid Form Body")
        try:
            sent = await fake.record_bot_message(channel, body, "rest", files)
        except ValueError as exc:
            fake.violate(str(exc))
            return error(400, 50035, "Invalid Form Body")
        return json_response(sent.payload)

    def own_message(request: web.Request) -> Sent | None:
        mid = int(request.match_info["message"])
        return next((s for s in fake.sent if s.id == mid and not s.deleted), None)

    async def delete_message(request: web.Request) -> web.Response:
        sent = own_message(request)
        if sent is None:
            return error(404, 10008, "Unknown Message")
        sent.deleted = True
        channel = world.channel(sent.channel_id)
        data = {"id": str(sent.id), "channel_id": str(channel.id)}
        if channel.guild is not None:
            data["guild_id"] = str(channel.guild.id)
        await fake.dispatch("MESSAGE_DELETE", data, channel.guild)
        return web.Response(status=204)

    async def get_message(request: web.Request) -> web.Response:
        msg = fake.messages.get(int(request.match_info["message"]))
        if msg is None or msg["channel_id"] != request.match_info["channel"]:
            return error(404, 10008, "Unknown Message")
        return json_response(msg)

    async def get_channel(request: web.Request) -> web.Response:
        channel = world.find_channel(int(request.match_info["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        return json_response(channel.payload())

    def find_interaction(request: web.Request) -> Interaction | None:
        inter = fake.interactions.get(int(request.match_info["id"]))
        return inter if inter is not None and inter.token == request.match_info["token"] else None

    async def callback(request: web.Request) -> web.Response:
        inter = find_interaction(request)
        if inter is None:
            return error(404, 10062, "Unknown interaction")
        body, files = await read_body(request)
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        if inter.acked:
            fake.violate(f"interaction {inter.id} acknowledged twice")
            return error(400, 40060, "Interaction has already been acknowledged.")
        if asyncio.get_running_loop().time() - inter.created > fake.deadline:
            fake.violate(f"interaction {inter.id} acknowledged after the deadline")
            return error(404, 10062, "Unknown interaction")
        if ctype not in ALLOWED_CALLBACKS.get(inter.type, set()):
            fake.violate(f"callback type {ctype} is not valid for interaction type {inter.type}")
            return error(400, 50035, "Invalid Form Body")
        problems: list[str] = []
        if ctype in (4, 7):
            problems = checks.check_message(data | {"attachments": list(files)})
        elif ctype == 8:
            problems = checks.check_choices(data.get("choices") or [])
        elif ctype == 9:
            problems = checks.check_modal(data)
        if problems:
            fake.violate(f"invalid response: {problems}")
            return error(400, 50035, "Invalid Form Body")
        inter.callbacks.append(body)
        channel = world.channel(int(inter.payload["channel_id"]))
        extra = {"webhook_id": str(world.bot.id), "application_id": str(world.bot.id)}
        extra["interaction_metadata"] = {
            "id": str(inter.id),
            "type": inter.type,
            "user": (inter.payload.get("member") or {}).get("user") or inter.payload.get("user"),
        }
        resource: dict[str, Any] = {"type": ctype}
        if ctype == 4:
            inter.original = await fake.record_bot_message(channel, data, "response", files, **extra)
            inter.filled = True
            resource["message"] = inter.original.payload
        elif ctype == 5:
            inter.deferred_ephemeral = bool(data.get("flags", 0) & EPHEMERAL)
        elif ctype == 7 and "message" in inter.payload:
            target = next(s for s in fake.sent if s.id == int(inter.payload["message"]["id"]))
            target.payload.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
        elif ctype == 8:
            inter.choices = data.get("choices") or []
        elif ctype == 9:
            inter.modal = data
        result = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
            },
            "resource": resource,
        }
        if inter.original is not None:
            result["interaction"]["response_message_id"] = str(inter.original.id)
        return json_response(result)

    def by_token(request: web.Request) -> Interaction | None:
        if request.match_info["app"] != str(world.bot.id):
            return None
        return next((i for i in fake.interactions.values() if i.token == request.match_info["token"]), None)

    async def followup(request: web.Request) -> web.Response:
        inter = by_token(request)
        if inter is None or not inter.acked:
            fake.violate(f"follow-up before the interaction was acknowledged ({request.path})")
            return error(404, 10015, "Unknown Webhook")
        body, files = await read_body(request)
        problems = checks.check_message(body | {"attachments": list(files)})
        if problems:
            fake.violate(f"invalid follow-up: {problems}")
            return error(400, 50035, "Invalid Form Body")
        channel = world.channel(int(inter.payload["channel_id"]))
        extra = {"webhook_id": str(world.bot.id), "application_id": str(world.bot.id)}
        if inter.deferred_ephemeral is not None and not inter.filled and inter.original is None:
            # The first follow-up after a deferral is the response; it keeps the deferral's visibility.
            flags = (body.get("flags", 0) & ~EPHEMERAL) | (EPHEMERAL if inter.deferred_ephemeral else 0)
            sent = await fake.record_bot_message(channel, body | {"flags": flags}, "followup", files, **extra)
            inter.original, inter.filled = sent, True
        else:
            sent = await fake.record_bot_message(channel, body, "followup", files, **extra)
        inter.followups.append(sent)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(sent.payload)
        return web.Response(status=204)

    async def original(request: web.Request) -> web.Response:
        inter = by_token(request)
        if inter is None or not inter.acked:
            return error(404, 10015, "Unknown Webhook")
        if request.method == "DELETE":
            if inter.original is not None:
                inter.original.deleted = True
            inter.original, inter.filled = None, False
            inter.deferred_ephemeral = None  # the next follow-up is a message of its own
            return web.Response(status=204)
        if inter.original is None:
            return error(404, 10008, "Unknown Message")
        if request.method == "PATCH":
            body, _ = await read_body(request)
            inter.original.payload.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
            inter.filled = True
        return json_response(inter.original.payload)

    async def cdn(request: web.Request) -> web.Response:
        key = request.match_info["key"]
        fake.cdn_requests.append(key)
        await fake.changed()
        if (name := key.rsplit("/", 1)[-1]) in fake.cdn_redirects:
            raise web.HTTPFound(fake.cdn_redirects[name])
        data = fake.files.get(key)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})

    async def paste(request: web.Request) -> web.Response:
        # A stand-in for a paste site: the bot must never fetch a URL a member posted.
        fake.violate(f"the bot fetched a user-supplied URL: {request.path}")
        return web.Response(text="pasted log")

    async def gateway(request: web.Request) -> web.StreamResponse:
        return await gateway_handler(fake, request)

    app.router.add_get(P + "/users/@me", me)
    app.router.add_get(P + "/oauth2/applications/@me", application)
    app.router.add_get(P + "/gateway/bot", gateway_bot)
    app.router.add_put(P + "/applications/{app}/commands", put_commands)
    app.router.add_post(P + "/channels/{channel}/messages", post_message)
    app.router.add_get(P + "/channels/{channel}/messages/{message}", get_message)
    app.router.add_delete(P + "/channels/{channel}/messages/{message}", delete_message)
    app.router.add_get(P + "/channels/{channel}", get_channel)
    app.router.add_post(P + "/interactions/{id}/{token}/callback", callback)
    app.router.add_post(P + "/webhooks/{app}/{token}", followup)
    app.router.add_route("*", P + "/webhooks/{app}/{token}/messages/@original", original)
    app.router.add_get("/attachments/{key:.+}", cdn)
    app.router.add_get("/paste/{key:.+}", paste)
    app.router.add_get("/gateway", gateway)
