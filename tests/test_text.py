"""Tokenizing for the word index."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import TOKEN_RE, terms, tokens


def test_identifiers_keep_whole_and_parts() -> None:
    got = terms("NETransparentProxyProvider nw_connection_start")
    assert "netransparentproxyprovider" in got
    assert {"transparent", "proxy", "provider", "connection", "start"} <= set(got)
    assert "ne" not in got and "nw" not in got  # two-letter prefixes are not words


def test_product_names_in_camel_case_stay_one_word() -> None:
    # "air" would tie AirDrop to AirPlay, "play" CarPlay to AirPlay: names, not compounds.
    assert terms("AirDrop AirPlay CarPlay") == ["airdrop", "airplay", "carplay"]
    assert "proxy" in terms("NETransparentProxyProvider")  # an API name still gives its parts
    # A framework's "Kit" says nothing: StoreKit and PushKit share no word but the whole names' own.
    assert terms("PushKit") == ["pushkit", "push"] and "kit" not in terms("StoreKit")


def test_plurals_meet_their_singulars() -> None:
    assert set(terms("cookies")) & set(terms("cookie"))
    assert set(terms("entries")) & set(terms("entry"))
    assert terms("flows") == terms("flow")


def test_stopwords_and_numbers_are_dropped() -> None:
    assert terms("how do I fix this 443") == ["fix"]
    # Every form of "be" is a stopword: "being" took a long question's last query slot from "packet".
    assert terms("be been being fixed") == ["fixed"]


def test_cjk_is_split_into_bigrams() -> None:
    assert terms("未能找到") == ["未能", "能找", "找到"]


@given(st.text(alphabet=st.characters(max_codepoint=0x3100), max_size=60))
@settings(max_examples=400)
def test_tokens_are_token_re_matches(text: str) -> None:
    # The ASCII fast path must find exactly what the regular expression finds.
    assert tokens(text) == TOKEN_RE.findall(text)


def test_tokens_split_on_every_ascii_non_word_character() -> None:
    text = "x".join(chr(c) for c in range(128))  # every ASCII character between two letters
    assert tokens(text) == TOKEN_RE.findall(text)
    assert tokens("a-b_c.d\x1fe9") == ["a", "b_c", "d", "e9"]
