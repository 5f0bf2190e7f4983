"""Deciding what to do with a ranking: answer, suggest, or stay silent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.combine import asks_more_than, combine, explained, is_topic, topic_bar
from bot.models import ChannelSettings, Combined, Match, Mode, Outcome
from bot.rank import SearchResult


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds on the calibrated confidence. Auto-replies need a high bar and a clear lead."""

    auto_threshold: float = 0.8
    auto_margin: float = 0.15
    answer_threshold: float = 0.55
    answer_margin: float = 0.1
    # A prose match rarely scores high in absolute terms, but one far ahead of the rest is
    # still the answer: show it as such when it leads the runner-up by this factor.
    answer_lead: float = 1.6
    suggest_threshold: float = 0.3
    max_suggestions: int = 3
    # A question in prose whose words match one curated entry far better than any other is
    # answered unasked although words alone never reach ``auto_threshold``: on the tuning sets
    # every such match at these bars was right and no off-topic line qualified (see README,
    # "Evaluating the knowledge base"). BM25 of the best entry, and its lead over the runner-up;
    # a lower lead suffices when the message also quotes one of the entry's phrases.
    lexical_min: float = 30.0
    lexical_lead: float = 2.2
    lexical_phrase_lead: float = 1.5
    # A smaller lead also suffices when the calibrated confidence is high for words alone: over the
    # 812 tuning and used-up lines every words-only leader at or above it with this lead was right,
    # and the wrong ones sat at 0.45 or below (off-topic ones above it name other frameworks' APIs).
    lexical_confidence: float = 0.50
    lexical_confident_lead: float = 1.3
    # A short question scores low BM25 however well it matches. When the best entry reaches this
    # share of the most its words could score (``SearchResult.word_ceiling``) with this lead, it
    # answers the question too, if it is a topic (a question naming no code is not about an
    # error entry: those words matched its localized text). Over the 650 tuning and used-up lines,
    # the one off-topic line above this share and BM25 led its runner-up by 1.12 (another had
    # unknown API names), and no wrong topic leader reached both bars.
    lexical_share: float = 0.45
    lexical_share_lead: float = 1.3
    lexical_share_min: float = 25.0


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    matches: tuple[Match, ...]
    auto_reply: bool
    combined: Combined | None = None  # its two parts lead ``matches``


def _single_auto(result: SearchResult, policy: Policy, bar: float) -> bool:
    top = result.matches[0]
    second = result.matches[1].confidence if len(result.matches) > 1 else 0.0
    if top.entry.id in result.off_subject:
        return False  # a code many subsystems return, in a message that never says it is about networking
    return top.confidence >= bar and top.confidence - second >= policy.auto_margin and top.entry.id in result.strong


def _asks_about_a_topic(result: SearchResult, policy: Policy) -> bool:
    """A prose question that quotes an error but whose words point at a topic about as much as at the
    error's own entry (the bar :func:`bot.combine.explained` uses), when no topic could be paired
    with it: the error alone likely answers a question nobody asked, so it is not posted unasked.

    An error pasted whole (its domain and code, a pattern or its message) of a framework's own
    domain is what the message is about unless the words ask about the topic clearly more
    (:func:`bot.combine.asks_more_than`): "writeDatagrams failed: ...NEAppProxyFlowErrorDomain Code=9,
    what is code 9?" shares most of its words with the UDP-flows topic and still asks for code 9.
    An error only named by number or symbol, or one every OS has (an errno is a symptom that many
    APIs report), keeps the lower bar.
    """
    top = result.matches[0]
    # A catalog row's few words say nothing about what the question asks: only curated errors compare.
    if result.extraction.pasted_log or top.entry.kind != "error":
        return False
    bar = topic_bar(result, top)
    topics = [result.words.get(m.entry.id, 0.0) for m in result.matches[1:] if is_topic(m.entry)]
    if top.entry.id in result.named or top.entry.id in result.everywhere:
        return any(words >= bar for words in topics)
    own = result.words.get(top.entry.id, 0.0)
    return any(words >= bar and asks_more_than(words, own) for words in topics)


