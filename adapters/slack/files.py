"""Text files shared with a question: looked up with files.info and downloaded with the bot token.

Only URLs that Slack's own API returns for a file id are fetched, and only from Slack's file
host (or the configured API host, for proxies and local fakes), so the bot never requests a
URL someone typed and never sends its token anywhere else. Redirects are not followed.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat import TextFiles
from bot.models import Attachment

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})

log = logging.getLogger(__name__)


class FileFetcher:
    """Downloads shared text files for one app; owns one HTTP session, closed with :meth:`close`."""

    def __init__(self, token: str, max_bytes: int, api_base_url: str, timeout: float = 20.0) -> None:
        self.token = token
        self.policy = TextFiles(max_bytes)
        self.max_bytes = max_bytes
        self.timeout = timeout
        api_host = urlsplit(api_base_url).hostname
        self.allowed_hosts = SLACK_FILE_HOSTS | ({api_host} if api_host else set())
        self._session: aiohttp.ClientSession | None = None

    async def collect(
        self, client: AsyncWebClient, files: list[dict[str, Any]]
    ) -> tuple[tuple[Attachment, ...], list[str]]:
        """Attachments for the core from a message's ``files``, plus notes on files left out."""
        attachments: list[Attachment] = []
        notes: list[str] = []
        chosen, more = self.policy.first(files)
        for shared in chosen:
            name = str(shared.get("name") or shared.get("title") or "file")
            if note := self.policy.name_note(name):
                notes.append(note)
                continue
            read = await self._fetch(client, str(shared.get("id", "")), name)
            if isinstance(read, Attachment):
                attachments.append(read)
            elif read:
                notes.append(read)
        if more:
            notes.append(more)
        return tuple(attachments), notes

    async def _fetch(self, client: AsyncWebClient, file_id: str, name: str) -> Attachment | str:
        """The file as an Attachment, or the note saying why it was not read ("" for no file)."""
        if not file_id:
            return ""
        try:
            info = (await client.files_info(file=file_id)).get("file") or {}
        except SlackApiError as exc:
            log.warning("files.info %s failed: %s", file_id, exc.response.get("error"))
            return f"{name} could not be read ({exc.response.get('error')})."
        if note := self.policy.size_note(name, int(info.get("size") or 0)):
            return note
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        if urlsplit(url).hostname not in self.allowed_hosts or urlsplit(url).scheme not in ("https", "http"):
            log.warning("not downloading %s: %r is not a Slack file URL", file_id, url)
            return f"{name} could not be read."
        data = await self._download(url, client.proxy)
        if data is None:
            return f"{name} could not be downloaded."
        return self.policy.read(name, data)

    async def _download(self, url: str, proxy: str | None) -> bytes | None:
        # The same proxy as the Web API client (slack_sdk reads HTTPS_PROXY); not trust_env,
        # which could also pull credentials from ~/.netrc.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False, proxy=proxy or None) as resp:
                if resp.status != 200:
                    log.warning("file download returned HTTP %s", resp.status)
                    return None
                data = bytearray()
                async for chunk in resp.content.iter_chunked(65536):
                    data += chunk
                    if len(data) > self.max_bytes:  # enough to know it is too large; stop reading
                        break
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("file download failed: %s", exc)
            return None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
