"""Network Extension answers say which platforms they hold on.

The facts encoded here come from Apple's documentation and TN3134 (Network Extension provider
deployment): NEFilterControlProvider has no macOS availability, system extensions are macOS
only, NEHotspot* APIs are iOS-family only, app proxies on iOS need a managed device, the
iOS 26 hotspot providers still need the HotspotHelper entitlement, and enterprise Wi-Fi
credentials must sit in the com.apple.networkextensionsharing keychain access group."""

from __future__ import annotations

import re

import pytest

from bot.knowledge.tree import read_knowledge
from bot.models import Entry

from .core import BUNDLED_KB


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    return {e.id: e for e in read_knowledge(BUNDLED_KB).entries if e.curated}


def platforms_paragraph(entry: Entry) -> str:
    """The body paragraph that starts with **Platforms.**, or '' when there is none."""
    for para in entry.body.split("\n\n"):
        if para.startswith("**Platforms"):
            return para
    return ""


# Per error domain: words its Platforms paragraph must contain (all, case-insensitive).
DOMAIN_PLATFORMS = {
    "NEVPNErrorDomain": ["iOS", "macOS", "tvOS", "visionOS"],
    "NEFilterErrorDomain": ["iOS", "macOS", "supervised", "system extension", "not on tvOS"],
    "NEDNSProxyErrorDomain": ["iOS", "macOS", "supervised", "system extension", "not on tvOS"],
    "NEAppProxyErrorDomain": ["macOS", "managed device", "MDM", "tvOS"],
    "NEHotspotConfigurationErrorDomain": ["iOS", "iPadOS", "visionOS", "native macOS", "tvOS"],
    "OSSystemExtensionErrorDomain": ["macOS only", "OSSystemExtensionRequest"],
}


@pytest.mark.parametrize("domain", sorted(DOMAIN_PLATFORMS))
def test_every_ne_error_entry_states_its_platforms(entries: dict[str, Entry], domain: str) -> None:
    claiming = [e for e in entries.values() if any(r.domain == domain and r.role == "primary" for r in e.errors)]
    assert claiming, domain
    missing = {}
    for e in claiming:
        para = platforms_paragraph(e).lower()
        absent = [w for w in DOMAIN_PLATFORMS[domain] if w.lower() not in para]
        if absent:
            missing[e.id] = absent
    assert missing == {}


def test_filter_control_provider_is_ios_only(entries: dict[str, Entry]) -> None:
    e = entries["content-filter-control-provider-lifecycle"]
    assert "iOS only" in e.title
    assert "macOS has no control provider" in e.summary
    assert re.search(r"NEFilterControlProvider.{0,120}not for macOS apps", e.body)


def test_eap_settings_entry_leads_with_the_keychain_group(entries: dict[str, Entry]) -> None:
    e = entries["nehotspot-4-invalid-eap-settings"]
    assert "com.apple.networkextensionsharing" in e.summary
    assert "at most 10" in e.summary
    checks = e.body.split("**Things to check, most likely first**")[1]
    assert checks.lstrip().startswith("1. **Keychain access group.**")


def test_ios26_hotspot_providers_still_need_the_entitlement(entries: dict[str, Entry]) -> None:
    e = entries["hotspot-helper-entitlement"]
    assert re.search(r"NEHotspotManager.{0,120}still need that approved entitlement", e.summary)
    assert "TN3134" in e.body


def test_sleep_wake_gives_apples_steps_before_reports(entries: dict[str, Entry]) -> None:
    e = entries["network-extension-sleep-wake"]
    assert "reasserting" in e.summary and "cancel" in e.summary
    assert "report" in e.summary  # the Dark Wake / keep-alive findings are developer reports
    assert e.body.index("Apple's published steps") < e.body.index("What developers report")


@pytest.mark.parametrize(
    "entry_id",
    [
        "content-filter-with-transparent-proxy",
        "transparent-proxy-dns-search-domains",
        "transparent-proxy-no-flows-after-wake",
        "transparent-proxy-udp-flows",
    ],
)
def test_transparent_proxy_answers_say_macos(entries: dict[str, Entry], entry_id: str) -> None:
    assert "macOS" in entries[entry_id].summary


def test_undocumented_filter_cap_is_not_stated_as_fact(entries: dict[str, Entry]) -> None:
    for entry_id in ("nefilter-2-configuration-disabled", "content-filter-disable-without-removing"):
        text = entries[entry_id].summary + entries[entry_id].body
        assert "at most four" not in text.lower(), entry_id
        assert "disables" in text, entry_id  # Apple's documented rule: enabling one disables the others
