"""Files: text attachments on questions, and knowledge files in and out of admin commands.

Only attachments Discord itself hosts are downloaded (their URL is Discord's, on an allowed
CDN host). Links in message text, such as paste sites, are never fetched.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import discord

from bot.extract import looks_binary
from bot.models import Attachment, SupportBotError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".log", ".ips", ".crash")
MAX_FILES_PER_MESSAGE = 5
DOWNLOAD_TIMEOUT = 20.0
# An import archive may expand to at most this much, so a small zip cannot exhaust memory.
MAX_UNPACKED_BYTES = 50_000_000
MAX_ARCHIVE_MEMBERS = 20_000


def is_text_attachment(att: discord.Attachment) -> bool:
    return att.filename.lower().endswith(TEXT_SUFFIXES)


def hosted_by_discord(att: discord.Attachment, hosts: frozenset[str]) -> bool:
    """True when the attachment's URL is on one of Discord's (or the configured API's) hosts."""
    return (urlsplit(att.url).hostname or "").lower() in hosts


async def fetch(att: discord.Attachment, limit: int, hosts: frozenset[str]) -> bytes:
    """Download one attachment after checking its host and announced size."""
    if not hosted_by_discord(att, hosts):
        raise SupportBotError(f"{att.filename}: not hosted by Discord; not downloaded")
    if att.size > limit:
        raise SupportBotError(f"{att.filename} is {att.size:,} bytes; the limit is {limit:,}")
    try:
        data = await asyncio.wait_for(att.read(), timeout=DOWNLOAD_TIMEOUT)
    except (discord.HTTPException, TimeoutError) as exc:
        raise SupportBotError(f"{att.filename} could not be downloaded ({exc})") from None
    if len(data) > limit:
        raise SupportBotError(f"{att.filename} is larger than the {limit:,}-byte limit")
    return data


async def read_text_attachments(
    attachments: Iterable[discord.Attachment], limit: int, hosts: frozenset[str]
) -> tuple[tuple[Attachment, ...], list[str]]:
    """Text attachments (.txt, .log, .ips, .crash) as the core's Attachments, plus notes on
    the files that were skipped (too large, binary, not text)."""
    out: list[Attachment] = []
    skipped: list[str] = []
    for att in list(attachments)[:MAX_FILES_PER_MESSAGE]:
        if not is_text_attachment(att):
            continue
        try:
            data = await fetch(att, limit, hosts)
        except SupportBotError as exc:
            skipped.append(str(exc))
            continue
        if looks_binary(data):
            skipped.append(f"{att.filename} is not a text file; skipped")
            continue
        out.append(Attachment(att.filename, data.decode("utf-8", errors="replace")))
    return tuple(out), skipped


def export_archive(files: dict[str, str]) -> bytes:
    """The knowledge files as one zip (paths as in ``knowledge/``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(files):
            zf.writestr(f"knowledge/{rel}", files[rel])
    return buf.getvalue()


def import_files(filename: str, data: bytes) -> dict[str, bytes]:
    """Knowledge files from an uploaded ``.md``, ``.tsv`` or ``.zip`` (relative path -> bytes).

    A zip may hold ``entries/`` and ``catalog/`` at its top or under one folder (as exported).
    Anything else in the archive is reported, not ignored, so an import never half-happens.
    """
    name = PurePosixPath(filename).name
    lower = name.lower()
    if lower.endswith(".md"):
        return {f"entries/{name}": data}
    if lower.endswith(".tsv"):
        return {f"catalog/{name}": data}
    if not lower.endswith(".zip"):
        raise SupportBotError(
            "import takes an entry (.md), a catalog table (.tsv) or a zip of them (as /kb export makes)"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SupportBotError(f"{name} is not a valid zip file") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ARCHIVE_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise SupportBotError(f"{name} is too large to import")
        out: dict[str, bytes] = {}
        for info in infos:
            out[archive_path(info.filename)] = zf.read(info)
    if not out:
        raise SupportBotError(f"{name} holds no files")
    return out


def archive_path(member: str) -> str:
    """``knowledge/entries/x.md`` or ``entries/x.md`` -> ``entries/x.md``; others unchanged."""
    parts = PurePosixPath(member).parts
    for i, part in enumerate(parts):
        if part in ("entries", "catalog"):
            return "/".join(parts[i:])
    return member


def text_file(name: str, text: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=name)


def bytes_file(name: str, data: bytes) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)
