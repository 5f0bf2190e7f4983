"""The knowledge base ships with the package: a regular (non-editable) install answers from it,
from any folder, with the database in the per-user data directory."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from adapters.cli import main

ROOT = Path(__file__).parent.parent


def test_the_package_list_covers_every_package() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("bot", "adapters")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed
    assert "supportbot_knowledge" in listed


def test_an_installed_wheel_answers_from_its_bundled_knowledge(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("supportbot-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The dependencies come from this project's environment (a path after the new venv's own
    # site-packages, whose .pth files are not run, so the editable checkout stays out of sight).
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home, empty = tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "PYTHON", "XDG_"))}
    env["HOME"] = str(home)
    proc = subprocess.run(
        [str(venv / "bin" / "supportbot"), "ask", "--json", "Error Domain=NSURLErrorDomain Code=-1009"],
        capture_output=True,
        text=True,
        env=env,
        cwd=empty,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "urlerror-1009-not-connected-to-internet"
    where = subprocess.run(
        [str(python), "-c", "import bot.settings as s; print(s.default_knowledge_dir()); print(s.default_database())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=empty,
        check=True,
    ).stdout.splitlines()
    assert where[0].startswith(purelib) and where[1].startswith(str(home))
    assert list(empty.iterdir()) == []  # nothing written to the working directory


def test_a_missing_knowledge_directory_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-knowledge"
    monkeypatch.setenv("SUPPORTBOT_KNOWLEDGE__PATH", str(missing))
    assert main(["ask", "offline"], out=io.StringIO()) == 2
    assert str(missing) in capsys.readouterr().err


def test_an_empty_knowledge_base_is_never_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kb").mkdir()
    monkeypatch.setenv("SUPPORTBOT_KNOWLEDGE__PATH", str(tmp_path / "kb"))
    monkeypatch.setenv("SUPPORTBOT_STORE__PATH", str(tmp_path / "empty.db"))
    out = io.StringIO()
    assert main(["kb", "stats"], out=out) == 0
    assert "the knowledge base is empty" in out.getvalue()
    assert "the knowledge base is empty" in capsys.readouterr().err
