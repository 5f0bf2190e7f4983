"""Messages every platform prints alike (POSIX strerror texts, OpenSSL's messages, small bare codes)
identify an error but not that the question is about Apple's platforms: they are posted unasked
only when something in the message says it is (bot.platform)."""

from __future__ import annotations

from bot.models import Mode, Outcome
from bot.platform import api_names

from .core import Bundled, decide_in, search_in

# Written for these tests: the same strerror text with and without anything that says Apple.
RESET_ELSEWHERE = "docker compose: my postgres container logs 'Connection reset by peer' every few minutes, any idea?"
RESET_ON_IOS = "iOS app: recv on my TCP socket fails with Connection reset by peer after the phone switches to LTE"


def test_an_error_text_every_os_prints_is_not_posted_unasked_without_a_platform(
    bundled: Bundled,
) -> None:
    elsewhere = search_in(bundled, RESET_ELSEWHERE)
    assert elsewhere.matches[0].entry.id == "posix-54-econnreset"
    assert "posix-54-econnreset" not in elsewhere.strong
    assert not decide_in(bundled, RESET_ELSEWHERE).auto_reply
    # Asked for, it is still the answer.
    asked = decide_in(bundled, RESET_ELSEWHERE, Mode.SLASH)
    assert asked.outcome is Outcome.ANSWER and asked.matches[0].entry.id == "posix-54-econnreset"
    on_ios = decide_in(bundled, RESET_ON_IOS)
    assert on_ios.auto_reply and on_ios.matches[0].entry.id == "posix-54-econnreset"


def test_a_platform_word_or_a_known_api_name_says_the_message_is_ours(bundled: Bundled) -> None:
    _, extractor = bundled
    assert not extractor.extract(RESET_ELSEWHERE).platform
    assert extractor.extract(RESET_ON_IOS).platform
    assert extractor.extract("NSPOSIXErrorDomain 54 from my server").platform  # a domain name counts too
    # A known API name counts as well, though no platform word is in the message.
    text = "URLSessionStreamTask readData fails with Connection reset by peer after a while"
    assert not extractor.extract(text).platform
    assert "posix-54-econnreset" in search_in(bundled, text).strong


# Written for this test: a short strerror text ("network is unreachable") used as plain English.
UNREACHABLE_IN_PROSE = (
    "Is it fine to disable the sync button while Reachability reports the network is unreachable? VPN users get stuck."
)


def test_a_short_error_text_every_os_prints_weighs_little_in_prose(bundled: Bundled) -> None:
    result = search_in(bundled, UNREACHABLE_IN_PROSE)
    assert result.matches[0].entry.id == "reachability-preflight"
    # Pasted as an error, the same words still identify ENETUNREACH.
    pasted = search_in(bundled, "nw_connection failed: Network is unreachable [POSIX 51]")
    assert pasted.matches[0].entry.id == "posix-51-enetunreach"


# Written for this test: OpenSSL's message, printed the same by curl on Linux and by an iOS app.
OPENSSL_ELSEWHERE = (
    "curl on my ubuntu box fails: CERTIFICATE_VERIFY_FAILED, unable to get local issuer certificate, what do I install"
)
OPENSSL_ON_IOS = "our Flutter app fails on iOS only: HandshakeException CERTIFICATE_VERIFY_FAILED unable to get local issuer certificate"


def test_a_message_other_platforms_print_is_not_posted_unasked_without_ours(bundled: Bundled) -> None:
    elsewhere = search_in(bundled, OPENSSL_ELSEWHERE)
    assert elsewhere.matches[0].entry.id == "tls-server-trust-failure"
    assert "tls-server-trust-failure" in elsewhere.unbacked and "tls-server-trust-failure" not in elsewhere.strong
    # Neither the pattern nor the words that came with it post it unasked; asked for, it is the answer.
    assert not decide_in(bundled, OPENSSL_ELSEWHERE).auto_reply
    assert decide_in(bundled, OPENSSL_ELSEWHERE, Mode.SLASH).matches[0].entry.id == "tls-server-trust-failure"
    on_ios = decide_in(bundled, OPENSSL_ON_IOS)
    assert on_ios.auto_reply and on_ios.matches[0].entry.id == "tls-server-trust-failure"


# Written for this test: OpenSSL's message from another runtime on a Mac. "Mac" and a Foundation-like type
# name (URLError) would back it; the runtime named beside it says whose message it is.
OPENSSL_FROM_PYTHON_ON_A_MAC = (
    "python3 script on my Mac: urllib.error.URLError: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] "
    "certificate verify failed: unable to get local issuer certificate>. Safari loads the page fine."
)


def test_a_message_other_platforms_print_is_another_runtimes_when_it_is_named(bundled: Bundled) -> None:
    _, extractor = bundled
    ex = extractor.extract(OPENSSL_FROM_PYTHON_ON_A_MAC)
    assert ex.foreign
    result = search_in(bundled, OPENSSL_FROM_PYTHON_ON_A_MAC)
    assert result.matches[0].entry.id == "tls-server-trust-failure" and "tls-server-trust-failure" in result.unbacked
    assert not decide_in(bundled, OPENSSL_FROM_PYTHON_ON_A_MAC).auto_reply
    # Without the runtime's names, the same message on a Mac is ours.
    ours = OPENSSL_FROM_PYTHON_ON_A_MAC.replace("python3 script", "my app").replace("urllib.error.", "")
    assert not extractor.extract(ours).foreign
    assert decide_in(bundled, ours).auto_reply


