"""What every chat adapter does the same way, written once and free of platform SDKs.

- :class:`AutoReplyGate`: once per thread, at most one auto-reply per channel per cooldown;
- :class:`TextFiles`: which shared files are read as text, and what the asker is told about the rest;
- the "nothing matched" text (the report rows both platforms show are in :mod:`bot.reports`);
- :func:`code_span` for echoing what someone typed, :func:`link_target` for every URL put
  into a link, and :class:`RepeatLimiter` for the same heavy paste posted again and again.

Adapters translate platform events into calls on these and render the results; they decide
nothing of this themselves, so Discord, Slack and the console cannot drift apart.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.extract import looks_binary
from bot.models import Attachment, SupportBotError
from bot.reports import shorten
from bot.urls import url_problem

NOTHING_MATCHED_SHORT = "Nothing in the knowledge base matches that."
NOTHING_MATCHED = (
    NOTHING_MATCHED_SHORT + " Paste the full error text, with its domain and code (for example "
    "`Error Domain=NSURLErrorDomain Code=-1009`), or attach the log or crash report."
)
F = TypeVar("F")
MEMORY = 10_000  # per-process bounded memories (e.g. Discord thread states): oldest forgotten first


class ReplyLedger(Protocol):
    """The part of the store the gate needs (:class:`bot.store.base.Store` has it)."""

    async def thread_answered(self, platform: str, channel: str, thread: str) -> bool: ...
    async def last_reply(self, platform: str, channel: str) -> float | None: ...
    async def mark_answered(self, platform: str, channel: str, thread: str, at: float) -> None: ...
    async def claim_reply(self, platform: str, channel: str, thread: str, at: float, cooldown: float) -> bool: ...


class AutoReplyGate:
    """Decides whether an auto-reply may be posted: once per thread, and at most one per
    channel per cooldown.

    The memory is the store's ledger, not this process's: every process on one database (Discord
    shard groups, Slack replicas, a Slack retry landing on another replica) asks the database,
    which lets exactly one claim win, and a restarted process keeps the cooldowns. ``answered``
    and ``cooling`` are cheap early checks; only ``claim`` decides. The clock is wall time
    (seconds since the epoch), since processes compare each other's times.
    """

    def __init__(
        self, ledger: ReplyLedger, platform: str, cooldown_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.ledger = ledger
        self.platform = platform
        self.cooldown = cooldown_seconds
        self.clock = clock

    async def answered(self, channel: str, thread: str) -> bool:
        """True when the thread already got an answer from the bot (in any mode, any process)."""
        return await self.ledger.thread_answered(self.platform, channel, thread)

    async def cooling(self, channel: str) -> bool:
        """True while the channel's last auto-reply is younger than the cooldown (never without one,
        even when another process's clock stamped the last reply a little ahead of ours)."""
        if self.cooldown <= 0:
            return False
        last = await self.ledger.last_reply(self.platform, channel)
        return last is not None and self.clock() - last < self.cooldown

    async def mark(self, channel: str, thread: str) -> None:
        """Remember that a thread got an answer (any mode), so auto-replies leave it alone."""
        await self.ledger.mark_answered(self.platform, channel, thread, self.clock())

    async def claim(self, channel: str, thread: str) -> bool:
        """Take the right to auto-reply in this thread now; False when answered or cooling."""
        return await self.ledger.claim_reply(self.platform, channel, thread, self.clock(), self.cooldown)


K = TypeVar("K")
V = TypeVar("V")


