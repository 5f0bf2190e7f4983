"""The error every knowledge-file reader raises, carrying each problem with its place."""

from __future__ import annotations

from bot.models import SupportBotError


class KnowledgeError(SupportBotError):
    """One or more knowledge files are malformed; ``problems`` holds ``file:line: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge files:\n{shown}{more}")
