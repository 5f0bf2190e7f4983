"""bot/ must not import a platform SDK or an adapter, statically or dynamically: checked by
walking every module's syntax tree and by importing every module in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).parent.parent / "bot"
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "adapters")
# Loading a module by name hides the dependency from this walk and from mypy: not in bot/.
DYNAMIC = ("import_module", "__import__")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, plus a marker for each dynamic import it makes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if a.name in DYNAMIC)
        elif (
            isinstance(node, ast.Attribute | ast.Name)
            and (getattr(node, "attr", None) or getattr(node, "id", None)) in DYNAMIC
        ):
            names.add("<dynamic import>")
    return names


def offenders(root: Path) -> set[str]:
    """``file: module`` for every forbidden or dynamic import under ``root``."""
    return {
        f"{path.relative_to(root.parent)}: {name}"
        for path in root.rglob("*.py")
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        or name == "<dynamic import>"
        or name.rsplit(".", 1)[-1] in DYNAMIC
    }


def test_no_sdk_or_adapter_import_in_bot() -> None:
    assert not offenders(BOT)


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


@pytest.mark.parametrize(
    "source",
    [
        "from discord import app_commands\n",
        "import slack_bolt.app\n",
        "from adapters.console import render_text\n",
        "import importlib\nconsole = importlib.import_module('adapters.console')\n",
        "from importlib import import_module\nm = import_module('adapters.discord')\n",
        "m = __import__('adapters.slack')\n",
    ],
)
def test_the_walk_catches_each_kind_of_forbidden_import(tmp_path: Path, source: str) -> None:
    pkg = tmp_path / "bot"
    pkg.mkdir()
    (pkg / "ok.py").write_text("import json\nfrom bot.models import Entry\n", encoding="utf-8")
    assert offenders(pkg) == set()
    (pkg / "bad.py").write_text(source, encoding="utf-8")
    assert offenders(pkg), source
