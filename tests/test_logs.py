"""bot.logs: JSON lines, secret redaction everywhere, people's text hidden by default."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.engine import Engine
from bot.logs import REDACTED, configure_logging, loggable, secrets_of
from bot.models import Incoming, Mode, Place
from bot.settings import Settings

# Made up for this test; shaped like a bot token so that redaction has to match a realistic string.
FAKE_TOKEN = "xoxb-1111-2222-FAKEfakeFAKEfake"
OTHER_SECRET = "discord.fake.SIGNATUREsignature"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "stream", None) is stream:
            logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_json_lines_carry_the_extra_fields(output: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=output)
    log = logging.getLogger("adapters.test")
    log.info("answered %s", "nsurl-offline", extra={"platform": "discord", "guild": 42, "confidence": 0.91})
    log.debug("not shown at INFO")
    (line,) = lines(output)
    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "adapters.test"
    assert record["message"] == "answered nsurl-offline"
    assert record["platform"] == "discord"
    assert record["guild"] == 42
    assert record["confidence"] == 0.91
    assert record["time"].endswith("+00:00")


@pytest.mark.parametrize("fmt", ["json", "human"])
def test_a_secret_never_reaches_the_output(output: io.StringIO, fmt: str) -> None:
    configure_logging("DEBUG", fmt, secrets=[FAKE_TOKEN, OTHER_SECRET], stream=output)  # type: ignore[arg-type]
    log = logging.getLogger("slack_sdk.web")
    log.debug("Sending a request - headers: {'Authorization': 'Bearer %s'}", FAKE_TOKEN)
    log.info(f"token in the format string itself: {OTHER_SECRET}")
    log.warning("in an extra field", extra={"url": f"https://example.invalid/?t={FAKE_TOKEN}"})
    try:
        raise RuntimeError(f"connect failed with token {FAKE_TOKEN}")
    except RuntimeError:
        log.exception("start-up failed")
    try:
        try:
            raise ValueError(OTHER_SECRET)
        except ValueError as inner:
            raise KeyError("outer") from inner
    except KeyError:
        log.error("chained", exc_info=True)
    text = output.getvalue()
    assert FAKE_TOKEN not in text
    assert OTHER_SECRET not in text
    # header, format string, both exception messages (and, in JSON, the extra field)
    assert text.count(REDACTED) == (5 if fmt == "json" else 4)
    assert "RuntimeError: connect failed with token [redacted]" in text
    if fmt == "json":
        records = [json.loads(line) for line in lines(output)]
        assert len(records) == 5
        assert "Traceback" in records[3]["exc"]
        assert records[2]["url"] == f"https://example.invalid/?t={REDACTED}"


def test_message_text_is_hidden_unless_allowed(output: io.StringIO) -> None:
    question = "my tunnel drops after sleep"
    configure_logging("INFO", "json", stream=output)
    logging.getLogger("adapters.test").info("question", extra={"text": question})
    assert question not in output.getvalue()
    assert json.loads(lines(output)[0])["text"] == f"<{len(question)} chars>"

    configure_logging("INFO", "json", message_text=True, stream=output)
    logging.getLogger("adapters.test").info("question", extra={"text": question})
    assert json.loads(lines(output)[-1])["text"] == question
    assert loggable(question, allowed=False) == "<27 chars>"
    assert loggable(question, allowed=True) == question


def test_reconfiguring_replaces_the_handler(output: io.StringIO) -> None:
    configure_logging("INFO", "human", stream=output)
    configure_logging("INFO", "human", stream=output)
    logging.getLogger("x").info("once")
    assert output.getvalue().count("once") == 1


def test_secrets_of_collects_every_token() -> None:
    settings = Settings()
    settings.slack.bot_token = SecretStr(FAKE_TOKEN)
    settings.discord.token = SecretStr(OTHER_SECRET)
    settings.slack.app_token = SecretStr("  ")
    assert sorted(secrets_of(settings)) == sorted([FAKE_TOKEN, OTHER_SECRET])


@pytest.mark.parametrize("allowed", [False, True])
async def test_every_answered_question_logs_one_json_line(output: io.StringIO, engine: Engine, allowed: bool) -> None:
    configure_logging("INFO", "json", secrets=[FAKE_TOKEN], message_text=allowed, stream=output)
    question = f"Error Domain=NSURLErrorDomain Code=-1009 (pasted with my token {FAKE_TOKEN})"
    answer = await engine.answer(Incoming(question, Mode.SLASH, Place("slack", "T1", "C9"), "slack:U1"))
    assert answer is not None and answer.matches
    await engine.answer(Incoming("hello everyone", Mode.AUTO, Place("slack", "T1", "C9"), "slack:U2"))  # silent
    records = [json.loads(line) for line in lines(output)]
    (record,) = [r for r in records if r["logger"] == "bot.engine"]
    assert record["level"] == "INFO"
    assert {k: record[k] for k in ("platform", "scope", "channel", "mode", "outcome", "entry", "query")} == {
        "platform": "slack",
        "scope": "T1",
        "channel": "C9",
        "mode": "slash",
        "outcome": "answer",
        "entry": answer.matches[0].entry.id,
        "query": answer.query_id,
    }
    assert record["confidence"] == pytest.approx(answer.matches[0].confidence, abs=0.001)
    assert FAKE_TOKEN not in output.getvalue()
    if allowed:
        assert record["text"] == question.replace(FAKE_TOKEN, REDACTED)
    else:
        assert "NSURLErrorDomain" not in output.getvalue() and record["text"] == f"<{len(question)} chars>"
