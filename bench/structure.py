"""Structure figures for bot/ and adapters/: long functions, long files, median module size.

Run: python bench/structure.py [--strict]
With --strict it exits 1 when a limit is crossed (functions over 60 lines, files over 300 lines),
so the figures can be checked as well as printed; McCabe complexity is ruff's C901 (CI).
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters")
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 300


def functions(path: Path) -> list[tuple[str, int]]:
    """(qualified name, length in lines) of every function in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                out.append((name, (child.end_lineno or child.lineno) - child.lineno + 1))
                walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")

    walk(tree, "")
    return out


def main() -> int:
    strict = "--strict" in sys.argv
    long_functions: list[str] = []
    long_files: list[str] = []
    sizes: dict[str, list[int]] = {p: [] for p in PACKAGES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            sizes[package].append(lines)
            rel = path.relative_to(ROOT)
            if lines > MAX_FILE_LINES:
                long_files.append(f"{rel}: {lines} lines")
            long_functions += [f"{rel}: {n} ({k} lines)" for n, k in functions(path) if k > MAX_FUNCTION_LINES]
    for package, counts in sizes.items():
        print(
            f"{package}/: {len(counts)} modules, {sum(counts)} lines, median {statistics.median(counts):.0f}, max {max(counts)}"
        )
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(long_functions)}")
    print("".join(f"  {x}\n" for x in long_functions), end="")
    print(f"files over {MAX_FILE_LINES} lines: {len(long_files)}")
    print("".join(f"  {x}\n" for x in long_files), end="")
    return 1 if strict and (long_functions or long_files) else 0


if __name__ == "__main__":
    sys.exit(main())