# Written for this test: Linux's errno 111 in a worker's log, then the same number from an iPhone.
ERRNO_ELSEWHERE = "celery worker in docker: Error 111 connecting to redis:6379. Connection refused."
SMALL_CODE_ON_IOS = "iOS app: CFNetwork Error 111 when the proxy is on"


def test_a_small_code_with_no_domain_needs_a_sign_of_apple_to_be_posted(bundled: Bundled) -> None:
    elsewhere = search_in(bundled, ERRNO_ELSEWHERE)
    assert elsewhere.matches[0].entry.id == "code:kCFErrorDomainCFNetwork:111"
    assert not elsewhere.strong and "code:kCFErrorDomainCFNetwork:111" in elsewhere.unbacked
    assert not decide_in(bundled, ERRNO_ELSEWHERE).auto_reply
    on_ios = decide_in(bundled, SMALL_CODE_ON_IOS)
    assert on_ios.auto_reply and on_ios.matches[0].entry.id == "code:kCFErrorDomainCFNetwork:111"


def test_only_type_names_no_entry_mentions_count_as_another_frameworks(bundled: Bundled) -> None:
    index, extractor = bundled
    # Written for this test: the asker's own methods and variables (lowerCamel) beside one of our types.
    ours = (
        "My NEPacketTunnelProvider calls handleIncomingBatch from readLoopOnQueue and then encryptAndForward; "
        "throughput drops to 2 Mbit/s. Where does the time go?"
    )
    assert api_names(index, extractor.extract(ours)) == (0, 1)
    # Another framework's types still count against the question, with the asker's own type beside them.
    theirs = "EXC_BAD_ACCESS in NSManagedObjectContext save, called from PersistenceController.saveContext"
    assert api_names(index, extractor.extract(theirs)) == (2, 0)


def test_network_frameworks_own_log_lines_say_the_message_is_ours(bundled: Bundled) -> None:
    _, extractor = bundled
    # Written for this test: the strerror text alone, then as Network framework logs it.
    assert not extractor.extract('read failed: "Socket is not connected", retrying').platform
    logged = 'nw_read_request_report [C7] Receive failed with error "Socket is not connected", retrying'
    assert extractor.extract(logged).platform


# Written for these tests: Node's ECONNREFUSED from a container, and the same error from an iPhone app.
NODE_REFUSED = (
    "Error: connect ECONNREFUSED 10.0.0.7:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16) "
    "{\n  errno: -111,\n  code: 'ECONNREFUSED',\n  syscall: 'connect'\n}\nredis in my compose stack refuses the worker"
)
IPHONE_REFUSED = "My iOS app's socket connect() to the Mac mini dev server fails with ECONNREFUSED right away"


def test_a_posix_symbol_is_posted_unasked_only_in_a_message_about_apple(bundled: Bundled) -> None:
    node = search_in(bundled, NODE_REFUSED)
    assert node.matches[0].entry.id == "posix-61-econnrefused"
    assert "posix-61-econnrefused" in node.unbacked  # "errno" names POSIX's domain, but not Apple
    assert not decide_in(bundled, NODE_REFUSED).auto_reply
    d = decide_in(bundled, IPHONE_REFUSED)
    assert d.auto_reply and d.matches[0].entry.id == "posix-61-econnrefused"


def test_a_generic_domain_alias_is_no_sign_of_apple(bundled: Bundled) -> None:
    _, extractor = bundled
    assert not extractor.extract("errno: 61, POSIX error from my tls client").platform
    assert extractor.extract("Error Domain=NSPOSIXErrorDomain Code=61").platform


# Written for these tests: getaddrinfo's EAI_AGAIN from a container build, and from an iPhone app.
NPM_EAI = "CI image build fails at `yarn install`: getaddrinfo EAI_AGAIN registry.yarnpkg.com, passes on my laptop"
IPHONE_EAI = "Our iPhone app's NWConnection to a hostname fails with getaddrinfo EAI_AGAIN when it first starts on LTE"


def test_a_getaddrinfo_symbol_is_posted_unasked_only_in_a_message_about_apple(bundled: Bundled) -> None:
    # getaddrinfo's EAI_* codes are POSIX's (domains.toml marks the netdb domain shared_text): a build
    # in a container prints the same symbol, and the answer is its DNS, not an app's.
    ci = search_in(bundled, NPM_EAI)
    assert ci.matches[0].entry.id == "code:kCFStreamErrorDomainNetDB:2"
    assert "code:kCFStreamErrorDomainNetDB:2" in ci.unbacked
    assert not decide_in(bundled, NPM_EAI).auto_reply
    d = decide_in(bundled, IPHONE_EAI)
    assert d.auto_reply and d.matches[0].entry.id == "code:kCFStreamErrorDomainNetDB:2"
