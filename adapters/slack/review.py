"""The review queue in Slack: ``/kb review`` (top items with Create / Teach / Dismiss buttons, and
``/kb review teach ID ENTRY [alias|pattern|error]`` / ``/kb review dismiss ID REASON``), and
the "Save as knowledge entry" message shortcut on a reply in a thread.

Every button, form and shortcut runs the admin check again (each is a separate request), and an
item outside the user's workspace is "not found" unless their workspace manages the knowledge base.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.access import DENIED, PLATFORM, actor, is_admin, kb_change_refusal
from adapters.slack.manifest import SAVE_CALLBACK
from adapters.slack.modals import entry_view
from adapters.slack.render import Block, Message, button, section, text_message
from adapters.slack.respond import FAILURE, error_message, reply
from adapters.slack.safety import cut, cut_plain, escape, guard
from adapters.slack.state import BotState
from bot.models import ReviewItem, ReviewScope, SupportBotError
from bot.review import TEACH, ReviewQueue, Teach

CREATE, TEACH_ACTION, DISMISS, PICK = "review_create", "review_teach", "review_dismiss", "review_teach_pick"
DISMISS_VIEW = "kb_review_dismiss"
SHOWN = 5
NOT_A_REPLY = "Use this on a reply in a thread: the thread's first message is taken as the question."
USAGE = "Usage: `/kb review`, `/kb review teach ID ENTRY [alias|pattern|error]`, `/kb review dismiss ID REASON`"


def scope_of(state: BotState, team: str) -> ReviewScope:
    """Admins of a workspace that manages the knowledge base see every item; others their own."""
    managing = state.settings.kb_workspaces
    return ReviewScope.everything() if team and team in managing else ReviewScope(PLATFORM, team)


def check_may_teach(state: BotState, team: str) -> None:
    """Teaching changes the shared knowledge base: only from the workspaces in kb_workspaces."""
    refusal = kb_change_refusal(team, state.settings.kb_workspaces)
    if refusal is not None:
        raise SupportBotError(refusal)


def queue_of(state: BotState) -> ReviewQueue:
    return ReviewQueue(state.engine, state.curator)


def item_blocks(item: ReviewItem) -> list[Block]:
    """One item: title and counts, a few questions, and its buttons."""
    answered = f" · answered with `{escape(item.top_entry)}`" if item.top_entry else ""
    head = f"*#{item.id} {escape(cut_plain(item.title, 150))}*\n{item.count}× {escape(', '.join(item.kinds))}{answered}"
    examples = [f"> {cut(escape(' '.join(e.text.split())), 200)}" for e in item.examples if e.text][:3]
    value = str(item.id)
    return [
        section(head + ("\n" + "\n".join(examples) if examples else "")),
        {
            "type": "actions",
            "block_id": f"review_{item.id}",
            "elements": [
                button("Create entry", CREATE, value, "primary"),
                button("Teach entry", TEACH_ACTION, value),
                button("Dismiss", DISMISS, value),
            ],
        },
    ]


async def review_command(state: BotState, team: str, who: str, args: list[str]) -> Message:
    """``/kb review`` and its typed actions (``who`` is the checked admin's actor string)."""
    queue, scope = queue_of(state), scope_of(state, team)
    if not args:
        items = await queue.items(scope, SHOWN)
        if not items:
            return text_message("The review queue is empty: nothing was missed lately.")
        blocks = [b for item in items for b in item_blocks(item)]
        return guard({"text": f"Review queue: {len(items)} items, most asked first", "blocks": blocks})
    if len(args) < 3 or not args[1].isdigit() or args[0] not in ("teach", "dismiss"):
        raise SupportBotError(USAGE)
    item_id = int(args[1])
    await queue.item(item_id, scope)  # not found outside the scope
    if args[0] == "dismiss":
        await queue.dismiss(item_id, who, " ".join(args[2:]))
        return text_message(f"Dismissed review item #{item_id}.")
    what = args[3] if len(args) > 3 else None
    if what is not None and what not in TEACH:
        raise SupportBotError(USAGE)
    check_may_teach(state, team)
    return await teach(state, scope, item_id, args[2], who, what)


async def teach(state: BotState, scope: ReviewScope, item_id: int, entry_id: str, who: str, what: Any) -> Message:
    """Teach an entry; by default the item's error key when it names one, else its question."""
    queue = queue_of(state)
    item = await queue.item(item_id, scope)
    chosen: Teach = what or ("error" if item.codes else "alias")
    rev = await queue.teach(item_id, entry_id, who, chosen)
    return text_message(f"`{escape(entry_id)}` is now revision {rev.rev}: {escape(rev.reason)}.")


async def teach_picker(state: BotState, scope: ReviewScope, item_id: int) -> Message:
    """A select of the entries the item most likely belongs to."""
    queue = queue_of(state)
    item = await queue.item(item_id, scope)
    ids = ([item.top_entry] if item.top_entry else []) + [m.entry.id for m in await queue.suggestions(item_id)]
    options = []
    for entry_id in list(dict.fromkeys(ids))[:10]:
        entry = await state.engine.get_entry(entry_id)
        label = {"type": "plain_text", "text": cut_plain(entry.title, 75)}
        options.append({"text": label, "value": json.dumps([item_id, entry.id])[:150]})
    typed = f"`/kb review teach {item_id} ENTRY [alias|pattern|error]`"
    if not options:
        return text_message(f"No entry looks close to #{item_id}: use {typed}, or create an entry.")
    select = {
        "type": "static_select",
        "action_id": PICK,
        "placeholder": label_text("Teach this to…"),
        "options": options,
    }
    blocks = [section(f"Teach #{item_id} to one of these, or type {typed}:", accessory=select)]
    return guard({"text": f"Teach review item #{item_id}", "blocks": blocks})


def label_text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def dismiss_view(item_id: int) -> dict[str, Any]:
    """A form asking why the item is dismissed."""
    return guard(
        {
            "type": "modal",
            "callback_id": DISMISS_VIEW,
            "private_metadata": str(item_id),
            "title": label_text(f"Dismiss #{item_id}"[:24]),
            "submit": label_text("Dismiss"),
            "close": label_text("Cancel"),
            "blocks": [
                {
                    "type": "input",
                    "block_id": "reason",
                    "label": label_text("Why (off-topic, noise, duplicate…)"),
                    "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200},
                }
            ],
        }
    )


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def register(app: AsyncApp, state: BotState) -> None:
    """Register the review buttons, the teach select, the dismiss form and the Save shortcut."""

    async def checked(body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> bool:
        if await is_admin(client, _user(body), state.settings.admin_users):
            return True
        await reply(respond, error_message(DENIED), keep_original=True)
        return False

    async def on_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await checked(body, client, respond):
            return
        scope, name = scope_of(state, _team(body)), action.get("action_id")
        try:
            message = await _act(state, client, body, action, scope, str(name))
        except (ValueError, TypeError):
            message = error_message("That is not a review item.")  # not a value this bot wrote
        except SupportBotError as exc:
            message = error_message(str(exc))
        except Exception:
            state.log.exception("review action %s failed", name)
            message = error_message(FAILURE)
        if message is not None:
            await reply(respond, message, keep_original=True)

    async def on_dismiss(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        if not await is_admin(client, _user(body), state.settings.admin_users):
            await ack(response_action="errors", errors={"reason": DENIED})
            return
        item_id = int(str(view.get("private_metadata") or "0"))
        reason = str(
            ((view.get("state") or {}).get("values") or {}).get("reason", {}).get("value", {}).get("value") or ""
        )
        try:
            await queue_of(state).item(item_id, scope_of(state, _team(body)))
            await queue_of(state).dismiss(item_id, actor(_user(body)), reason)
        except SupportBotError as exc:
            await ack(response_action="errors", errors={"reason": str(exc)[:500]})
            return
        await ack()

    for name in (CREATE, TEACH_ACTION, DISMISS, PICK):
        app.action(name)(on_button)
    app.view_submission(DISMISS_VIEW)(on_dismiss)
    app.shortcut({"type": "message_action", "callback_id": SAVE_CALLBACK})(_save_shortcut(state))


async def _act(
    state: BotState,
    client: AsyncWebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    scope: ReviewScope,
    name: str,
) -> Message | None:
    """One button or select on the review queue; None when a form was opened instead."""
    queue, trigger = queue_of(state), str(body.get("trigger_id", ""))
    if name == PICK:
        picked, entry_id = json.loads(str((action.get("selected_option") or {}).get("value", "[]")))
        check_may_teach(state, _team(body))
        return await teach(state, scope, int(picked), str(entry_id), actor(_user(body)), None)
    item_id = int(str(action.get("value", "")))
    await queue.item(item_id, scope)
    if name == TEACH_ACTION:
        check_may_teach(state, _team(body))
        return await teach_picker(state, scope, item_id)
    if name == DISMISS:
        await client.views_open(trigger_id=trigger, view=dismiss_view(item_id))
        return None
    draft = await queue.draft_entry(item_id)
    await client.views_open(trigger_id=trigger, view=entry_view(draft, draft=True, extra={"review": item_id}))
    return None


def _save_shortcut(state: BotState) -> Any:
    async def on_save(ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()
        user = _user(shortcut)
        if not await is_admin(client, user, state.settings.admin_users):
            await reply(respond, error_message(DENIED))
            return
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id", ""))
        try:
            question = await thread_question(client, channel, message)
            author = actor(str(message.get("user") or ""))
            draft, credit = await queue_of(state).draft_from_thread(question, str(message.get("text") or ""), author)
            view = entry_view(draft, draft=True, extra={"credit": credit})
            await client.views_open(trigger_id=str(shortcut.get("trigger_id", "")), view=view)
        except SupportBotError as exc:
            await reply(respond, error_message(str(exc)))

    return on_save


async def thread_question(client: AsyncWebClient, channel: str, message: dict[str, Any]) -> str:
    """The text of the first message of the thread ``message`` replies in."""
    thread, ts = str(message.get("thread_ts") or ""), str(message.get("ts") or "")
    if not thread or thread == ts:
        raise SupportBotError(NOT_A_REPLY)
    if not str(message.get("text") or "").strip():
        raise SupportBotError("That reply has no text to save.")
    try:
        found = await client.conversations_replies(channel=channel, ts=thread, limit=1, inclusive=True)
    except SlackApiError as exc:
        raise SupportBotError(
            f"I could not read that thread ({exc.response.get('error')}); invite me to the channel."
        ) from None
    first = (found.get("messages") or [{}])[0]
    if str(first.get("ts")) != thread:
        raise SupportBotError("The thread's first message is gone, so there is no question to save.")
    return str(first.get("text") or "")
