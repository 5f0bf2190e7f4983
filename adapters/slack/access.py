"""Who is who: the one admin check (run in the bot's code before every knowledge-base change)
and the actor string the core records for a Slack user.

Slack has no permission for slash commands, so the bot decides: a user is an admin when the
config lists their user id, or when users.info says they are a workspace admin or owner.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

PLATFORM = "slack"
# The /kb subcommands that change the knowledge base every workspace sees.
KB_CHANGES = frozenset({"add", "edit", "delete", "revert", "import"})

DENIED = "Only workspace admins and owners, and users listed in the bot's `slack.admin_users` setting, can use /kb."


def actor(user_id: str) -> str:
    """The actor/author string the core records for a Slack user."""
    return f"{PLATFORM}:{user_id}"


async def is_admin(client: AsyncWebClient, user_id: str, admin_users: Collection[str]) -> bool:
    """True for configured admin user ids and for workspace admins, owners and primary owners.

    Asks Slack every time (no cache), so a demoted admin loses access at once. A failed
    lookup counts as "not an admin".
    """
    if not user_id:
        return False
    if user_id in admin_users:
        return True
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
        return False
    user = response.get("user") or {}
    if user.get("deleted"):
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def kb_change_refusal(team: str, kb_workspaces: Collection[str]) -> str | None:
    """Why admins of this workspace may not change the shared knowledge base, or None.

    An org-wide install puts one knowledge base in front of every workspace of the org, so only
    the workspaces the operator listed may change it; with none listed, none may (an empty
    setting opens nothing).
    """
    if team and team in kb_workspaces:
        return None
    which = "no workspace is listed there" if not kb_workspaces else "this workspace is not listed there"
    return (
        "Nothing was changed: the knowledge base is shared by every workspace the bot is installed in, so "
        f"changes are accepted only from the workspaces in the bot's `slack.kb_workspaces` setting, and {which}. "
        "Reading commands (show, history, why, gaps, stats, export) work here."
    )
