"""Files members upload, on real discord.py against the fake: downloads follow no redirect and
stop at the size limit whatever size was announced; broken or ambiguous /kb import zips are
refused with a message and change nothing."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from bot.engine import Engine
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, StartBot, answered
from tests.discord.test_admin import NEW_ENTRY, OFFLINE
from tests.discord.test_kb_access import snapshot


async def test_a_cdn_redirect_is_not_followed(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    fake.cdn_redirects["moved.log"] = f"{fake.base}/paste/stolen"  # the fake flags any fetch of /paste
    options = {"question": "why does this fail?"}
    inter = await fake.slash_with_file("ask", cast.alice, cast.help, "log", "moved.log", b"x", options=options)
    [msg] = await answered(fake, inter)
    assert "moved.log could not be downloaded (HTTP 302)" in msg.payload["content"]
    assert len(fake.cdn_requests) == 1 and fake.violations == []


async def test_a_file_larger_than_announced_is_cut_off(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(engine, max_attachment_bytes=1000)
    big = (OFFLINE + "\n").encode() * 200  # about 18 KB
    att = fake.attachment(cast.help, "small.log", big) | {"size": 10}  # says 10 bytes
    options = {"question": "why does this fail?", "log": att["id"]}
    inter = await fake.slash("ask", cast.alice, cast.help, options, resolved={"attachments": {att["id"]: att}})
    [msg] = await answered(fake, inter)
    assert "small.log was not read: it is larger than 1,000 bytes" in msg.payload["content"]
    assert len(fake.cdn_requests) == 1


def zip_of(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def bad_crc() -> bytes:
    data = bytearray(zip_of(("knowledge/entries/proxy-auth-loop.md", NEW_ENTRY.encode())))
    at = bytes(data).index(b"URLSession keeps asking")
    data[at] ^= 0x20  # one flipped bit in the stored member
    return bytes(data)


def unsupported_method() -> bytes:
    data = bytearray(zip_of(("knowledge/entries/proxy-auth-loop.md", NEW_ENTRY.encode())))
    local = bytes(data).index(b"PK\x03\x04")
    central = bytes(data).index(b"PK\x01\x02")
    struct.pack_into("<H", data, local + 8, 97)  # compression method 97: none this bot reads
    struct.pack_into("<H", data, central + 10, 97)
    return bytes(data)


def two_members_one_path() -> bytes:
    other = NEW_ENTRY.replace("proxy credentials", "proxy passwords")
    return zip_of(
        ("knowledge/entries/proxy-auth-loop.md", NEW_ENTRY.encode()), ("entries/proxy-auth-loop.md", other.encode())
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (bad_crc, "is damaged"),
        (unsupported_method, "compression method this bot does not read"),
        (two_members_one_path, "two members map to entries/proxy-auth-loop.md"),
    ],
    ids=["bad-crc", "unsupported-method", "two-members-one-path"],
)
async def test_broken_import_zips_are_refused(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine, make: object, says: str
) -> None:
    assert callable(make)
    before = await snapshot(engine)
    inter = await fake.slash_with_file("kb", cast.mod, cast.help, "file", "kb.zip", make(), sub="import")
    [msg] = await answered(fake, inter)
    assert msg.ephemeral and says in msg.payload["content"]
    assert await snapshot(engine) == before