def _remember(memory: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    """Store ``key`` as the newest item, forgetting the oldest beyond ``limit`` (bounded memory)."""
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > limit:
        memory.popitem(last=False)


# ---------------------------------------------------------------- repeated questions

REPEATED = "You asked exactly this a moment ago; the answer is above."
TOO_MANY = "That is a lot of questions in a short time. Please wait a minute and ask again."


class Limited(SupportBotError):
    """A question refused by :class:`RepeatLimiter` (the message says why)."""


class RepeatLimiter:
    """Per user: the same heavy question (at least ``heavy`` characters of text and files) is
    answered once per ``window`` seconds, and at most ``burst`` questions of any size are
    answered per ``window``, so ten pastes of the same big log cost one search. A short question
    may be asked again (in another channel, say). Synchronous (no race in asyncio) and bounded
    like :class:`AutoReplyGate`.
    """

    def __init__(
        self,
        window: float = 60.0,
        burst: int = 20,
        heavy: int = 1000,
        clock: Callable[[], float] = time.monotonic,
        memory: int = MEMORY,
    ) -> None:
        self.window = window
        self.burst = burst
        self.heavy = heavy
        self.clock = clock
        self.memory = memory
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._recent: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    def check(self, user: str, text: str, attachments: Sequence[Attachment] = ()) -> str | None:
        """None when the question may be answered (it is then counted), else why not."""
        now = self.clock()
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        for a in attachments:
            digest = hashlib.sha256((digest + a.name + "\0" + a.text).encode("utf-8", "surrogatepass")).hexdigest()
        size = len(text) + sum(len(a.text) for a in attachments)
        last = self._seen.get((user, digest))
        if size >= self.heavy and last is not None and now - last < self.window:
            return REPEATED
        recent = tuple(t for t in self._recent.get(user, ()) if now - t < self.window)
        if len(recent) >= self.burst:
            return TOO_MANY
        _remember(self._seen, (user, digest), now, self.memory)
        _remember(self._recent, user, (*recent, now), self.memory)
        return None


# ---------------------------------------------------------------- text attachments

TEXT_SUFFIXES = (".txt", ".log", ".ips", ".crash")
MAX_FILES = 5


@dataclass(frozen=True, slots=True)
class TextFiles:
    """The policy for files shared with a question: the first :data:`MAX_FILES` files, only
    names ending in :data:`TEXT_SUFFIXES`, at most ``max_bytes`` each, and never binary data.

    Each check returns a note for the asker when a file is left out (None when it is fine).
    """

    max_bytes: int

    def first(self, files: Sequence[F]) -> tuple[list[F], str | None]:
        """The files that are looked at, and a note when there were more."""
        more = f"Only the first {MAX_FILES} files were read." if len(files) > MAX_FILES else None
        return list(files[:MAX_FILES]), more

    def name_note(self, name: str) -> str | None:
        """A note when the file's name is not one of a text file."""
        if name.lower().endswith(TEXT_SUFFIXES):
            return None
        return f"{name} was not read: only {', '.join(TEXT_SUFFIXES)} files are."

    def size_note(self, name: str, size: int) -> str | None:
        """A note when the file (as announced, or as downloaded) is over the limit."""
        return f"{name} was not read: it is larger than {self.max_bytes:,} bytes." if size > self.max_bytes else None

    def read(self, name: str, data: bytes) -> Attachment | str:
        """The downloaded file as the core's Attachment, or the note saying why it was not read."""
        if note := self.size_note(name, len(data)):
            return note
        if looks_binary(data):
            return f"{name} was not read: it is not a text file."
        return Attachment(name, data.decode("utf-8", errors="replace"))


# ---------------------------------------------------------------- what the bot posts

# Backticks in echoed text become a look-alike, so the text cannot close the code span early.
_BACKTICK_STANDIN = "\u02cb"
# An https URL with a plain host (no user info, no backslash, no spaces or quotes, nothing that
# ends a Markdown link or a Slack <link|label>), optionally a port, path, query and fragment.
_MARKDOWN_TARGET = str.maketrans({"(": "%28", ")": "%29", "[": "%5B", "]": "%5D"})


def code_span(text: str, limit: int = 300) -> str:
    """What someone typed, echoed as inline code: whitespace collapsed, cut to ``limit``, backticks
    replaced by a look-alike. Inside a code span neither Discord nor Slack renders links, markup
    or mentions; it is cut before it is wrapped, so it is always closed."""
    flat = shorten(text, max(1, limit - 2)).replace("`", _BACKTICK_STANDIN)
    return f"`{flat}`" if flat else ""


def link_target(url: str, hosts: frozenset[str]) -> str | None:
    """``url`` ready to be a link target in Markdown or mrkdwn, or None when it must not be linked.

    Only plain https URLs qualify (no user info such as ``https://apple.com@evil.example``, no
    backslash that browsers read as a path separator, nothing that closes the link early), and,
    when ``hosts`` is given (knowledge/hosts.txt), only on those hosts. Characters Markdown reads
    inside a target are percent-encoded, which addresses the same resource.
    """
    # The rules are bot.urls' (the ones lint applies); characters Markdown reads are encoded first.
    url = url.strip().translate(_MARKDOWN_TARGET)
    return None if url_problem(url, hosts) else url