def _lexical_auto(result: SearchResult, policy: Policy) -> bool:
    """A prose question whose words single out one curated entry (see :class:`Policy`).

    Never for a pasted log (its words are the log's), a code no table knows, a code of a domain
    this knowledge base does not cover, an entry found by a message other platforms print too when
    nothing says the question is about Apple's (``SearchResult.unbacked``), a code many subsystems return
    in a message that says nothing of networking (``SearchResult.off_subject``), a message naming another
    runtime (domains.toml's ``foreign``: a Java backend's push question), a web server or server system and no Apple
    platform or API (``servers``: "enable HTTP/3 on nginx" shares the HTTP/3 entry's words and asks for the
    server's configuration), an OS feature that users switch and ask about with nothing that says the writer
    builds software (``Extraction.from_user``: "can I turn Private Relay off for one site?"), or more API names that
    no entry mentions than names that some entry does (the question is likely about another framework),
    nor when the ranking's leader is not the words' leader (a key or symbol points elsewhere).
    """
    ex = result.extraction
    top = result.matches[0]
    best, words, runner = result.word_lead
    if ex.pasted_log or result.unknown_codes or result.foreign_codes or not top.entry.curated:
        return False
    if top.entry.id in result.unbacked or top.entry.id in result.off_subject or ex.foreign:
        return False
    if ex.server and not ex.platform:
        return False  # "enable HTTP/3 on nginx": about the server, unless it also names the app's side
    if ex.from_user:
        return False  # "can I turn Private Relay off for my bank's site?": a user's question, not the app's
    unknown, known = result.names
    if unknown > known:
        return False
    if top.entry.id != best:
        return False
    if top.entry.id in result.bigrams and top.entry.id not in result.phrased:
        return False  # CJK bigrams alone: a Japanese greeting shares "ネッ" and "まし" with -1005's text
    if words >= policy.lexical_min:
        lead = policy.lexical_phrase_lead if best in result.phrased else policy.lexical_lead
        if top.confidence >= policy.lexical_confidence:
            lead = min(lead, policy.lexical_confident_lead)
        if words >= lead * runner:
            return True
    return _covers_the_question(result, policy)


def _covers_the_question(result: SearchResult, policy: Policy) -> bool:
    """A topic that reaches a large share of what the question's words could score, well ahead."""
    _, words, runner = result.word_lead
    if not is_topic(result.matches[0].entry) or result.word_ceiling <= 0 or words < policy.lexical_share_min:
        return False
    return words >= policy.lexical_share * result.word_ceiling and words >= policy.lexical_share_lead * runner


# "thanks, the -1009 fix worked!": a message that opens with thanks and asks nothing closes a thread.
_THANKS_RE = re.compile(r"\W*(?:many thanks|thanks|thank you|thx|tysm|ty)\b", re.IGNORECASE)
THANKS_MAX_CHARS = 300


def says_thanks(text: str) -> bool:
    """Whether ``text`` is a thank-you: it opens with thanks, is short and asks no question. Whatever
    error it names was the one just solved; answering it unasked tells the asker what they know."""
    return len(text) <= THANKS_MAX_CHARS and "?" not in text and _THANKS_RE.match(text) is not None


def confident(result: SearchResult, policy: Policy, threshold: float | None = None) -> tuple[bool, Combined | None]:
    """Whether to auto-reply, and the combined answer when two matches are one (see bot.combine).

    Never for a thank-you (:func:`says_thanks`); otherwise as :func:`_confident` decides.
    """
    auto, combined = _confident(result, policy, threshold)
    return auto and not says_thanks(result.extraction.text), combined


