"""Data classes the core owns: knowledge entries, incoming messages, answers."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

KINDS = ("error", "known-issue", "howto", "reference")


@dataclass(frozen=True, slots=True)
class ErrorRef:
    """One error key an entry answers. ``role`` is "primary" or "related"."""

    domain: str
    code: int
    symbol: str = ""
    role: str = "primary"

    @property
    def key(self) -> tuple[str, int]:
        return (self.domain, self.code)


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class KnownIssue:
    status: str
    affects: str = ""
    fixed_in: str = ""
    workaround: str = ""
    verified: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One curated answer, or one catalog row (``kind == "reference"`` with ``catalog`` set)."""

    id: str
    kind: str
    title: str
    summary: str
    body: str = ""
    errors: tuple[ErrorRef, ...] = ()
    # The order of these list fields is the order they are written in an entry file.
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    known_issue: KnownIssue | None = None
    related: tuple[str, ...] = ()
    catalog: str = ""  # name of the catalog table a reference row came from
    source: str = ""  # where a catalog row's value was read

    @property
    def curated(self) -> bool:
        return not self.catalog

    @property
    def primary(self) -> tuple[ErrorRef, ...]:
        """The errors this entry is about (not those it only names as related)."""
        return tuple(err for err in self.errors if err.role == "primary")

    def claims(self, key: tuple[str, int]) -> bool:
        """Whether this entry names ``key`` as a related error.

        A code under 100 (1, 57) means something else in every domain, so its domain must match
        too; a bigger one is the same error wherever it is listed (kCFURLError* are NSURLError*).
        """
        domain, code = key
        return any(
            err.role == "related" and err.code == code and (abs(code) >= 100 or err.domain == domain)
            for err in self.errors
        )


class Mode(enum.StrEnum):
    """How the bot was asked. Auto-replies are held to a higher bar than explicit asks."""

    SLASH = "slash"
    CONTEXT = "context"
    MENTION = "mention"
    AUTO = "auto"
    CLI = "cli"

    @property
    def explicit(self) -> bool:
        return self is not Mode.AUTO


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message was posted. ``scope`` is the guild or workspace id."""

    platform: str = "cli"
    scope: str = ""
    channel: str = ""
    thread: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message the core is asked to answer, already stripped of platform details."""

    text: str
    mode: Mode = Mode.CLI
    place: Place = field(default_factory=Place)
    author: str = ""
    attachments: tuple[Attachment, ...] = ()


class Outcome(enum.StrEnum):
    ANSWER = "answer"  # one entry, confidently
    SUGGEST = "suggestions"  # a few plausible entries
    UNKNOWN_CODE = "unknown-code"  # an error code no table or entry knows
    NOTHING = "nothing"  # nothing matched; said honestly on explicit asks


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    confidence: float
    why: Sequence[str]  # a tuple, or bot.reasons.Reasons written when first read


@dataclass(frozen=True, slots=True)
class Combined:
    """Two matches that are one answer: the error the app reported and what lies under it.

    ``nested``: the paste nested the cause's code inside the outer error (NSUnderlyingError,
    ``_kCFStreamErrorCodeKey``, ``[3:-9813]``), read "outer because cause". Otherwise the cause is
    a topic entry, related to the error's entry and found in the same paste, that explains it.
    """

    outer: Match
    cause: Match
    nested: bool
    outer_label: str  # "-1202 (server trust evaluation failed)"
    cause_label: str  # "errSSLNoRootCert -9813: the certificate chain doesn't end in a trusted root"

    @property
    def confidence(self) -> float:
        return min(self.outer.confidence, self.cause.confidence)

    @property
    def headline(self) -> str:
        """One line naming both: "-1202 (...) because errSSLNoRootCert -9813: ..."."""
        return f"{self.outer_label} {'because' if self.nested else 'explained in'} {self.cause_label}"

    @property
    def parts(self) -> tuple[Match, Match]:
        """The two matches in the order to show them, the cause first: a nested cause is what to
        fix, a topic that explains the error is what the question asked about; the error follows."""
        return (self.cause, self.outer)


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    matches: tuple[Match, ...]  # with ``combined``, its two parts come first, in ``parts`` order
    auto_reply: bool
    query_id: int | None = None
    notes: tuple[str, ...] = ()  # things to tell the asker (input cut, domain not covered)
    unknown_codes: tuple[tuple[str | None, int], ...] = ()
    unknown_note: str = ""  # for UNKNOWN_CODE: what to post so the code can be identified
    combined: Combined | None = None  # set when the first two matches are one answer

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True, slots=True)
class Revision:
    entry_id: str
    rev: int
    entry: Entry | None  # None when this revision deleted the entry
    actor: str
    at: str
    reason: str
    op: str


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    auto_reply: bool = False
    threshold: float | None = None  # None: the engine's default


@dataclass(frozen=True, slots=True)
class Gap:
    domain: str | None
    code: int | None
    text: str
    count: int
    last_seen: str


@dataclass(frozen=True, slots=True)
class Stats:
    entries: int
    curated: int
    reference: int
    queries: int
    answered: int
    feedback_helpful: int
    feedback_unhelpful: int
    gaps: int
    top_entries: tuple[tuple[str, int], ...] = ()
    skipped: int = 0  # stored rows that cannot be read (reported and left out)
    conflicts: int = 0  # file imports refused because the entry was changed in chat


class SupportBotError(Exception):
    """An error whose message is meant for the person who caused it."""


class NotFound(SupportBotError):
    pass


# ------------------------------------------------------------ the maintainers' review queue

REVIEW_KINDS = ("nothing", "suggestions", "unknown-code", "unhelpful", "not-this")


@dataclass(frozen=True, slots=True)
class ReviewScope:
    """Whose review items someone sees: everything (``platform`` None: the terminal and the
    knowledge-base admins), or one server / workspace (``platform`` and ``scope``)."""

    platform: str | None = None
    scope: str | None = None

    @classmethod
    def everything(cls) -> ReviewScope:
        return cls(None, None)

    @property
    def all(self) -> bool:
        return self.platform is None


@dataclass(frozen=True, slots=True)
class ReviewExample:
    """One recorded miss: a question, where and when, and what the bot answered.

    ``text`` and ``author`` are empty once the retention period has passed."""

    kind: str  # one of REVIEW_KINDS
    text: str
    platform: str
    scope: str
    channel: str
    at: str
    outcome: str  # the Outcome value the bot gave
    top_id: str | None  # the entry the bot answered with (or suggested first)
    author: str = ""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Similar misses grouped into one thing to review, counted within the viewer's scope."""

    id: int
    key: str  # "NSURLErrorDomain:-1009" for an error key, "question" for a group of similar texts
    title: str
    count: int
    first_seen: str
    last_seen: str
    examples: tuple[ReviewExample, ...]
    kinds: tuple[str, ...]
    platforms: tuple[str, ...]
    top_entry: str | None  # the entry answered most often for these misses
    status: str = "open"  # "open", or how it left the queue: "created", "taught", "dismissed"
    codes: tuple[tuple[str, int], ...] = ()  # the error keys the item is about
