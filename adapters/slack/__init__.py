"""The Slack adapter: slack-bolt's AsyncApp in Socket Mode or HTTP mode.

The composition root calls :func:`run`. Everything Slack-specific (Block Kit, mrkdwn,
mention safety, the 3-second acknowledgements, request signing) stays in this package.
The app module is imported on first use, so ``python -m adapters.slack.manifest`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.curator import Curator
    from bot.engine import Engine
    from bot.settings import Settings

__all__ = ["missing_settings", "run"]


def missing_settings(settings: Settings) -> str:
    """What must still be set before the Slack adapter can start ("" when it is configured)."""
    s = settings.slack
    missing = [] if s.bot_token else ["SUPPORTBOT_SLACK__BOT_TOKEN"]
    if s.mode == "http" and not s.signing_secret:
        missing.append("SUPPORTBOT_SLACK__SIGNING_SECRET (HTTP mode)")
    elif s.mode == "socket" and not s.app_token:
        missing.append("SUPPORTBOT_SLACK__APP_TOKEN (Socket Mode)")
    return ", ".join(missing)


async def run(settings: Settings, engine: Engine, curator: Curator) -> None:
    """Run the Slack adapter in the configured mode (socket or http) until cancelled.

    ``engine`` answers and reads; ``curator`` makes every change to the knowledge base.
    """
    from adapters.slack.app import run as run_app

    await run_app(settings, engine, curator)
