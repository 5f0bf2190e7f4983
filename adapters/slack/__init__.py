"""The Slack adapter: slack-bolt's AsyncApp in Socket Mode or HTTP mode.

The composition root calls :func:`run`. Everything Slack-specific (Block Kit, mrkdwn,
mention safety, the 3-second acknowledgements, request signing) stays in this package.
The app module is imported on first use, so ``python -m adapters.slack.manifest`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.settings import Settings

__all__ = ["run"]


async def run(settings: Settings, engine: Engine, curator: Engine) -> None:
    """Run the Slack adapter in the configured mode (socket or http) until cancelled.

    ``engine`` answers and reads; ``curator`` makes every change to the knowledge base.
    """
    from adapters.slack.app import run as run_app

    await run_app(settings, engine, curator)
