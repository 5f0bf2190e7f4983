"""/kb end to end: the admin check (allowed and denied), every subcommand, the add/edit modal
through views.open and view_submission, and every change recorded with the Slack user id."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from typing import Any

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.models import NotFound
from bot.store.sqlite import SQLiteStore

from .helpers import ADMIN, HttpBot
from .payloads import command_payload, view_submission_payload


async def kb(http: HttpBot, text: str, user: str = ADMIN, channel: str = "C1") -> dict[str, Any]:
    """Run /kb and return the ephemeral reply posted to the response_url."""
    before = len(http.fake.responses())
    status, body = await http.sender.command(command_payload(http.fake, "/kb", text, user=user, channel=channel))
    assert status == 200 and body == ""
    await http.fake.wait_for(lambda: len(http.fake.responses()) > before)
    reply = http.fake.responses()[-1]
    assert reply["response_type"] == "ephemeral"
    return reply


def text_of(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


async def rows(store: SQLiteStore, sql: str) -> list[tuple[Any, ...]]:
    async with store.db.execute(sql) as cur:
        return [tuple(r) for r in await cur.fetchall()]


# ---------------------------------------------------------------- the admin check


async def test_help_needs_no_admin(http: HttpBot) -> None:
    reply = await kb(http, "", user="UNOBODY")
    assert "/kb add" in text_of(reply)
    assert http.fake.api("users.info") == []


@pytest.mark.parametrize(
    "command", ["stats", "delete offline", "channel on", "export", "add", "edit offline", "why x", "dashboard"]
)
async def test_ordinary_members_are_denied(http: HttpBot, engine: Engine, command: str) -> None:
    http.fake.add_user("UMEMBER")
    reply = await kb(http, command, user="UMEMBER")
    assert "Only workspace admins and owners" in text_of(reply)
    assert [c.args["user"] for c in http.fake.api("users.info")] == ["UMEMBER"]
    assert await engine.get_entry("offline")  # nothing deleted
    assert http.fake.api("views.open") == [] and http.fake.api("files.getUploadURLExternal") == []
    assert (await engine.channel_settings("slack", "T0TEST", "C1", configured=False)).auto_reply is False


async def test_unknown_users_and_failed_lookups_are_denied(http: HttpBot) -> None:
    reply = await kb(http, "stats", user="UGHOST")  # users.info: user_not_found
    assert "Only workspace admins" in text_of(reply)


@pytest.mark.parametrize("flag", ["is_admin", "is_owner", "is_primary_owner"])
async def test_workspace_admins_and_owners_are_allowed(http: HttpBot, flag: str) -> None:
    http.fake.add_user("UBOSS", **{flag: True})
    reply = await kb(http, "stats", user="UBOSS")
    assert "*Entries*" in text_of(reply)


async def test_configured_admins_need_no_lookup(http: HttpBot) -> None:
    reply = await kb(http, "stats")
    assert "*Entries*" in text_of(reply)
    assert http.fake.api("users.info") == []


# ---------------------------------------------------------------- read-only subcommands


async def test_show_history_why_gaps(http: HttpBot) -> None:
    show = await kb(http, "show offline")
    assert show["blocks"][0]["text"]["text"].startswith("NSURLErrorNotConnectedToInternet")
    history = text_of(await kb(http, "history offline"))
    assert "system:import" in history
    why = text_of(await kb(http, "why Error Domain=NSURLErrorDomain Code=-1009"))
    assert "`offline`" in why and "•" in why
    await http.sender.command(command_payload(http.fake, "/ask", "Error Domain=NSURLErrorDomain Code=-4242"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 4)
    gaps = text_of(await kb(http, "gaps"))
    assert "NSURLErrorDomain -4242" in gaps


async def test_unknown_subcommand_and_missing_entries(http: HttpBot) -> None:
    assert "Unknown or incomplete subcommand" in text_of(await kb(http, "frobnicate"))
    assert "no entry 'nope'" in text_of(await kb(http, "show nope"))


# ---------------------------------------------------------------- changes


async def test_delete_and_revert_are_recorded_with_the_user(http: HttpBot, engine: Engine) -> None:
    reply = text_of(await kb(http, "delete refused"))
    assert "Deleted `refused`" in reply
    with pytest.raises(NotFound):
        await engine.get_entry("refused")
    history = await engine.history("refused")
    assert (history[-1].op, history[-1].actor) == ("delete", f"slack:{ADMIN}")
    reply = text_of(await kb(http, f"revert refused {history[-2].rev}"))
    assert "Reverted" in reply
    assert (await engine.get_entry("refused")).title.startswith("ECONNREFUSED")
    assert (await engine.history("refused"))[-1].actor == f"slack:{ADMIN}"


async def test_channel_settings(http: HttpBot, engine: Engine, store: SQLiteStore) -> None:
    shown = text_of(await kb(http, "channel", channel="CRANDOM"))
    assert "<#CRANDOM> are *off*" in shown
    changed = text_of(await kb(http, "channel on 0.9", channel="CRANDOM"))
    assert "*on*" in changed and "0.90" in changed
    settings = await engine.channel_settings("slack", "T0TEST", "CRANDOM", configured=False)
    assert (settings.auto_reply, settings.threshold) == (True, 0.9)
    await kb(http, "channel off", channel="CRANDOM")
    assert not (await engine.channel_settings("slack", "T0TEST", "CRANDOM", configured=False)).auto_reply
    assert await rows(store, "SELECT channel, updated_by FROM channels") == [("CRANDOM", f"slack:{ADMIN}")]
    assert "confidence from 0 to 1" in text_of(await kb(http, "channel threshold 7", channel="CRANDOM"))
    assert "Usage" in text_of(await kb(http, "channel maybe", channel="CRANDOM"))


async def test_help_channels_from_the_config_start_on(http: HttpBot) -> None:
    assert "<#CHELP> are *on*" in text_of(await kb(http, "channel", channel="CHELP"))


async def test_export_uploads_the_knowledge_files(http: HttpBot) -> None:
    reply = text_of(await kb(http, "export"))
    assert "Uploaded `knowledge-export.zip`" in reply
    [get_url] = http.fake.api("files.getUploadURLExternal")
    assert get_url.args["filename"] == "knowledge-export.zip"
    [complete] = http.fake.api("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C1"
    [data] = http.fake.uploads.values()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "knowledge/entries/offline.md" in names
    offline = zipfile.ZipFile(io.BytesIO(data)).read("knowledge/entries/offline.md").decode()
    assert offline.startswith('+++\nid = "offline"')


async def test_export_where_the_bot_cannot_post(http: HttpBot) -> None:
    http.fake.errors["files.completeUploadExternal"] = "not_in_channel"
    reply = text_of(await kb(http, "export"))
    assert "The upload failed (not_in_channel)" in reply


# ---------------------------------------------------------------- the add/edit modal


async def open_modal(http: HttpBot, text: str) -> dict[str, Any]:
    before = len(http.fake.api("views.open"))
    payload = command_payload(http.fake, "/kb", text, user=ADMIN)
    await http.sender.command(payload)
    await http.fake.wait_for(lambda: len(http.fake.api("views.open")) > before)
    call = http.fake.api("views.open")[-1]
    assert call.args["trigger_id"] == payload["trigger_id"]
    view: dict[str, Any] = call.args["view"]
    assert view["callback_id"] == "kb_entry"
    return view


def initial(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"].get("initial_value", ""))


NEW_FIELDS = 'id = "new-one"\nkind = "howto"\ntitle = "Testing a new entry"\nsummary = "A summary."'
NEW_TABLES = '[[links]]\ntitle = "Docs"\nurl = "https://developer.apple.com/documentation/network"'


async def submit(http: HttpBot, view: dict[str, Any], values: dict[str, str], user: str = ADMIN) -> dict[str, Any]:
    status, body = await http.sender.interaction(view_submission_payload(view, values, user=user))
    assert status == 200
    return dict(json.loads(body)) if body else {}


async def test_add_through_the_modal(http: HttpBot, engine: Engine) -> None:
    view = await open_modal(http, "add")
    assert 'id = "new-entry-id"' in initial(view, "fields")
    ack = await submit(
        http, view, {"fields": NEW_FIELDS, "tables": NEW_TABLES, "body": "Use **NWPathMonitor**.", "reason": "new"}
    )
    assert ack["response_action"] == "update"
    assert "Added `new-one`" in json.dumps(ack["view"])
    entry = await engine.get_entry("new-one")
    assert entry.body == "Use **NWPathMonitor**." and entry.links[0].title == "Docs"
    [rev] = await engine.history("new-one")
    assert (rev.actor, rev.reason) == (f"slack:{ADMIN}", "new")


async def test_modal_problems_are_shown_on_the_right_field(http: HttpBot, engine: Engine) -> None:
    view = await open_modal(http, "add")
    ack = await submit(http, view, {"fields": 'id = "x"\ntitle = ', "tables": "", "body": ""})
    assert ack["response_action"] == "errors" and "invalid TOML" in ack["errors"]["fields"]
    bad_link = NEW_TABLES.replace("developer.apple.com", "evil.example.com")
    ack = await submit(http, view, {"fields": NEW_FIELDS, "tables": bad_link, "body": ""})
    assert ack["response_action"] == "errors" and "evil.example.com" in ack["errors"]["tables"]
    existing = NEW_FIELDS.replace('"new-one"', '"offline"')
    ack = await submit(http, view, {"fields": existing, "tables": "", "body": ""})
    assert "already exists" in ack["errors"]["fields"]
    with pytest.raises(NotFound):
        await engine.get_entry("new-one")


async def test_modal_submission_by_a_non_admin_is_refused(http: HttpBot, engine: Engine) -> None:
    view = await open_modal(http, "add")
    http.fake.add_user("UMEMBER")
    ack = await submit(http, view, {"fields": NEW_FIELDS, "tables": "", "body": ""}, user="UMEMBER")
    assert ack["response_action"] == "errors" and "Only workspace admins" in ack["errors"]["fields"]
    with pytest.raises(NotFound):
        await engine.get_entry("new-one")


async def test_edit_through_the_modal(http: HttpBot, engine: Engine) -> None:
    view = await open_modal(http, "edit offline")
    fields = initial(view, "fields")
    assert 'id = "offline"' in fields and "[[errors]]" in initial(view, "tables")
    assert "@everyone" in initial(view, "body")  # the raw file, for editing
    changed = fields.replace("The device had no network path", "No network path existed")
    values = {"fields": changed, "tables": initial(view, "tables"), "body": initial(view, "body"), "reason": "reword"}
    ack = await submit(http, view, values)
    assert ack["response_action"] == "update"
    assert (await engine.get_entry("offline")).summary.startswith("No network path existed")
    assert (await engine.history("offline"))[-1].actor == f"slack:{ADMIN}"
    # The id cannot be changed from the edit form.
    renamed = {**values, "fields": changed.replace('id = "offline"', 'id = "offline2"')}
    ack = await submit(http, view, renamed)
    assert ack["response_action"] == "errors" and "does not match" in ack["errors"]["fields"]


async def test_edit_refuses_catalog_rows_and_entries_too_long_for_a_form(
    http: HttpBot, engine: Engine, curator: Curator
) -> None:
    assert "catalog" in text_of(await kb(http, "edit code:NSURLErrorDomain:-1001"))
    long = replace(await engine.get_entry("refused"), body="word " * 700)
    await curator.save_entry(long, "test", create=False)
    assert "too long to edit in Slack" in text_of(await kb(http, "edit refused"))
    assert http.fake.api("views.open") == []


async def test_dashboard_link_is_private_and_signs_in_the_admin_once(http: HttpBot, engine: Engine) -> None:
    from bot.weblinks import digest

    reply = await kb(http, "dashboard")  # kb() checks the reply is ephemeral
    text = reply["text"]
    assert "works once, for 10 minutes" in text
    token = text.split("<http://127.0.0.1:8081/login/", 1)[1].split(">")[0]
    at = "2000-01-01T00:00:00+00:00"
    assert await engine.store.take_web_token(digest(token), at) == f"slack:{ADMIN}"
    assert await engine.store.take_web_token(digest(token), at) is None
