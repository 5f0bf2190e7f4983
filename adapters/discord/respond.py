"""Answering interactions inside Discord's 3-second deadline, exactly once.

Discord drops an interaction that is not acknowledged within 3 s (error 10062) and refuses a
second acknowledgement (40060). :func:`respond_in_time` starts the work, and if it has not
finished after ``budget`` seconds it defers first and sends the result as a follow-up.
:func:`send` picks the initial response or the follow-up from the interaction's state, so no
code path can acknowledge twice. :func:`reply_to` is the one way to answer a message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.render import CONTENT_MAX, clip, no_pings
from bot.models import SupportBotError

log = logging.getLogger(__name__)


@dataclass
class Reply:
    """One message to send. ``files`` are built fresh for each reply (discord.File is single-use)."""

    content: str = ""
    embeds: Sequence[discord.Embed] = ()
    view: discord.ui.View | None = None
    files: Sequence[discord.File] = field(default_factory=list)
    ephemeral: bool = False


def error_reply(text: str) -> Reply:
    return Reply(content=clip(text, CONTENT_MAX), ephemeral=True)


async def send(interaction: discord.Interaction[Any], reply: Reply) -> None:
    """Send ``reply`` as the interaction's response, or as a follow-up once it was acknowledged."""
    kwargs: dict[str, Any] = {"allowed_mentions": no_pings(), "ephemeral": reply.ephemeral}
    if reply.content:
        kwargs["content"] = reply.content
    if reply.embeds:
        kwargs["embeds"] = list(reply.embeds)
    if reply.files:
        kwargs["files"] = list(reply.files)
    if reply.view is not None:
        kwargs["view"] = reply.view
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
    else:
        await interaction.followup.send(**kwargs)


async def respond_in_time(
    interaction: discord.Interaction[Any],
    work: Awaitable[Reply],
    *,
    budget: float,
    ephemeral: bool,
) -> None:
    """Run ``work`` and send its reply; defer first when it takes longer than ``budget`` seconds.

    ``ephemeral`` is what the deferred message will be. A :class:`SupportBotError` from the work
    becomes a private error message; anything else is logged and reported briefly.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if not done and not interaction.response.is_done():
        try:
            await defer(interaction, ephemeral=ephemeral)
        except BaseException:
            # The member will not see a result, but a change under way is finished, not cut off.
            task.add_done_callback(_log_outcome)
            raise
    try:
        reply = await task
    except SupportBotError as exc:
        reply = error_reply(str(exc))
    except Exception:
        log.exception("interaction %s failed", interaction.id)
        reply = error_reply("Something went wrong on the bot's side; the error is in its log.")
    await send_replacing(interaction, reply, deferred_ephemeral=ephemeral)


def _log_outcome(task: asyncio.Future[Reply]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("work for an expired interaction failed", exc_info=task.exception())


async def reply_to(message: discord.Message, reply: Reply) -> discord.Message:
    """Answer a member's message with a reply to it: embeds and components, pinging nobody."""
    return await message.reply(
        content=reply.content or None,
        embeds=list(reply.embeds),
        view=reply.view or discord.utils.MISSING,
        allowed_mentions=no_pings(),
        mention_author=False,
    )


async def defer(interaction: discord.Interaction[Any], *, ephemeral: bool) -> None:
    """Acknowledge now, showing "thinking…" (the only deferral a slash command allows)."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def send_replacing(interaction: discord.Interaction[Any], reply: Reply, *, deferred_ephemeral: bool) -> None:
    """Like :func:`send`, but a private reply after a public "thinking…" message replaces it.

    The first follow-up after a deferral takes the deferral's visibility; an error meant for one
    person must not turn into a public message, so the public placeholder is deleted first.
    """
    if interaction.response.is_done() and reply.ephemeral and not deferred_ephemeral:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.warning("could not remove the placeholder of interaction %s", interaction.id)
    await send(interaction, reply)


async def within(coro: Awaitable[Any], budget: float) -> Any:
    """Await ``coro`` for at most ``budget`` seconds (for work that must precede the response,
    such as loading an entry before opening a modal). Raises :class:`SupportBotError` on time-out."""
    try:
        return await asyncio.wait_for(coro, timeout=budget)
    except TimeoutError:
        raise SupportBotError("The knowledge base is busy right now; please try again in a moment.") from None
