"""An error pasted with its underlying error (or the topic that explains it) is one answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.console import render_text
from bot import combine, labels
from bot.brief import BUDGET, CHECK_FAIR, COMBINED_CHECKS, combined_brief
from bot.cut import visible
from bot.index import Index
from bot.models import Combined, Entry, ErrorRef, Incoming, Mode, Outcome
from bot.policy import Policy, decide
from bot.rank import search
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, Bundled, decide_in, ranked_in, search_in, start_core

# Pastes written for these tests, in the shapes URLSession and CFNetwork print.
UNTRUSTED = (
    "Task <7E2A90C1>.<3> finished with error [-1202] Error Domain=NSURLErrorDomain Code=-1202 "
    '"The certificate for this server is invalid. You might be connecting to a server that is pretending '
    'to be “staging.example.net”." UserInfo={NSErrorFailingURLKey=https://staging.example.net/login, '
    "_kCFStreamErrorCodeKey=-9813, NSUnderlyingError=0x282c1b0f0 {Error Domain=kCFErrorDomainCFNetwork "
    'Code=-1202 "(null)" UserInfo={_kCFStreamPropertySSLClientCertificateState=0, '
    "_kCFNetworkCFStreamSSLErrorOriginalValue=-9813, _kCFStreamErrorDomainKey=3, _kCFStreamErrorCodeKey=-9813}}, "
    "_kCFStreamErrorDomainKey=3}"
)
LOST = (
    'PUT /v1/sync failed: Error Domain=NSURLErrorDomain Code=-1005 "The network connection was lost." '
    "UserInfo={_kCFStreamErrorCodeKey=57, NSUnderlyingError=0x600003d4c2a0 {Error Domain=kCFErrorDomainCFNetwork "
    'Code=-1005 "(null)" UserInfo={_kCFStreamErrorCodeKey=57, _kCFStreamErrorDomainKey=1}}, '
    "NSErrorFailingURLStringKey=https://sync.example.org/v1/sync, _kCFStreamErrorDomainKey=1}"
)
HANDSHAKE = (
    "2026-01-09 10:41:07.311 MyApp[812:4410] Task <B1>.<7> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])"
)
ATS = (
    "App Transport Security has blocked a cleartext HTTP (http://) resource load since it is insecure. "
    "Use HTTPS instead or add Exception Domains to your app's Info.plist.\n"
    "Task <19F3>.<1> finished with error [-1022] Error Domain=NSURLErrorDomain Code=-1022 "
    '"The resource could not be loaded because the App Transport Security policy requires the use of a '
    'secure connection." UserInfo={NSErrorFailingURLStringKey=http://cdn.example.com/a.png}'
)
TWO_UNRELATED = (
    'login: Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."\n'
    'upload: Error Domain=NSURLErrorDomain Code=-1001 "The request timed out."'
)


@pytest.mark.parametrize(
    ("text", "outer", "cause", "label"),
    [
        (UNTRUSTED, "urlerror-1202-server-certificate-untrusted", "errssl-9813-no-root-cert", "errSSLNoRootCert -9813"),
        (LOST, "urlerror-1005-network-connection-lost", "posix-57-enotconn", "ENOTCONN 57"),
        (
            HANDSHAKE,
            "urlerror-1200-secure-connection-failed",
            "errssl-9816-closed-no-notify",
            "errSSLClosedNoNotify -9816",
        ),
    ],
)
def test_an_error_and_its_nested_cause_are_one_confident_answer(
    bundled: Bundled, text: str, outer: str, cause: str, label: str
) -> None:
    d = decide_in(bundled, text)
    assert d.auto_reply and d.outcome is Outcome.ANSWER and d.combined is not None
    c = d.combined
    assert (c.outer.entry.id, c.cause.entry.id, c.nested) == (outer, cause, True)
    assert [m.entry.id for m in d.matches] == [cause, outer]  # the cause first: it is what to fix
    code = str(c.outer.entry.errors[0].code)
    assert c.headline.startswith(f"{code} (") and f" because {label}: " in c.headline


def _posted_together(bundled: Bundled, text: str) -> Combined:
    """The combined answer ``text`` gets, after checking that it is posted unasked."""
    d = decide_in(bundled, text)
    assert d.auto_reply and d.combined is not None
    return d.combined


def _ids(c: Combined) -> tuple[str, str, bool]:
    return (c.outer.entry.id, c.cause.entry.id, c.nested)


def test_an_error_and_the_topic_that_explains_it_are_one_answer(bundled: Bundled) -> None:
    c = _posted_together(bundled, ATS)
    assert _ids(c) == ("urlerror-1022-ats-requires-secure-connection", "ats-exceptions", False)
    # The topic first (what to do about it), then the error it explains.
    assert [m.entry.id for m in decide_in(bundled, ATS).matches] == [c.cause.entry.id, c.outer.entry.id]
    # The error's summary comes first under the headline, so the headline names it by its code alone.
    # ... and the topic without the keys its title lists in parentheses.
    assert "(NSAppTransportSecurity, NSExceptionDomains) " in c.cause.entry.title
    assert c.headline == "-1022 explained in " + c.cause.entry.title.replace(
        "(NSAppTransportSecurity, NSExceptionDomains) ", ""
    )


# Written for these tests: a prose question that quotes a code but asks about a topic.
PORTAL_QUESTION = (
    "Guests on our conference Wi-Fi get -1009 from every request until they open the browser and accept "
    "the captive portal sign-in page. How does iOS detect a captive portal, and can a hotspot helper "
    "answer the portal for them?"
)


def test_a_prose_question_quoting_an_error_is_answered_with_the_topic_it_asks_about(
    bundled: Bundled,
) -> None:
    c = _posted_together(bundled, PORTAL_QUESTION)
    assert _ids(c) == ("urlerror-1009-not-connected-to-internet", "captive-portal-authentication", False)
    # The topic is named by its title's head: the APIs after the colon are in its short answer.
    head, _, rest = c.cause.entry.title.partition(": ")
    assert rest and c.headline == f"-1009 explained in {head}"


# Written for these tests: Apple's localized text of -1202 (no domain and code to key it by), in a
# question about trusting a self-signed certificate.
SELF_SIGNED_QUESTION = (
    "The certificate for this server is invalid. You might be connecting to a server that is pretending "
    "to be “dev.example.test”. It's our own self-signed certificate on a test box; how can a debug build "
    "trust it without turning off server trust evaluation?"
)


def test_a_headline_names_the_error_by_its_code_and_the_topic_without_its_parenthesis(
    bundled: Bundled,
) -> None:
    c = _posted_together(bundled, SELF_SIGNED_QUESTION)
    assert _ids(c) == ("urlerror-1202-server-certificate-untrusted", "tls-server-trust-failure", False)
    # The error was matched by its message, not a code, yet is named by its code like a pasted one;
    # the topic's head lists codes in parentheses ("(-1202, -9807, ...)") that the answer shows anyway.
    assert c.cause.entry.title.startswith("TLS server trust failures (")
    assert c.headline == "-1202 explained in TLS server trust failures"


def test_a_topic_keeps_a_parenthesis_that_is_most_of_its_name() -> None:
    short = Entry(id="t", kind="howto", title="VPN (NEVPNManager): basics", summary="s", body="b")
    nested = Entry(
        id="u", kind="howto", title="Pausing large downloads (cancel(byProducingResumeData:), x)", summary="s"
    )
    # A name that would be left too short to say what the topic is keeps its parenthesis ...
    assert labels.topic_name(short) == "VPN (NEVPNManager)"
    # ... and a parenthesis with calls in it is dropped whole, with the space before it, as is one in
    # the middle of the name; an unbalanced one is not a parenthesis to drop.
    assert labels.topic_name(nested) == "Pausing large downloads"
    middle = Entry(id="v", kind="howto", title="Where widgets (WidgetProvider / WidgetKit) can run: x", summary="s")
    assert labels.topic_name(middle) == "Where widgets can run"
    unbalanced = Entry(id="w", kind="howto", title="Widgets on the lock screen (iOS 16 and later", summary="s")
    assert labels.topic_name(unbalanced) == unbalanced.title


# Written for these tests. The code is named by its symbol (no domain and code key), and the words
# favour the topic only somewhat more than the error's own entry, which repeats the error's words.
# "on iOS" says whose question it is: EPIPE alone is every OS's (tests/test_platform.py).
SIGNAL_QUESTION = (
    "After the server hangs up, my write() returns EPIPE (32) but most of the time the app is killed "
    "before I can even log it on iOS. What setting stops the signal from terminating my process?"
)
# The words lean to two topics about equally: which one the question is about is not clear.
TWO_TOPICS_QUESTION = (
    "Got -1001 on a long video upload although data was still being sent. Does the request timeout "
    "count from the start of the task or from the last packet received?"
)


def test_a_question_naming_an_error_symbol_gets_the_topic_it_asks_about(bundled: Bundled) -> None:
    assert _ids(_posted_together(bundled, SIGNAL_QUESTION)) == ("posix-32-epipe", "sigpipe-crash", False)


def test_two_topics_the_words_cannot_tell_apart_are_not_an_explanation(bundled: Bundled) -> None:
    result = search_in(bundled, TWO_TOPICS_QUESTION)
    words = sorted((result.words.get(m.entry.id, 0.0) for m in result.matches if m.entry.kind != "error"), reverse=True)
    # The premise: the leading topic beats the error's entry, but not the next topic by much.
    assert words[0] > result.words["urlerror-1001-timed-out"] and words[0] < 1.25 * words[1]
    d = decide_in(bundled, TWO_TOPICS_QUESTION, Mode.SLASH)
    assert d.combined is None
    assert d.matches[0].entry.id == "urlerror-1001-timed-out"
    # Nor is the error alone posted unasked: the question is about one of those topics.
    assert not decide_in(bundled, TWO_TOPICS_QUESTION).auto_reply


# Written for these tests: the words point at a topic the knowledge base does not relate to the error.
PERMISSION_QUESTION = (
    "Our app gets ECONNREFUSED (61) on the first connection to a printer on the LAN; after the user allows "
    "local network access it works. How can I show the local network permission alert earlier?"
)


def test_an_error_alone_is_not_posted_unasked_when_the_question_is_about_a_topic(
    bundled: Bundled,
) -> None:
    result = search_in(bundled, PERMISSION_QUESTION)
    error, topic = "posix-61-econnrefused", "local-network-privacy-prompt"
    assert result.words[topic] > result.words[error]  # the premise: the words lean to the topic
    d = decide_in(bundled, PERMISSION_QUESTION)
    assert not d.auto_reply and d.outcome is Outcome.NOTHING
    # Asked for, the topic the question is about leads, with the error it names beside it.
    asked = decide(result, Mode.SLASH, Policy())
    assert [m.entry.id for m in asked.matches[:2]] == [topic, error]


def test_the_same_error_pasted_alone_is_still_posted(bundled: Bundled) -> None:
    d = decide_in(bundled, 'Error Domain=NSPOSIXErrorDomain Code=61 "Connection refused"')
    assert d.auto_reply and d.matches[0].entry.id == "posix-61-econnrefused"


def test_the_same_error_without_the_question_is_the_error_alone(bundled: Bundled) -> None:
    d = decide_in(bundled, 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."')
    assert d.auto_reply and d.combined is None
    assert d.matches[0].entry.id == "urlerror-1009-not-connected-to-internet"


def test_a_topic_the_error_is_not_related_to_is_never_paired(bundled: Bundled) -> None:
    # The words point at Wi-Fi Aware, which the knowledge base does not relate to -1009.
    text = "-1009 sometimes. How do I pair two iPhones with Wi-Fi Aware and the wifi-aware entitlement on iOS 26?"
    result = search_in(bundled, text)
    assert result.word_lead[0] == "wifi-aware-ios26"
    assert decide_in(bundled, text).combined is None


# Written for these tests. A catalog row (no curated entry for NEVPNConnectionErrorDomain 1) quoted in a
# question about the topic that claims that code.
OVERSLEPT_QUESTION = (
    "After the MacBook slept overnight our packet tunnel is gone and fetchLastDisconnectError gives "
    "NEVPNConnectionErrorDomain code 1. What should the provider do in sleep and wake so it survives?"
)


def test_a_catalog_row_quoted_in_a_question_is_paired_with_the_topic_asked_about(
    bundled: Bundled,
) -> None:
    c = _posted_together(bundled, OVERSLEPT_QUESTION)
    assert _ids(c) == ("code:NEVPNConnectionErrorDomain:1", "network-extension-sleep-wake", False)
    assert not c.outer.entry.curated


def test_a_small_code_claimed_in_another_domain_is_no_claim(bundled: Bundled) -> None:
    index, extractor = bundled
    # The same knowledge base, but the sleep/wake topic claims code 1 of NEVPNErrorDomain instead.
    other = ErrorRef("NEVPNErrorDomain", 1, "NEVPNErrorConfigurationInvalid", "related")
    entries = [replace(e, errors=(other,)) if e.id == "network-extension-sleep-wake" else e for e in index.entries]
    d = decide(search(Index(entries, index.domains), extractor.extract(OVERSLEPT_QUESTION)), Mode.AUTO, Policy())
    assert d.combined is None


# Codes lift four entries above the topic the words favour (the nscurl entry): -1200 and the ATS topics and
# errors that claim it. The topic is still shown, and since the question only names -1200, it goes first.
UNSHOWN_TOPIC_QUESTION = (
    "URLSession gives -1200 against our staging host although curl is happy. Which command line tool on macOS "
    "tells me which ATS requirement the server misses?"
)


def test_the_topic_the_words_favour_is_shown_though_codes_lift_others_above_it(bundled: Bundled) -> None:
    raw = ranked_in(bundled, UNSHOWN_TOPIC_QUESTION)
    shown = [m.entry.id for m in raw.matches]
    # The premise: without the words' leader, the matches would be the error and four entries lifted by it.
    assert len(shown) == 5 and shown[-1] == raw.word_lead[0] == "ats-diagnostics-nscurl"
    assert raw.matches[-1].confidence < raw.matches[-2].confidence
    assert (
        shown[0] == "urlerror-1200-secure-connection-failed" and "urlerror-1200-secure-connection-failed" in raw.named
    )
    assert search_in(bundled, UNSHOWN_TOPIC_QUESTION).matches[0].entry.id == "ats-diagnostics-nscurl"
    # Its words alone are no reason to post it unasked.
    assert not decide_in(bundled, UNSHOWN_TOPIC_QUESTION).auto_reply


def test_two_unrelated_errors_stay_a_tie(bundled: Bundled) -> None:
    d = decide_in(bundled, TWO_UNRELATED)
    assert not d.auto_reply and d.outcome is Outcome.NOTHING
    asked = decide_in(bundled, TWO_UNRELATED, Mode.SLASH)
    assert asked.outcome is Outcome.SUGGEST and asked.combined is None
    assert {m.entry.id for m in asked.matches[:2]} == {
        "urlerror-1009-not-connected-to-internet",
        "urlerror-1001-timed-out",
    }


def test_the_same_two_codes_side_by_side_are_not_nested(bundled: Bundled) -> None:
    # Structure decides, not the codes: -1202 and -9813 as two separate errors stay two answers.
    d = decide_in(bundled, "first try: Error Domain=NSURLErrorDomain Code=-1202\nsecond try: OSStatus -9813")
    assert not d.auto_reply and d.combined is None


def test_a_nested_pair_with_an_unrelated_error_beside_it_is_still_a_tie(bundled: Bundled) -> None:
    d = decide_in(bundled, HANDSHAKE + '\nlater: Error Domain=NSURLErrorDomain Code=-1009 "offline"')
    assert not d.auto_reply and d.combined is None


def test_extraction_says_which_code_is_nested_in_which(bundled: Bundled) -> None:
    _, extractor = bundled
    ex = extractor.extract(LOST)
    pairs = {((ex.codes[o].domain, ex.codes[o].code), (ex.codes[u].domain, ex.codes[u].code)) for o, u in ex.nested}
    assert (("NSURLErrorDomain", -1005), ("NSPOSIXErrorDomain", 57)) in pairs
    assert all(not ex.codes[o].underlying and ex.codes[u].underlying for o, u in ex.nested)


async def test_the_combined_answer_is_posted_unasked_and_rendered(store: SQLiteStore) -> None:
    engine = (await start_core(store, BUNDLED_KB)).engine
    answer = await engine.answer(Incoming(UNTRUSTED, Mode.AUTO))
    assert answer is not None and answer.auto_reply and answer.combined is not None
    text = render_text(answer)
    assert text.startswith(answer.combined.headline[:60])
    assert text.index("errssl-9813-no-root-cert") < text.index("urlerror-1202-server-certificate-untrusted")


# Written for these tests. The underlying code comes before the error it was nested in, so the paste's
# structure does not pair them; the -1200 entry claims -9806 and URL errors wrap OSStatus ones.
INNER_FIRST = "every retry logs _kCFStreamErrorCodeKey=-9806 together with NSURLErrorDomain -1200"
# The older log line names a TLS code; which URL error it ended as depends on that code (-9814: -1201).
OLD_TLS_LINE = "NSURLSession/NSURLConnection HTTP load failed (kCFStreamErrorDomainSSL, -9814)"
UNRELATED_LAYERS = (
    'upload: Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline." then the '
    "retry logged nw_socket_connect [C4:1] connectx failed [61: Connection refused]"
)


def test_an_outer_error_and_a_code_of_a_domain_it_wraps_are_one_answer(bundled: Bundled) -> None:
    result = search_in(bundled, INNER_FIRST)
    assert ("urlerror-1200-secure-connection-failed", "errssl-9806-closed-abort") in result.nested
    c = _posted_together(bundled, INNER_FIRST)
    assert _ids(c) == ("urlerror-1200-secure-connection-failed", "errssl-9806-closed-abort", True)
    # Typed as bare codes, the same two errors are the same answer.
    typed = decide_in(bundled, "Error Domain=NSURLErrorDomain Code=-1200 and also -9836 in the console")
    assert typed.combined is not None and typed.combined.cause.entry.id == "errssl-9836-peer-protocol-version"


def test_the_old_tls_log_line_is_answered_by_its_code(bundled: Bundled) -> None:
    # Not a -1200: the line is logged for trust and date failures too, which end as other URL errors.
    d = decide_in(bundled, OLD_TLS_LINE)
    assert d.auto_reply and d.combined is None and d.matches[0].entry.id == "errssl-9814-cert-expired"


def test_errors_of_wrapping_domains_that_the_knowledge_base_does_not_relate_stay_a_tie(
    bundled: Bundled,
) -> None:
    result = search_in(bundled, UNRELATED_LAYERS)
    assert [m.entry.id for m in result.matches[:2]] == [
        "urlerror-1009-not-connected-to-internet",
        "posix-61-econnrefused",
    ]
    assert not result.nested
    d = decide_in(bundled, UNRELATED_LAYERS)
    assert d.combined is None and not d.auto_reply


# Written for this test: the topic's pattern and the error's code both match; no "see also" ties them,
# only the topic claiming -65555 as a related code.
NOAUTH_LINE = "nw_browser_fail_on_dns_error_locked [B1] DNSServiceBrowse failed: NoAuth(-65555)"


def test_a_topic_claiming_the_error_code_pairs_with_it_without_a_see_also(bundled: Bundled) -> None:
    index, extractor = bundled
    topic = next(e for e in index.entries if e.id == "local-network-privacy-bonjour-plist")
    error = next(e for e in index.entries if e.id == "dnssd-65555-noauth")
    assert error.id not in topic.related and topic.id not in error.related  # the premise
    c = _posted_together(bundled, NOAUTH_LINE)
    assert {c.outer.entry.id, c.cause.entry.id} == {error.id, topic.id}
    unclaimed = [replace(e, errors=()) if e.id == topic.id else e for e in index.entries]
    d = decide(search(Index(unclaimed, index.domains), extractor.extract(NOAUTH_LINE)), Mode.AUTO, Policy())
    assert d.combined is None


# Written for this test: the error is found by its message, not by a code.
NOT_CONNECTED_MESSAGE = (
    'my iPhone app writes to its socket after coming back to the foreground and gets "Socket is not connected"'
)


def test_an_error_found_by_its_message_pairs_with_a_topic_claiming_its_code(bundled: Bundled) -> None:
    result = search_in(bundled, NOT_CONNECTED_MESSAGE)
    assert "posix-57-enotconn" not in result.keys and "posix-57-enotconn" in result.strong  # the premise
    c = _posted_together(bundled, NOT_CONNECTED_MESSAGE)
    assert _ids(c) == ("posix-57-enotconn", "websocket-background-disconnect", False)


# Written for these tests: a question that names ECONNREFUSED in passing and asks about the local network
# permission prompt, which the knowledge base does not relate to that error.
PROMPT_ASKED = (
    "Users get {error} when the app first talks to a box on the LAN, then it works once they tap Allow in the "
    "local network permission alert. Can I show that prompt earlier?"
)


def test_a_topic_asked_about_ranks_above_an_error_named_in_passing(
    bundled: Bundled, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PROMPT_ASKED.format(error="ECONNREFUSED")
    result = search_in(bundled, text)
    assert "posix-61-econnrefused" in result.named
    assert [m.entry.id for m in result.matches[:2]] == ["local-network-privacy-prompt", "posix-61-econnrefused"]
    # The error's own evidence (a symbol) is stronger; it falls to the topic's, so the order is by confidence.
    assert result.matches[1].confidence == result.matches[0].confidence < 0.9
    monkeypatch.setattr(combine, "ASKED_TOPIC_LEAD", 10.0)
    assert search_in(bundled, text).matches[0].entry.id == "posix-61-econnrefused"


# Written for these tests: -9807 named in passing lifts the trust-failure topic (which claims the code)
# above the TLS-options topic the question asks about.
TRUST_HOOK_ASKED = (
    "NWConnection to a printer that uses a self-signed cert fails the handshake with -9807. Without turning "
    "TLS off, where do I put my own trust evaluation for this connection in Network framework?"
)


def test_a_topic_asked_about_ranks_above_entries_lifted_by_the_code_named_in_passing(bundled: Bundled) -> None:
    raw = ranked_in(bundled, TRUST_HOOK_ASKED)
    error, lifted, topic = "errssl-9807-cert-chain-invalid", "tls-server-trust-failure", "nwconnection-tls-options"
    # The premise: the topic leads the words but is third, behind an entry there by the code it claims.
    assert [m.entry.id for m in raw.matches[:3]] == [error, lifted, topic]
    assert raw.word_lead[0] == topic and error in raw.named and lifted not in raw.strong
    moved = combine.asked_topic_first(raw, 0.8, 0.15)
    assert [m.entry.id for m in moved.matches[:3]] == [topic, error, lifted]
    assert {m.confidence for m in moved.matches[:3]} == {raw.matches[2].confidence}
    # An entry above the topic found by evidence of its own (not the code named in passing) keeps its place.
    found = replace(raw, strong=raw.strong | {lifted})
    assert combine.asked_topic_first(found, 0.8, 0.15).matches == raw.matches


@pytest.mark.parametrize(
    "error",
    [
        "Error Domain=NSPOSIXErrorDomain Code=61",  # a domain and code: quoted from a paste
        'ECONNREFUSED "Connection refused"',  # the error's message: quoted from a paste
    ],
)
def test_an_error_quoted_from_a_paste_stays_first(bundled: Bundled, error: str) -> None:
    result = search_in(bundled, PROMPT_ASKED.format(error=error))
    assert not result.named
    assert [m.entry.id for m in result.matches[:2]] == ["posix-61-econnrefused", "local-network-privacy-prompt"]


def test_a_question_about_the_error_itself_keeps_it_first(bundled: Bundled) -> None:
    result = search_in(
        bundled, "What does -1005 mean, and why does it happen when the app returns from the background?"
    )
    assert result.matches[0].entry.id == "urlerror-1005-network-connection-lost"


# Written for these tests: the same two codes, named by number, in a question about a tool and in a report.
ASKS_FOR_A_TOOL = (
    "Which tool tells me what ATS exception keys my API host needs? iOS gives -1200 with -9802 while Safari "
    "on the Mac loads it."
)
REPORTS_THE_CODES = "iOS gives -1200 with -9802 on every request to our API host while Safari on the Mac loads it."
LAYERED = ("urlerror-1200-secure-connection-failed", "errssl-9802-fatal-alert")


def test_a_combined_answer_to_codes_a_question_only_names_is_offered_not_posted(bundled: Bundled) -> None:
    d = decide_in(bundled, ASKS_FOR_A_TOOL)
    assert not d.auto_reply and d.outcome is Outcome.NOTHING
    asked = decide_in(bundled, ASKS_FOR_A_TOOL, Mode.SLASH)
    assert asked.combined is not None and not asked.auto_reply
    assert (asked.combined.outer.entry.id, asked.combined.cause.entry.id) == LAYERED


def test_the_same_codes_reported_without_a_question_about_a_topic_are_posted(bundled: Bundled) -> None:
    d = decide_in(bundled, REPORTS_THE_CODES)
    assert d.auto_reply and d.combined is not None
    assert (d.combined.outer.entry.id, d.combined.cause.entry.id) == LAYERED


@pytest.mark.parametrize("text", [UNTRUSTED, LOST, HANDSHAKE])
def test_a_nested_pair_in_short_names_the_outer_error_once(bundled: Bundled, text: str) -> None:
    c = _posted_together(bundled, text)
    cb = combined_brief(c)
    # The headline already says what the outer error is: no summary of it below the cause's checks.
    assert cb.headline == c.headline and cb.aside == ""
    # What to fix stays, in two checks that read as whole thoughts rather than three cut to a few words.
    assert len(cb.first.checks) == COMBINED_CHECKS
    assert all(not c.endswith("…") or len(visible(c)) >= CHECK_FAIR // 2 for c in cb.first.checks)
    extra = [li for li in cb.links if li not in cb.first.links]
    assert [li.url for li in extra] == [c.outer.entry.links[0].url]  # the outer error's link stays
    # Two entries in the room of one: the headline, the cause's summary, checks and link, the outer's link.
    assert cb.first.size + sum(len(li.title) for li in extra) <= BUDGET


def test_a_topic_that_explains_an_error_comes_first_and_the_error_keeps_its_lead_sentence(bundled: Bundled) -> None:
    d = decide_in(bundled, PORTAL_QUESTION)
    assert d.combined is not None and not d.combined.nested
    cb = combined_brief(d.combined)
    # The question asked about the topic: its summary and checks lead; the error follows in one line.
    assert d.combined.cause.entry.summary.startswith(cb.first.summary.rstrip("…")) and cb.first.checks
    assert cb.aside and d.combined.outer.entry.summary.startswith(cb.aside.rstrip("…"))


@pytest.mark.parametrize("text", [ATS, PORTAL_QUESTION])
def test_an_explained_error_in_short_names_each_part_once_in_full(bundled: Bundled, text: str) -> None:
    c = _posted_together(bundled, text)
    cb = combined_brief(c)
    # The headline names the error by its code and the topic by its title's head; the error's line
    # under the topic's short answer is labelled with the same code and says what it means.
    assert "(" not in c.outer_label and cb.headline.endswith(c.cause_label)
    assert cb.second_title == c.outer_label and cb.aside


# Written for this test: a request to a LAN host refused by local network privacy. -1009 and its
# nested ENETDOWN say "no network" alone; the path reason says which network and why.
LAN_DENIED = (
    'Task <5C1F>.<2> finished with error [-1009] Error Domain=NSURLErrorDomain Code=-1009 "The Internet '
    'connection appears to be offline." UserInfo={_kCFStreamErrorCodeKey=50, NSUnderlyingError=0x60000 '
    '{Error Domain=kCFErrorDomainCFNetwork Code=-1009 "(null)" UserInfo={_NSURLErrorNWPathKey=unsatisfied '
    "(Local network prohibited), interface: en0[802.11], ipv4, _kCFStreamErrorCodeKey=50, "
    "_kCFStreamErrorDomainKey=1}}, NSErrorFailingURLStringKey=http://10.0.1.7:8000/api/state, "
    "_kCFStreamErrorDomainKey=1}"
)


def test_a_path_refused_by_local_network_privacy_is_answered_by_that_topic(bundled: Bundled) -> None:
    c = _posted_together(bundled, LAN_DENIED)
    assert _ids(c) == ("urlerror-1009-not-connected-to-internet", "local-network-privacy-prompt", False)
    # Without the path reason the same paste is "no network": -1009 because ENETDOWN.
    plain = _posted_together(bundled, LAN_DENIED.replace("unsatisfied (Local network prohibited)", "unsatisfied"))
    assert _ids(plain) == ("urlerror-1009-not-connected-to-internet", "posix-50-enetdown", True)


def test_a_connection_waiting_on_a_refused_local_path_is_answered_by_that_topic(bundled: Bundled) -> None:
    text = (
        "[C3 192.168.0.42:9000 tcp, path: unsatisfied (Local network prohibited), interface: en0[802.11], ipv4] "
        "state: waiting(POSIXErrorCode(rawValue: 50): Network is down)\nmy NWConnection to the LAN device never gets ready"
    )
    assert _ids(_posted_together(bundled, text)) == ("posix-50-enetdown", "local-network-privacy-prompt", False)


def test_an_errno_nested_in_the_error_is_no_rival_to_the_topic_that_explains_it(bundled: Bundled) -> None:
    result = search_in(bundled, LAN_DENIED)
    # ENETDOWN's entry no longer names the topic as related; nested in -1009 it is part of that error,
    # not a rival answer as close as the pair.
    unlinked = tuple(
        replace(m, entry=replace(m.entry, related=())) if m.entry.id == "posix-50-enetdown" else m
        for m in result.matches
    )
    c = combine.combine(replace(result, matches=unlinked), Policy().auto_threshold, Policy().auto_margin)
    assert c is not None and _ids(c) == (
        "urlerror-1009-not-connected-to-internet",
        "local-network-privacy-prompt",
        False,
    )