def _confident(result: SearchResult, policy: Policy, threshold: float | None = None) -> tuple[bool, Combined | None]:
    """:func:`confident`'s decision on the ranking alone.

    One match must be confident, clearly ahead and backed by more than words; or the two
    leading matches are an error and its underlying error (or the topic that explains it),
    both confident, clearly ahead of every other answer; or a prose question quotes an error
    and asks about a topic that explains it (:func:`bot.combine.explained`). A combined answer to
    errors a question only names while it asks about a topic is returned but not posted.
    """
    if not result.matches:
        return False, None
    bar = policy.auto_threshold if threshold is None else threshold
    topic = explained(result, bar, policy.auto_margin)
    if topic is not None:
        return True, topic
    if _single_auto(result, policy, bar) and not _asks_about_a_topic(result, policy):
        return True, None
    combined = combine(result, bar, policy.auto_margin)
    # A channel that raised its bar above the default asked for fewer auto-replies: words alone never pass it.
    if combined is None and bar <= policy.auto_threshold and _lexical_auto(result, policy):
        return True, None
    if combined is not None and _named_in_a_question_about_a_topic(result, combined):
        return False, combined
    return combined is not None, combined


def _named_in_a_question_about_a_topic(result: SearchResult, combined: Combined) -> bool:
    """Both errors only named by number or symbol, or errnos every OS has (as for :func:`_asks_about_a_topic`),
    in prose whose words ask about a topic (as for :func:`bot.combine.asked_topic_first`): "-1200 because
    -9802", or "-1005 (POSIX 57 ENOTCONN underneath): how do chat apps keep a websocket alive in the
    background?", answers what the question took for granted, so it is offered when asked, not posted
    unasked."""
    parts = (combined.outer.entry.id, combined.cause.entry.id)
    if result.extraction.pasted_log or not all(p in result.named or p in result.everywhere for p in parts):
        return False
    own = max(result.words.get(p, 0.0) for p in parts)
    topic = max((result.words.get(m.entry.id, 0.0) for m in result.matches if is_topic(m.entry)), default=0.0)
    return asks_more_than(topic, own)


def would_auto_reply(result: SearchResult, policy: Policy, threshold: float | None = None) -> bool:
    """True when the bot would post unasked: see :func:`confident`."""
    return confident(result, policy, threshold)[0]


def decide(result: SearchResult, mode: Mode, policy: Policy, channel: ChannelSettings | None = None) -> Decision:
    """Apply the policy for one request. ``channel`` carries a per-channel threshold, if any."""
    threshold = channel.threshold if channel is not None else None
    auto, combined = confident(result, policy, threshold)
    matches = tuple(m for m in result.matches if m.confidence >= policy.suggest_threshold)
    if combined is not None and (auto or mode is not Mode.AUTO):
        parts = combined.parts
        rest = tuple(m for m in matches if m not in parts)
        keep = 2 if mode is Mode.AUTO else policy.max_suggestions + 1
        return Decision(Outcome.ANSWER, (parts + rest)[:keep], auto, combined)
    if mode is Mode.AUTO:
        if auto:
            return Decision(Outcome.ANSWER, matches[:1], True)
        return Decision(Outcome.NOTHING, (), False)
    if matches:
        top = matches[0]
        second = matches[1].confidence if len(matches) > 1 else 0.0
        clear = top.confidence >= policy.answer_threshold and top.confidence - second >= policy.answer_margin
        leads = top.confidence >= policy.suggest_threshold + 0.1 and top.confidence >= policy.answer_lead * second
        if auto or clear or leads:
            return Decision(Outcome.ANSWER, matches[: policy.max_suggestions + 1], auto)
        if result.unknown_codes and not result.known_codes and top.entry.id not in result.strong:
            return Decision(Outcome.UNKNOWN_CODE, matches[: policy.max_suggestions], False)
        return Decision(Outcome.SUGGEST, matches[: policy.max_suggestions], False)
    if result.unknown_codes:
        return Decision(Outcome.UNKNOWN_CODE, (), False)
    return Decision(Outcome.NOTHING, (), False)
