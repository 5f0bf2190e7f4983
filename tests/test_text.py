"""Tokenizing for the word index."""

from __future__ import annotations

from bot.text import terms


def test_identifiers_keep_whole_and_parts() -> None:
    got = terms("NETransparentProxyProvider nw_connection_start")
    assert "netransparentproxyprovider" in got
    assert {"transparent", "proxy", "provider", "connection", "start"} <= set(got)
    assert "ne" not in got and "nw" not in got  # two-letter prefixes are not words


def test_plurals_meet_their_singulars() -> None:
    assert set(terms("cookies")) & set(terms("cookie"))
    assert set(terms("entries")) & set(terms("entry"))
    assert terms("flows") == terms("flow")


def test_stopwords_and_numbers_are_dropped() -> None:
    assert terms("how do I fix this 443") == ["fix"]


def test_cjk_is_split_into_bigrams() -> None:
    assert terms("未能找到") == ["未能", "能找", "找到"]
