"""``/kb ...`` and ``/supportbot channel``: the admin commands, one module per feature, each
command declared beside what it does:

- :mod:`.entries`: add, edit, show, delete;
- :mod:`.history`: history, revert;
- :mod:`.reports`: why, gaps, stats;
- :mod:`.transfer`: export, import;
- :mod:`.review`: the review queue (``/kb review`` and its buttons);
- :mod:`.save`: the "Save as knowledge entry" message menu;
- :mod:`.dashboard`: a sign-in link to the web dashboard;
- :mod:`.channel`: ``/supportbot channel``.

Every change passes the member as the actor (``discord:<id>``) to the curator, so the store
records who made it.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands

from adapters.discord.kb import channel, dashboard, entries, history, reports, review, save, transfer
from adapters.discord.kb.group import KbGroup, SupportbotGroup
from adapters.discord.state import BotState


def register(tree: app_commands.CommandTree[Any], state: BotState) -> None:
    """Add ``/kb`` and ``/supportbot`` with all their subcommands to ``tree``."""
    kb = KbGroup(state)
    for feature in (entries, history, reports, transfer, review, dashboard):
        feature.register(kb)
    supportbot = SupportbotGroup(state)
    channel.register(supportbot)
    tree.add_command(kb)
    tree.add_command(supportbot)
    save.register(tree, state)
