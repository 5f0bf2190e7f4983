"""Storage behind a Protocol (``bot.store.base``); SQLite (``bot.store.sqlite``) is the default."""
