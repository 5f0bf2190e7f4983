"""When an error quoted in a question is posted alone, and when the question's topic holds it back.

The policy holds an error's answer back when the question's words point at a topic about as much
as at the error (``bot.policy._asks_about_a_topic``). How much "about as much" is depends on how
the error was given: pasted whole from a framework's own domain, it is what the message is about
unless the topic clearly leads; named only by number or symbol, or an errno every OS has, the
lower bar holds it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.models import Mode
from bot.policy import Policy, decide

from .core import Bundled, decide_in, search_in

# Written for these tests: a provider developer pastes a flow error in a question full of the
# UDP-flows topic's words.
UDP_FLOW_QUESTION = (
    "In my NETransparentProxyProvider, handleNewFlow accepts UDP flows (NEAppProxyUDPFlow) and I relay the "
    "datagrams over our TCP tunnel. On the way back, writeDatagrams fails with "
    'Error Domain=NEAppProxyFlowErrorDomain Code=9 "(null)". What does code 9 mean?'
)
ERROR, TOPIC = "neappproxy-9-datagram-too-large", "transparent-proxy-udp-flows"


def test_a_framework_error_pasted_whole_is_posted_though_a_topic_shares_its_words(bundled: Bundled) -> None:
    result = search_in(bundled, UDP_FLOW_QUESTION)
    own, topic = result.words[ERROR], result.words[TOPIC]
    # The premise: the topic's words pass the lower bar but lead the error's by less than 1.3 times.
    assert 0.9 * own <= topic < 1.3 * own
    assert ERROR not in result.named and ERROR not in result.everywhere
    d = decide_in(bundled, UDP_FLOW_QUESTION)
    assert d.auto_reply and d.combined is None and d.matches[0].entry.id == ERROR


def test_the_same_words_hold_back_an_error_only_named_or_one_every_os_has(bundled: Bundled) -> None:
    result = search_in(bundled, UDP_FLOW_QUESTION)
    for held in (replace(result, named=frozenset({ERROR})), replace(result, everywhere=frozenset({ERROR}))):
        d = decide(held, Mode.AUTO, Policy())
        assert not d.auto_reply
        # Asked for, it is still the first answer.
        assert decide(held, Mode.SLASH, Policy()).matches[0].entry.id == ERROR


def test_an_errno_is_one_every_os_has_and_a_framework_code_is_not(bundled: Bundled) -> None:
    text = 'NWConnection failed: Error Domain=NSPOSIXErrorDomain Code=61 "Connection refused" then NEAppProxyFlowErrorDomain Code=9'
    result = search_in(bundled, text)
    assert "posix-61-econnrefused" in result.everywhere
    assert ERROR not in result.everywhere


# Written for these tests: an error and its nested errno, quoted in prose that asks about a topic
# explaining the outer error (the -1005 entry and the WebSocket topic relate to each other).
BACKGROUND_SOCKET = (
    "URLSessionWebSocketTask in our chat: the user switches to another app for a bit, returns, and send() "
    "fails with -1005 (POSIX 57 ENOTCONN underneath). how do chat apps keep a websocket alive while "
    "backgrounded? is there a background mode for it?"
)
OUTER, NESTED = "urlerror-1005-network-connection-lost", "posix-57-enotconn"


def test_an_error_and_its_nested_errno_quoted_in_a_question_about_a_topic_are_not_posted(bundled: Bundled) -> None:
    result = search_in(bundled, BACKGROUND_SOCKET)
    # The premise: the -1005 is named by number, the errno by its domain and code (a key, but one
    # every OS has), and the words favour a topic well over either error.
    assert OUTER in result.named and NESTED not in result.named and NESTED in result.everywhere
    assert result.word_lead[0] == "websocket-background-disconnect"
    assert not decide_in(bundled, BACKGROUND_SOCKET).auto_reply
    # Asked for, the pair is still the answer.
    asked = decide(result, Mode.SLASH, Policy()).combined
    assert asked is not None and (asked.outer.entry.id, asked.cause.entry.id, asked.nested) == (OUTER, NESTED, True)
    # Were the errno one of a framework's own codes (not every OS's), the pair would be posted.
    d = decide(replace(result, everywhere=frozenset()), Mode.AUTO, Policy())
    assert d.auto_reply and d.combined is not None
