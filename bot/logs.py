"""Logging set-up: one readable line or one JSON object per record, with secrets redacted.

The composition root calls :func:`configure_logging` once, passing every secret it holds
(:func:`secrets_of` collects them from the settings). Redaction runs on the handler, so it
covers records from every library (an SDK that logs a request header included), their
exception text, and the final formatted line as a second line of defence.

People's message text is never logged by default: pass it as ``extra={"text": ...}`` and the
handler replaces it with its length unless ``log_message_text`` is on, or use :func:`loggable`.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any, Literal

from pydantic import SecretStr

from bot.store.base import QueryRecord

REDACTED = "[redacted]"
TEXT_FIELD = "text"
HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


def loggable(text: str, allowed: bool) -> str:
    """``text`` itself when logging message text is allowed, else only its length."""
    return text if allowed else f"<{len(text)} chars>"


def question_fields(record: QueryRecord, query_id: int) -> dict[str, Any]:
    """The ``extra=`` of the one log line per answered or auto-replied question: where, how, what
    came of it, and the text in the ``text`` field (which the handler hides by default)."""
    return {
        "platform": record.platform,
        "scope": record.scope,
        "channel": record.channel,
        "mode": record.mode,
        "outcome": record.outcome,
        "entry": record.top_id,
        "confidence": None if record.confidence is None else round(record.confidence, 3),
        "query": query_id,
        TEXT_FIELD: record.text,
    }


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a record got through ``extra=`` (platform, guild, channel, entry, confidence, ...)."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


def secrets_of(settings: Any) -> list[str]:
    """Every non-empty :class:`SecretStr` value in a settings tree (pydantic models nest)."""
    found: list[str] = []
    fields = getattr(type(settings), "model_fields", None)
    if fields is None:
        return found
    for name in fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value().strip()
            if secret:
                found.append(secret)
        elif hasattr(type(value), "model_fields"):
            found.extend(secrets_of(value))
    return found


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's message, arguments, extra fields and exception text.

    It also hides the ``text`` extra field (people's words) unless ``message_text`` is true.
    """

    def __init__(self, secrets: Iterable[str] = (), message_text: bool = False) -> None:
        super().__init__()
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if s.strip()}, key=len, reverse=True)
        self.message_text = message_text

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``[redacted]``."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        # Fold the arguments in first: a token may arrive as an argument, not in the format string.
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep its raw parts, still redacted, rather than raise here
            message = f"{record.msg} {record.args}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in extra_fields(record).items():
            if key == TEXT_FIELD and isinstance(value, str) and not self.message_text:
                setattr(record, key, loggable(value, False))
            elif isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the extra fields, and ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(extra_fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class _Redacted(logging.Formatter):
    """Runs the redaction once more over the finished line (whatever a formatter added)."""

    def __init__(self, inner: logging.Formatter, redactor: RedactingFilter) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.redact(self.inner.format(record))


class _Handler(logging.StreamHandler[IO[str]]):
    """Marks the handler this module installed, so a second call replaces only it."""


def configure_logging(
    level: str = "INFO",
    fmt: Literal["json", "human"] = "human",
    secrets: Iterable[str] = (),
    message_text: bool = False,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``fmt``, with ``secrets`` redacted.

    Call it instead of ``logging.basicConfig``: a handler installed some other way would not redact.
    Calling it again replaces the handler it installed before; returns the new handler.
    """
    handler = _Handler(stream if stream is not None else sys.stderr)
    redactor = RedactingFilter(secrets, message_text)
    handler.addFilter(redactor)
    inner = JsonFormatter() if fmt == "json" else logging.Formatter(HUMAN_FORMAT)
    handler.setFormatter(_Redacted(inner, redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
