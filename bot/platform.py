"""Whether a message is about Apple's platforms, and which API-shaped names in it are ours.

Most of what people paste names an Apple error domain or API. Some messages are printed word for
word by every platform ("Connection reset by peer", OpenSSL's CERTIFICATE_VERIFY_FAILED): those
identify an error but not that the question belongs in this community, so the ranking asks here.
"""

from __future__ import annotations

import re

from bot.extract import Extraction
from bot.index import Index

API_NAME_RE = re.compile(r"[a-z][A-Z]")


def api_names(index: Index, ex: Extraction) -> tuple[int, int]:
    """(unknown, known) API-shaped names in the question: camel case with a hump, 8+ characters.

    Known: some entry mentions it, or its Swift name without Foundation's "NS" prefix
    (NSURLSessionUploadTask), or it is one of domains.toml's platform words (NSErrorFailingURLKey).
    Unknown: a type name (it starts with a capital) that is not known. A lowerCamel name is a
    method or a variable, as likely the asker's own (``readLoop``, ``encryptAndSend``) as another
    framework's, so it says nothing against the question being ours.
    """
    found = {t for t in ex.tokens if len(t) >= 8 and t.isalnum() and API_NAME_RE.search(t)}
    names = {t.lower() for t in found}
    platform = index.domains.platform
    known_names = {
        n for n in names if n in index.surface or n in platform or (n[:2] == "ns" and n[2:] in index.surface)
    }
    types = {t.lower() for t in found if t[0].isupper()}
    return len(types - known_names), len(known_names)


class OurPlatform:
    """Whether the message says it is about Apple's platforms (a platform word, an error domain or
    an API some entry mentions), worked out when first asked: only a message every OS could print
    needs it ("Connection reset by peer", CERTIFICATE_VERIFY_FAILED from Python)."""

    def __init__(self, index: Index, ex: Extraction) -> None:
        self.index, self.ex = index, ex
        self.answer: bool | None = None
        self.unbacked: set[int] = set()  # entries such a message matched while the answer was no

    def backs(self, entry: int, shared: bool) -> bool:
        """Whether evidence for ``entry`` is strong: always, unless what matched is ``shared`` by
        other platforms; then only when the message is ours (else ``entry`` is noted in ``unbacked``)."""
        if not shared or self():
            return True
        self.unbacked.add(entry)
        return False

    def __call__(self) -> bool:
        if self.answer is None:
            # A pasted log's 100k tokens are not worth a scan for API names: its platform words decide.
            # Python on a Mac prints OpenSSL's CERTIFICATE_VERIFY_FAILED: the message is Python's to fix.
            ours = self.ex.platform or (not self.ex.pasted_log and api_names(self.index, self.ex)[1] > 0)
            self.answer = ours and not self.ex.foreign
        return self.answer


def off_subject(index: Index, ex: Extraction, keys: dict[str, tuple[str, int]]) -> frozenset[str]:
    """Ids among ``keys`` (match id -> the code it was found by) whose code many subsystems return
    (a domain's ``general`` ranges: EPERM, errSecItemNotFound, OSStatus -50), in a message that says
    nothing about networking: no ``subject`` word of domains.toml and no code of a networking domain.

    "OSStatus -50 from AudioUnitSetProperty" or EPERM when a sandboxed app writes to the Desktop get
    the network-policy meaning of the code from our entries: right code, wrong question.
    """
    info = index.domain_info
    general = {i for i, (domain, code) in keys.items() if domain in info and info[domain].is_general(code)}
    if not general or ex.pasted_log:
        return frozenset()
    for found in ex.codes:
        domain = info.get(found.domain) if found.domain else None
        if domain is not None and not domain.is_general(found.code):
            return frozenset()
    return frozenset() if index.domains.about_subject(ex.lowered_tokens) else frozenset(general)
