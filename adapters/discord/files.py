"""Files: text attachments on questions, and knowledge files into admin commands.

Only attachments Discord itself hosts are downloaded (their URL is Discord's, on an allowed
CDN host). Links in message text, such as paste sites, are never fetched. Downloads follow no
redirect (a redirect could lead off the CDN) and stop reading at the size limit, whatever size
the attachment announced.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp
import discord

from bot.chat import TextFiles
from bot.models import Attachment, SupportBotError

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 20.0
CHUNK = 65536


def hosted_by_discord(att: discord.Attachment, hosts: frozenset[str]) -> bool:
    """True when the attachment's URL is on one of Discord's (or the configured API's) hosts."""
    return (urlsplit(att.url).hostname or "").lower() in hosts


async def fetch(att: discord.Attachment, limit: int, hosts: frozenset[str]) -> bytes:
    """Download one knowledge file for an admin command after checking its host and size."""
    if not hosted_by_discord(att, hosts):
        raise SupportBotError(f"{att.filename}: not hosted by Discord; not downloaded")
    if att.size > limit:
        raise SupportBotError(f"{att.filename} is {att.size:,} bytes; the limit is {limit:,}")
    data = await _download(att, limit)
    if len(data) > limit:
        raise SupportBotError(f"{att.filename} is larger than the {limit:,}-byte limit")
    return data


async def _download(att: discord.Attachment, limit: int) -> bytes:
    """The attachment's bytes, at most ``limit + 1`` of them (enough to tell it is too large).

    Not ``Attachment.read()``: that follows redirects and reads the whole body first. No
    cookies or environment proxies either (a session of its own, per download: they are rare).
    """
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(att.url, allow_redirects=False) as resp,
        ):
            if resp.status != 200:
                raise SupportBotError(f"{att.filename} could not be downloaded (HTTP {resp.status})")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(CHUNK):
                data += chunk
                if len(data) > limit:
                    break
            return bytes(data[: limit + 1])
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SupportBotError(f"{att.filename} could not be downloaded ({type(exc).__name__})") from None


async def read_text_attachments(
    attachments: Sequence[discord.Attachment], policy: TextFiles, hosts: frozenset[str]
) -> tuple[tuple[Attachment, ...], list[str]]:
    """The text files shared with a question as the core's Attachments, plus notes on the files
    left out; which files are read is :class:`bot.chat.TextFiles`'s decision."""
    out: list[Attachment] = []
    notes: list[str] = []
    chosen, more = policy.first(attachments)
    for att in chosen:
        note = policy.name_note(att.filename) or policy.size_note(att.filename, att.size)
        if note is None and not hosted_by_discord(att, hosts):
            note = f"{att.filename} was not read: it is not hosted by Discord."
        if note is None:
            try:
                read = policy.read(att.filename, await _download(att, policy.max_bytes))
            except SupportBotError as exc:
                read = str(exc)
            if isinstance(read, Attachment):
                out.append(read)
                continue
            note = read
        notes.append(note)
    if more:
        notes.append(more)
    return tuple(out), notes


def text_file(name: str, text: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=name)


def bytes_file(name: str, data: bytes) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)
