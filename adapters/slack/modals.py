"""The add/edit modal for ``/kb add`` and ``/kb edit ID``, and its submission.

The form holds an entry in the knowledge-file format (knowledge/README.md), split over three
inputs because a Slack text input holds at most 3,000 characters: the front matter's plain
fields, its tables (``[[errors]]``, ``[[links]]``, ``[known_issue]``) and the Markdown body.
On submit the parts are joined, parsed and saved with the same checks ``kb lint`` runs;
problems are shown on the form's fields, and the admin check runs again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.access import DENIED, actor, is_admin, kb_change_refusal
from adapters.slack.render import section
from adapters.slack.safety import escape, guard
from adapters.slack.state import BotState
from bot.knowledge.entryfile import FENCE, NEW_ENTRY_FIELDS, NEW_ENTRY_TABLES, parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import Entry, Revision, SupportBotError
from bot.review import ReviewQueue

VIEW_CALLBACK = "kb_entry"
INPUT_MAX = 3000
ERROR_MAX = 500
BLOCKS = ("fields", "tables", "body", "reason")
WHERE = "form"

_LINE = re.compile(rf"^{WHERE}:(\d+): ")
_TABLE_WORDS = ("[[", "errors", "error domain", "link", "known_issue", "claimed")


def split_entry(text: str) -> tuple[str, str, str]:
    """An entry file's text as (plain front-matter fields, front-matter tables, body)."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    front = lines[1:end]
    first_table = next((i for i, line in enumerate(front) if line.startswith("[")), len(front))
    fields = "\n".join(front[:first_table]).strip()
    tables = "\n".join(front[first_table:]).strip()
    body = "\n".join(lines[end + 1 :]).strip()
    return fields, tables, body


def _input(block_id: str, label: str, value: str, multiline: bool = True, optional: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": INPUT_MAX if multiline else 200,
    }
    if value:
        element["initial_value"] = value
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def entry_view(entry: Entry | None, *, draft: bool = False, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The modal for a new entry (``None``), for editing ``entry``, or for adding ``entry`` as a
    new one (``draft``: prefilled from the review queue or a thread). ``extra`` rides along in
    the private metadata: ``review`` (the item the entry is created for), ``credit`` (added to
    the revision reason).

    Raises SupportBotError when a part of the entry is too long for a Slack text input.
    """
    if entry is None:
        fields, tables, body = NEW_ENTRY_FIELDS, NEW_ENTRY_TABLES, ""
    else:
        fields, tables, body = split_entry(render_entry(entry))
        for name, part in (("front matter", fields), ("tables", tables), ("body", body)):
            if len(part) > INPUT_MAX:
                raise SupportBotError(
                    f"'{entry.id}' is too long to edit in Slack (its {name} has {len(part)} characters; a form field "
                    f"holds {INPUT_MAX}). Edit knowledge/entries/{entry.id}.md and import it instead."
                )
    adding = entry is None or draft
    meta = {"mode": "add" if adding else "edit", "id": "" if adding or entry is None else entry.id, **(extra or {})}
    title = "Add an entry" if adding else "Edit an entry"
    view = {
        "type": "modal",
        "callback_id": VIEW_CALLBACK,
        "private_metadata": json.dumps(meta),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input("fields", "Front matter: id, kind, title, summary, aliases, tags ... (TOML)", fields),
            _input("tables", "Front matter tables: [[errors]], [[links]], [known_issue] (TOML)", tables, optional=True),
            _input("body", "Body (Markdown)", body, optional=True),
            _input("reason", "Reason for the change", "", multiline=False, optional=True),
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "The format is described in `knowledge/README.md`."}],
            },
        ],
    }
    return guard(view)


def _value(values: dict[str, Any], block_id: str) -> str:
    return str(((values.get(block_id) or {}).get("value") or {}).get("value") or "").strip()


def assemble(values: dict[str, Any]) -> tuple[str, dict[str, range]]:
    """Join the submitted parts into an entry file; also return which lines each part holds."""
    fields, tables, body = _value(values, "fields"), _value(values, "tables"), _value(values, "body")
    nf, nt = len(fields.split("\n")), len(tables.split("\n"))
    text = f"{FENCE}\n{fields}\n{tables}\n{FENCE}\n{body}\n"
    lines = {"fields": range(2, 2 + nf), "tables": range(2 + nf, 2 + nf + nt), "body": range(3 + nf + nt, 10**9)}
    return text, lines


def route_problems(problems: list[str], lines: dict[str, range]) -> dict[str, str]:
    """Problems as Slack form errors: each on the input it is about."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        m = _LINE.match(problem)
        message = problem[m.end() :] if m else problem
        target = "fields"
        if m:
            line = int(m.group(1))
            target = next((block for block, span in lines.items() if line in span), "fields")
        elif any(word in problem for word in _TABLE_WORDS):
            target = "tables"
        errors.setdefault(target, []).append(message)
    return {block: "; ".join(msgs)[:ERROR_MAX] for block, msgs in errors.items()}


def done_view(entry: Entry, revision: Revision, created: bool) -> dict[str, Any]:
    verb = "Added" if created else "Saved"
    text = f":white_check_mark: {verb} `{escape(entry.id)}` ({escape(entry.title)}) as revision {revision.rev}."
    return guard(
        {
            "type": "modal",
            "callback_id": VIEW_CALLBACK + "_done",
            "title": {"type": "plain_text", "text": "Saved"},
            "close": {"type": "plain_text", "text": "Done"},
            "blocks": [section(text)],
        }
    )


async def _save(state: BotState, entry: Entry, who: str, reason: str, meta: dict[str, Any]) -> Revision:
    """Add or edit; an entry drafted from a review item is created through the review queue (so the
    item leaves it), and one drafted from a thread credits the reply's author in the reason."""
    if meta.get("mode") == "add" and meta.get("review"):
        return await ReviewQueue(state.engine, state.curator).create(int(meta["review"]), entry, who)
    credit = str(meta.get("credit") or "")
    if credit:
        reason = f"{reason} ({credit})" if reason else credit
    return await state.curator.save_entry(entry, who, reason, create=meta.get("mode") == "add")


def register(app: AsyncApp, state: BotState) -> None:
    """Register the modal submission listener."""

    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        # Checked again here: a view submission is a separate request from the command.
        user = str((body.get("user") or {}).get("id", ""))
        if not await is_admin(client, user, state.settings.admin_users):
            await ack(response_action="errors", errors={"fields": DENIED})
            return
        team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
        if refusal := kb_change_refusal(team, state.settings.kb_workspaces):
            await ack(response_action="errors", errors={"fields": refusal[:ERROR_MAX]})
            return
        meta = json.loads(view.get("private_metadata") or "{}")
        created = meta.get("mode") == "add"
        values = (view.get("state") or {}).get("values") or {}
        text, lines = assemble(values)
        try:
            entry = parse_entry_text(text, WHERE, expected_id=None if created else str(meta.get("id")))
            revision = await _save(state, entry, actor(user), _value(values, "reason"), meta)
        except KnowledgeError as exc:
            await ack(response_action="errors", errors=route_problems(exc.problems, lines))
            return
        except SupportBotError as exc:
            await ack(response_action="errors", errors={"fields": str(exc)[:ERROR_MAX]})
            return
        state.log.info("%s %s entry %s", actor(user), "added" if created else "edited", entry.id)
        await ack(response_action="update", view=done_view(entry, revision, created))

    app.view_submission(VIEW_CALLBACK)(on_submit)
