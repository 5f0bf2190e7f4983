"""Strict link URLs: the hostile shapes a knowledge-base link or a chat message could carry."""

from __future__ import annotations

import pytest

from bot.knowledge.tree import read_knowledge
from bot.lint import check_entries
from bot.models import Entry, Link
from bot.urls import escape_url, find_links, normalise_host, url_problem

from .core import BUNDLED_KB

HOSTS = frozenset({"developer.apple.com"})
SMUGGLED = "https://developer.apple.com/x)[Sign_in_to_fix](https://evil.example/login"
BACKSLASH = "https://evil.example\\@developer.apple.com/"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (SMUGGLED, "Markdown reads as syntax"),
        (BACKSLASH, "backslash"),
        ("https://evil.example@developer.apple.com/", "user information"),
        ("https://developer.apple.com:8443/x", "port"),
        ("https://developer.apple.com:443/x", "port"),
        ("http://developer.apple.com/x", "https"),
        ("javascript:alert(1)", "https"),
        ("HTTPS://developer.apple.com/x", "https"),
        ("https://developer.apple.com/a b", "whitespace"),
        ("https://developer.apple.com/a\u202eb", "control"),
        ("https://developer.apple.com/<img>", "Markdown reads as syntax"),
        ('https://developer.apple.com/"x', "Markdown reads as syntax"),
        ("https://developer.apple.com/`x`", "Markdown reads as syntax"),
        ("https://developer.apple.com/{x}|y", "Markdown reads as syntax"),
        ("https://developer.apple.com/a%zz", "percent-encoded"),
        ("https://developer.apple.com/ü", "non-ASCII"),
        ("https://developer.apple.com/a#b#c", "more than one"),
        ("https://", "malformed"),
        ("https://developer..apple.com/", "malformed"),
        ("https://evil.example/", "allow-list"),
        ("https://developer.apple.com.evil.example/", "allow-list"),
        ("https://" + "a" * 3000 + ".com/", "longer than"),
    ],
)
def test_hostile_urls_are_refused(url: str, why: str) -> None:
    problem = url_problem(url, HOSTS)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://developer.apple.com/documentation/network/nwconnection",
        "https://Developer.Apple.COM./documentation/x",  # host compared lowercased, trailing dot dropped
        "https://developer.apple.com/documentation/x/apply%28_%3Acompletionhandler%3A%29",
        "https://developer.apple.com/forums/thread/1?page=2#reply-3",
    ],
)
def test_good_urls_pass(url: str) -> None:
    assert url_problem(url, HOSTS) is None


def test_host_normalisation() -> None:
    assert normalise_host("Developer.Apple.com.") == "developer.apple.com"
    assert normalise_host("bücher.example") == "xn--bcher-kva.example"
    assert normalise_host("a..b") is None
    assert normalise_host("localhost") is None
    assert normalise_host("-bad.example") is None


def test_find_links_sees_every_kind() -> None:
    body = (
        f"Sign in [here]({SMUGGLED}) or <{BACKSLASH}> or https://bare.example/path.\n"
        "[ref]: https://ref.example/x\n"
        "`https://in-code.example/` is only code, and so is\n```\nhttps://fenced.example/\n```\n"
        "Parenthesised (https://paren.example/a) and [Apple](https://developer.apple.com/a(b)c)."
    )
    assert find_links(body) == [
        "https://developer.apple.com/x",
        "https://evil.example/login",
        "https://developer.apple.com/a(b)c",
        BACKSLASH,
        "https://ref.example/x",
        "https://bare.example/path",
        "https://paren.example/a",
        "https://developer.apple.com/a",  # the bare-URL pass also reads a prefix: checked twice, never less
    ]


def test_find_links_contents() -> None:
    body = (
        f"[a]({SMUGGLED}) <{BACKSLASH}> see https://bare.example/p. [r]: https://ref.example/x\n`https://code.example/`"
    )
    links = set(find_links(body))
    assert {"https://evil.example/login", BACKSLASH, "https://bare.example/p", "https://ref.example/x"} <= links
    assert not any("code.example" in link for link in links)
    assert "https://" not in find_links("switch the URL to https://, or to http:// for local hosts")


def test_escape_url_cannot_break_out_of_markdown() -> None:
    escaped = escape_url(SMUGGLED + " a%zz")
    assert not set('()[] <>"`{}|\\') & set(escaped)
    assert url_problem(escaped, frozenset()) is None
    assert escape_url("https://developer.apple.com/a%28b%29") == "https://developer.apple.com/a%28b%29"


def test_lint_checks_links_and_links_in_the_text() -> None:
    ks = read_knowledge(BUNDLED_KB)
    base = Entry(id="x", kind="howto", title="X", summary="S.")
    bad_link = Entry(id="bad-link", kind="howto", title="X", summary="S.", links=(Link("Sign in", SMUGGLED),))
    bad_body = Entry(id="bad-body", kind="howto", title="X", summary="S.", body=f"See <{BACKSLASH}>.")
    evil_body = Entry(id="evil-body", kind="howto", title="X", summary="S.", body="[docs](https://evil.example/login)")
    problems = check_entries([base, bad_link, bad_body, evil_body], ks.domains, ks.hosts)
    assert any("bad-link: link 'Sign in'" in p and "Markdown" in p for p in problems)
    assert any("bad-body: link in the text" in p and "backslash" in p for p in problems)
    assert any("evil-body: link in the text" in p and "allow-list" in p for p in problems)
    assert not any(p.startswith("x:") for p in problems)


def test_bundled_knowledge_links_are_strict() -> None:
    ks = read_knowledge(BUNDLED_KB)
    hosts = frozenset(normalise_host(h) or h for h in ks.hosts)
    for entry in ks.entries:
        for link in entry.links:
            assert url_problem(link.url, hosts) is None, (entry.id, link.url)
