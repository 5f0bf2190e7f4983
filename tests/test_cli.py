"""The command line end to end, as a user runs it: in-process through ``main``, and through the
installed ``supportbot`` executable where the process itself is what is tested."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.cli import main

from .core import BUNDLED_KB, CAUSE_ID, FIXTURE_KB, OUTER_ID, UNTRUSTED_PASTE

ROOT = Path(__file__).parent.parent


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Result]


@pytest.fixture
def fixture_env(tmp_path: Path) -> dict[str, str]:
    return {"SUPPORTBOT_KNOWLEDGE__PATH": str(FIXTURE_KB), "SUPPORTBOT_STORE__PATH": str(tmp_path / "cli.db")}


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``main`` in this process with the given arguments, standard input and environment."""

    def call(args: list[str], stdin: str | bytes = "", env: dict[str, str] | None = None) -> Result:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        data = stdin.encode() if isinstance(stdin, str) else stdin
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        out = io.StringIO()
        capsys.readouterr()
        code = main(args, out=out)
        return Result(code, out.getvalue(), capsys.readouterr().err)

    return call


def test_the_installed_command_runs_from_another_folder(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("supportbot")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    env["SUPPORTBOT_STORE__PATH"] = str(tmp_path / "x.db")
    proc = subprocess.run(
        [str(exe), "ask", "--json", "Error Domain=NSURLErrorDomain Code=-1009"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "urlerror-1009-not-connected-to-internet"


def test_ask_json_puts_the_curated_entry_first(run: Run) -> None:
    proc = run(["ask", "--json", "Error Domain=NSURLErrorDomain Code=-1009"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    top = data["matches"][0]
    assert "NSURLErrorNotConnectedToInternet" in {e["symbol"] for e in top["errors"]}
    assert data["auto_reply"] is True
    assert set(top) >= {"id", "kind", "title", "confidence", "errors", "links", "why"}


def test_ask_text_output(run: Run, fixture_env: dict[str, str]) -> None:
    proc = run(["ask", "my app says The Internet connection appears to be offline."], env=fixture_env)
    assert proc.returncode == 0, proc.stderr
    assert "NSURLErrorNotConnectedToInternet" in proc.stdout


def test_ask_prints_the_short_answer_and_full_the_whole_entry(run: Run) -> None:
    short = run(["ask", "errSSLNoRootCert -9813"])
    assert short.returncode == 0, short.stderr
    assert "What to check first:\n  - openssl s_client" in short.stdout
    assert "Self-signed server certificates" not in short.stdout  # "Usual causes" is in the full answer
    assert short.stdout.rstrip().endswith("(the whole entry: the same command with --full)")
    full = run(["ask", "--full", "errSSLNoRootCert -9813"])
    assert "Self-signed server certificates" in full.stdout and "--full)" not in full.stdout


def test_an_open_known_issue_says_there_is_no_fix_yet(run: Run) -> None:
    paste = "panic(cpu 3 caller 0xfffffe): skmem_slab_free_locked: attempt to free invalid or already-freed obj"
    for args in (["ask"], ["ask", "--full"]):
        out = run([*args, paste])
        assert out.returncode == 0, out.stderr
        line = next(li for li in out.stdout.splitlines() if "Known issue (open):" in li)
        assert line.endswith("; not fixed yet" if "--full" in args else ": not fixed yet"), line


def test_ask_json_and_text_show_a_combined_answer(run: Run) -> None:
    data = json.loads(run(["ask", "--json", UNTRUSTED_PASTE]).stdout)
    assert data["combined"] == {
        "headline": data["combined"]["headline"],
        "outer": OUTER_ID,
        "cause": CAUSE_ID,
        "nested": True,
    }
    assert data["combined"]["headline"].startswith("-1202 (server trust evaluation failed) because errSSLNoRootCert")
    assert [m["id"] for m in data["matches"][:2]] == [CAUSE_ID, OUTER_ID]
    assert {"matches", "auto_reply", "outcome", "notes"} <= set(data) and data["outcome"] == "answer"
    assert json.loads(run(["ask", "--json", "errSSLNoRootCert -9813"]).stdout)["combined"] is None
    text = run(["ask", UNTRUSTED_PASTE]).stdout
    assert text.startswith(data["combined"]["headline"][:60])
    assert text.index("What to check first") < text.index("-1202 (server trust evaluation failed)  [")
    assert "Self-signed server certificates" not in text
    assert "Self-signed server certificates" in run(["ask", "--full", UNTRUSTED_PASTE]).stdout


def test_ask_with_crash_file(run: Run, tmp_path: Path, fixture_env: dict[str, str]) -> None:
    crash = tmp_path / "x.crash"
    crash.write_text(
        "Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\nTriggered by Thread:  2\n\n"
        "Thread 2 name:  Dispatch queue: NEFlow queue\nThread 2 Crashed:\n0   libswiftCore.dylib  0x1 swift_release + 8\n",
        encoding="utf-8",
    )
    proc = run(["ask", "--json", "--file", str(crash), "crash in my extension"], env=fixture_env)
    assert json.loads(proc.stdout)["matches"][0]["id"] == "flow-crash"


def test_ask_batch(run: Run, fixture_env: dict[str, str]) -> None:
    lines = '{"id": "a", "text": "Code=-1009 offline"}\nnot json\n{"id": "b", "text": "hello there"}\n'
    proc = run(["ask", "--batch"], stdin=lines, env=fixture_env)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["matches"][0]["id"] == "offline" and "elapsed_ms" in rows[0]
    assert rows[1]["line"] == 2 and "error" in rows[1]
    assert rows[2]["id"] == "b" and rows[2]["auto_reply"] is False


def test_ask_batch_survives_hostile_lines(run: Run, fixture_env: dict[str, str]) -> None:
    lines = b"\n".join(
        [
            b'{"id": "deep", "text": ' + b"[" * 1000 + b"]" * 1000 + b"}",
            b'{"id": "\\udcff", "text": "Code=-1009 offline"}',
            b'{"id": "bytes", "text": "caf\xe9 \xff"}',
            b'{"id": "num", "text": 42}',
            b'{"id": {"nested": [1]}, "text": "x"}',
            b'{"id": "last", "text": "Code=-1009 offline"}',
        ]
    )
    proc = run(["ask", "--batch"], stdin=lines, env=fixture_env)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 6
    assert rows[0]["line"] == 1 and "error" in rows[0]
    assert rows[1]["id"] == "\udcff" and rows[1]["matches"][0]["id"] == "offline"
    assert rows[2]["line"] == 3 and "UTF-8" in rows[2]["error"]
    assert rows[3]["line"] == 4 and "text" in rows[3]["error"]
    assert rows[4]["line"] == 5 and "id" in rows[4]["error"]
    assert rows[5]["id"] == "last" and rows[5]["matches"][0]["id"] == "offline"


def test_huge_numbers_are_refused_clearly(run: Run, fixture_env: dict[str, str]) -> None:
    for args in (
        ["kb", "revert", "offline", "99999999999999999999"],
        ["kb", "gaps", "--limit", "99999999999999999999"],
    ):
        with pytest.raises(SystemExit) as info:
            run(args, env=fixture_env)
        assert info.value.code == 2


def test_ask_rejects_empty_and_binary(run: Run, tmp_path: Path, fixture_env: dict[str, str]) -> None:
    proc = run(["ask", "   "], env=fixture_env)
    assert proc.returncode == 2 and "nothing to ask" in proc.stderr
    blob = tmp_path / "blob.log"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    proc = run(["ask", "--file", str(blob), "what is this"], env=fixture_env)
    assert proc.returncode == 2 and "binary" in proc.stderr


def test_unknown_code_asks_for_the_full_error(run: Run, fixture_env: dict[str, str]) -> None:
    proc = run(["ask", "--json", "--store", "db", "URLSession fails with -10987 sometimes"], env=fixture_env)
    data = json.loads(proc.stdout)
    assert data["outcome"] == "unknown-code"
    assert any("NSUnderlyingError" in n for n in data["notes"])
    gaps = run(["kb", "gaps"], env=fixture_env)
    assert "-10987" in gaps.stdout


def test_kb_admin_commands(run: Run, fixture_env: dict[str, str], tmp_path: Path) -> None:
    imported = run(["kb", "import"], env=fixture_env)
    assert imported.returncode == 0
    # Not a terminal: no progress bar, so a log or a pipe gets clean lines.
    assert "importing [" not in imported.stderr and "new or changed" in imported.stdout
    listing = run(["kb", "list"], env=fixture_env).stdout
    assert "offline\terror" in listing and "code:" not in listing
    assert "+++" in run(["kb", "show", "offline"], env=fixture_env).stdout
    assert run(["kb", "show", "nope"], env=fixture_env).returncode == 2
    assert "\timport\t" in run(["kb", "history", "offline"], env=fixture_env).stdout
    proc = run(["kb", "revert", "offline", "9"], env=fixture_env)
    assert proc.returncode == 2 and "no revision 9" in proc.stderr
    stats = run(["kb", "stats"], env=fixture_env).stdout
    assert stats.startswith("Entries\t")
    jsonl = run(["kb", "export", "--format", "jsonl"], env=fixture_env).stdout.splitlines()
    assert {json.loads(line)["id"] for line in jsonl} >= {"offline", "refused"}
    out = tmp_path / "exported"
    assert run(["kb", "export", "--out", str(out)], env=fixture_env).returncode == 0
    assert (out / "entries" / "offline.md").read_bytes() == (FIXTURE_KB / "entries" / "offline.md").read_bytes()
    why = run(["kb", "why", "Error Domain=NSURLErrorDomain Code=-1009"], env=fixture_env).stdout
    assert "offline" in why and "NSURLErrorDomain -1009" in why


def test_kb_lint_fails_on_a_bad_tree(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "kb"
    (bad / "entries").mkdir(parents=True)
    (bad / "entries" / "x.md").write_text("+++\nid = 'y'\n+++\n", encoding="utf-8")
    proc = run(["kb", "lint", str(bad)])
    assert proc.returncode == 1
    assert "x.md:2: id: 'y' does not match the file name" in proc.stdout


def test_eval_command(run: Run, tmp_path: Path, fixture_env: dict[str, str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"id": "1", "text": "Error Domain=NSURLErrorDomain Code=-1009", "expect": {"symbol": "NSURLErrorNotConnectedToInternet"}}\n'
        '{"id": "2", "text": "good morning all", "expect": {"abstain": true}}\n',
        encoding="utf-8",
    )
    proc = run(["eval", "--json", str(cases)], env=fixture_env)
    data = json.loads(proc.stdout)
    assert data["top1"] == 1.0 and data["offtopic_silence"] == 1.0 and data["auto_reply_precision"] == 1.0
    # A held-out set is read as figures only: --summary leaves out the lines that failed.
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"id": "w1", "text": "Code=-1009", "expect": {"entry": "no-such-entry"}}\n', encoding="utf-8")
    assert "w1" in run(["eval", str(wrong)], env=fixture_env).stdout
    summary = run(["eval", "--summary", str(wrong)], env=fixture_env).stdout
    assert "top-1 0.000" in summary and "w1" not in summary
    assert "failures" not in json.loads(run(["eval", "--json", "--summary", str(wrong)], env=fixture_env).stdout)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    proc = run(["eval", str(bad)], env=fixture_env)
    assert proc.returncode == 2 and "bad.jsonl:1" in proc.stderr


def test_run_without_adapters_says_what_is_missing(run: Run) -> None:
    proc = run(["run"])
    assert proc.returncode == 2
    assert "SUPPORTBOT_DISCORD__TOKEN" in proc.stderr and "SUPPORTBOT_SLACK__BOT_TOKEN" in proc.stderr


def test_bad_config_is_reported(run: Run, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[engine]\nmax_matches = 0\n", encoding="utf-8")
    proc = run(["--config", str(cfg), "ask", "x"])
    assert proc.returncode == 2 and "engine.max_matches" in proc.stderr


def test_console_session(run: Run, fixture_env: dict[str, str]) -> None:
    script = (
        "Error Domain=NSURLErrorDomain Code=-1009\nhello everyone\n/kb why Connection refused\n"
        "/ask nothing here at all\n/kb channel off\nError Domain=NSURLErrorDomain Code=-1009\n"
        "/kb channel on x\n/quit\n"
    )
    proc = run(["console"], stdin=script, env=fixture_env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "NSURLErrorNotConnectedToInternet" in out
    assert "(the bot stays silent)" in out
    assert "refused" in out
    assert "auto-replies off" in out
    assert out.count("NSURLErrorNotConnectedToInternet") == 1  # silent once turned off
    assert "'x' is not a number" in out
    assert "(the whole entry: /kb show offline, or /ask --full TEXT)" in out


def test_console_ask_full(run: Run, tmp_path: Path) -> None:
    env = {"SUPPORTBOT_KNOWLEDGE__PATH": str(BUNDLED_KB), "SUPPORTBOT_STORE__PATH": str(tmp_path / "c.db")}
    proc = run(["console"], stdin="/ask errSSLNoRootCert -9813\n/ask --full errSSLNoRootCert -9813\n", env=env)
    assert proc.returncode == 0, proc.stderr
    short, full = proc.stdout.split("\n> ")[1:3]
    assert "Self-signed server certificates" not in short and f"/kb show {CAUSE_ID}" in short
    assert "Self-signed server certificates" in full and "/kb show" not in full


def test_config_is_accepted_before_or_after_the_subcommand(run: Run, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[knowledge]\npath = "{FIXTURE_KB}"\n[store]\npath = "{tmp_path / "c.db"}"\n', encoding="utf-8")
    for args in (["--config", str(cfg), "kb", "list"], ["kb", "list", "--config", str(cfg)]):
        proc = run(args)
        assert proc.returncode == 0, proc.stderr
        assert "offline\terror" in proc.stdout
    proc = run(["run", "--config", str(cfg)])
    assert proc.returncode == 2 and "no adapter is configured" in proc.stderr


def test_kb_review_from_a_miss_to_an_answer(run: Run, fixture_env: dict[str, str], tmp_path: Path) -> None:
    code = 'Error Domain=NSURLErrorDomain Code=-1234 "weird"'
    phone = "my phone says there is no way to reach the web"
    for text in (code, "what is the weather today", "anyone seen the weather today", phone):
        assert run(["ask", "--store", "db", text], env=fixture_env).returncode == 0
    listing = run(["kb", "review"], env=fixture_env).stdout.splitlines()
    # Most hit first: the two weather questions are one item.
    assert listing[0] == "#2\t2x\tnothing\t-\tanyone seen the weather today"
    assert listing[1] == "      - anyone seen the weather today"
    assert f"#1\t1x\tunknown-code\t-\t{code}" in listing
    assert f"#3\t1x\tnothing\t-\t{phone}" in listing
    draft = run(["kb", "review", "draft", "1"], env=fixture_env).stdout
    assert 'domain = "NSURLErrorDomain"' in draft and "code = -1234" in draft
    edited = tmp_path / "draft.md"
    edited.write_text(draft.replace('summary = ""', 'summary = "Code -1234 means X; do Y."'), encoding="utf-8")
    created = run(["kb", "review", "create", "1", str(edited), "--actor", "cli:ann"], env=fixture_env)
    assert created.returncode == 0, created.stderr
    assert json.loads(run(["ask", "--store", "db", "--json", code], env=fixture_env).stdout)["outcome"] == "answer"
    taught = run(["kb", "review", "teach", "3", "offline", "--as", "alias"], env=fixture_env)
    assert taught.stdout == f"offline is now revision 2 (review item #3: alias '{phone}')\n"
    answer = json.loads(run(["ask", "--store", "db", "--json", phone], env=fixture_env).stdout)
    assert answer["matches"][0]["id"] == "offline"
    assert run(["kb", "review", "dismiss", "2", "--reason", "off-topic"], env=fixture_env).returncode == 0
    assert run(["kb", "review"], env=fixture_env).stdout == "The review queue is empty.\n"
    again = run(["kb", "review", "dismiss", "2", "--reason", "x"], env=fixture_env)
    assert again.returncode == 2 and "already handled (dismissed)" in again.stderr
    missing = run(["kb", "review", "dismiss", "99", "--reason", "x"], env=fixture_env)
    assert missing.returncode == 2 and "no review item 99" in missing.stderr


def test_console_review(run: Run, fixture_env: dict[str, str]) -> None:
    script = (
        "/ask my phone says there is no way to reach the web\n/kb review\n/kb review teach 1 offline alias\n"
        "/ask my phone says there is no way to reach the web\n/ask what is the weather today\n"
        "/kb review dismiss 2 off topic\n/kb review\n/kb review teach 2 offline sideways\n/quit\n"
    )
    out = run(["console"], stdin=script, env=fixture_env).stdout
    assert "#1  1x  nothing  -  my phone says there is no way to reach the web" in out
    assert "offline is now revision 2 (review item #1: alias 'my phone says there is no way" in out
    assert out.count("NSURLErrorNotConnectedToInternet") == 1  # the second ask is answered
    assert "dismissed review item #2" in out
    assert "The review queue is empty." in out
    assert "error: teach one of alias, pattern, error" in out
