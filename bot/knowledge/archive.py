"""Zip archives of knowledge files: what ``/kb export`` sends and ``/kb import`` takes.

An uploaded archive is written by a stranger, so every member is read with a size cap and
every way it can be broken (bad CRC, unknown compression, two members for one path) is a
clear refusal, never a traceback or a silent merge.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from bot.models import SupportBotError

MAX_MEMBERS = 5000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024


def export_archive(files: dict[str, str]) -> bytes:
    """The knowledge files as one zip, under ``knowledge/`` as in the repository."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(files):
            zf.writestr(f"knowledge/{rel}", files[rel])
    return buf.getvalue()


def uploaded_files(filename: str, data: bytes) -> dict[str, bytes]:
    """Knowledge files from an uploaded ``.md``, ``.tsv`` or ``.zip`` (relative path -> bytes).

    A zip may hold ``entries/`` and ``catalog/`` at its top or under one folder (as exported).
    """
    name = PurePosixPath(filename.replace("\\", "/")).name
    lower = name.lower()
    if lower.endswith(".md"):
        return {f"entries/{name}": data}
    if lower.endswith(".tsv"):
        return {f"catalog/{name}": data}
    if not lower.endswith(".zip"):
        raise SupportBotError(
            "import takes an entry (.md), a catalog table (.tsv) or a zip of them (as /kb export makes)"
        )
    return read_archive(name, data)


def read_archive(name: str, data: bytes) -> dict[str, bytes]:
    """Every file member of a zip, refusing archives that are broken, too large or ambiguous."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise SupportBotError(f"{name} is not a valid zip file") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise SupportBotError(f"{name} has {len(infos)} files; an import takes at most {MAX_MEMBERS}")
        out: dict[str, bytes] = {}
        budget = MAX_UNPACKED_BYTES
        for info in infos:
            rel = archive_path(info.filename)
            if rel in out:
                raise SupportBotError(f"{name}: two members map to {rel}; remove one and try again")
            out[rel] = _read_member(zf, info, name, budget)
            budget -= len(out[rel])
    if not out:
        raise SupportBotError(f"{name} holds no files")
    return out


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> bytes:
    # Read in chunks against the real bytes, not the size the archive claims.
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise SupportBotError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; too large")
                chunks.append(chunk)
    except NotImplementedError:
        raise SupportBotError(f"{name}: {info.filename} uses a compression method this bot does not read") from None
    except zipfile.BadZipFile as exc:
        raise SupportBotError(f"{name}: {info.filename} is damaged ({exc})") from None
    except (RuntimeError, OSError, EOFError, ValueError) as exc:  # encrypted, truncated, zlib errors
        raise SupportBotError(f"{name}: {info.filename} cannot be read ({exc})") from None
    return b"".join(chunks)


def archive_path(member: str) -> str:
    """``knowledge/entries/x.md`` or ``entries/x.md`` -> ``entries/x.md``; others unchanged."""
    parts = PurePosixPath(member.replace("\\", "/")).parts
    for i, part in enumerate(parts):
        if part in ("entries", "catalog"):
            return "/".join(parts[i:])
    return member
