"""supportbot core: matches developer questions against a curated knowledge base.

This package imports no chat-platform SDK; adapters under ``adapters/`` translate platform
events into :class:`bot.models.Incoming` and render :class:`bot.models.Answer`.
"""

__version__ = "0.1.0"
