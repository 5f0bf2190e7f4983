"""bot/ must not import a platform SDK: checked statically and at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).parent.parent / "bot"
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "adapters.discord", "adapters.slack")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_sdk_import_statement_in_bot() -> None:
    offenders = {
        f"{path.relative_to(BOT.parent)}: {name}"
        for path in BOT.rglob("*.py")
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not offenders


def test_importing_every_bot_module_loads_no_sdk() -> None:
    modules = sorted(
        ".".join(p.relative_to(BOT.parent).with_suffix("").parts) for p in BOT.rglob("*.py") if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {('discord', 'slack_bolt', 'slack_sdk')!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=BOT.parent)
    assert out.stdout.strip() == ""


def test_the_walk_would_catch_an_sdk_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from discord import app_commands\n", encoding="utf-8")
    assert "discord" in imported_modules(bad)
