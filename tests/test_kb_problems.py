"""Knowledge files: nothing is dropped silently, and every problem names its file and line
(and never surfaces as a traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.lint import lint_tree

from .core import FIXTURE_KB


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_KB, tmp_path / "kb"))


def set_field(kb: Path, key: str, value: str) -> Path:
    """Replace (or add) one front-matter line of entries/offline.md; returns the file."""
    path = kb / "entries" / "offline.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [x for x in lines if not x.startswith(f"{key} = ")]
    kept.insert(1, f"{key} = {value}\n")
    path.write_text("".join(kept), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tags", '"x"', "tags: must be a list of non-empty strings"),
        ("patterns", "[1, 2]", "patterns: must be a list of non-empty strings"),
        ("aliases", "3", "aliases: must be a list of non-empty strings"),
    ],
)
def test_wrongly_typed_lists_are_errors_with_file_and_line(kb: Path, key: str, value: str, message: str) -> None:
    path = set_field(kb, key, value)
    assert f"{path}:2: {message}" in lint_tree(kb)


def test_an_out_of_range_code_is_an_error_with_file_and_line(kb: Path) -> None:
    path = kb / "entries" / "offline.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("code = -1009", "code = 99999999999999999999"), encoding="utf-8")
    line = text.splitlines().index("[[errors]]") + 1  # the table the code is in
    (problem,) = lint_tree(kb)
    assert problem.startswith(f"{path}:{line}: ") and "out of range" in problem


def test_unknown_domain_and_missing_related_name_file_and_line(kb: Path) -> None:
    path = kb / "entries" / "offline.md"
    text = path.read_text(encoding="utf-8").replace('domain = "NSURLErrorDomain"', 'domain = "NoSuchDomain"', 1)
    path.write_text(text.replace('tags = ["urlsession"]', 'tags = ["urlsession"]\nrelated = ["ghost"]'), "utf-8")
    problems = lint_tree(kb)
    assert f"{path}:1: offline: error domain 'NoSuchDomain' is not in domains.toml" in problems
    assert f"{path}:1: offline: related entry 'ghost' does not exist" in problems


def test_unlisted_link_host_names_file_and_line(kb: Path) -> None:
    path = kb / "entries" / "offline.md"
    text = path.read_text(encoding="utf-8").replace("https://developer.apple.com/", "https://example.org/")
    path.write_text(text, encoding="utf-8")
    assert any(p.startswith(f"{path}:1: offline: link ") and "allow-list" in p for p in lint_tree(kb))


def test_a_directory_named_like_an_entry_is_reported(kb: Path) -> None:
    (kb / "entries" / "x.md").mkdir()
    assert f"{kb}/entries/x.md:1: not a regular file" in lint_tree(kb)


def test_a_hosts_file_that_is_not_utf8_is_reported(kb: Path) -> None:
    (kb / "hosts.txt").write_bytes(b"developer.apple.com\n\xff\xfe bad\n")
    assert any(p.startswith(f"{kb}/hosts.txt:1: not UTF-8") for p in lint_tree(kb))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("domains = [1, 2]\n", "domains[0]: must be a table"),
        ('domains = "x"\n', "domains must be an array of tables"),
        (
            '[[domains]]\nname = "A"\n[[equivalences]]\ndomain = "A"\nsame_as = "A"\nmin = 1\n',
            "equivalences[0]: missing max",
        ),
        ('[[domains]]\nname = "A"\n[[equivalences]]\ndomain = "A"\nsame_as = "B"\nmin = 1\nmax = 2\n', "unknown"),
        ("equivalences = [3]\n", "equivalences[0]: must be a table"),
        ("stream_domains = 4\n", "stream_domains must be a table"),
        ('platform = "ios"\n', "platform must be a list of words"),
        ('[[domains]]\nname = "A"\nwraps = ["B"]\n', "A: wraps unknown domain 'B'"),
        ('platform = ["ios", 3]\n', "platform must be a list of words"),
        ("shared_messages = 1\n", "shared_messages must be a list of texts"),
        ("generic_aliases = [1]\n", "generic_aliases must be a list of domain aliases"),
        ('foreign = "python"\n', "foreign must be a list of words"),
        ('servers = "nginx"\n', "servers must be a list of words"),
        ('subject = "socket"\n', "subject must be a list of words"),
        ('builder = "app"\n', "builder must be a list of words"),
        ('user_features = ["private relay", ""]\n', "user_features must be a list of texts"),
        ('[[domains]]\nname = "A"\ngeneral = [[5, 1]]\n', "(A): 'general' must be a list of [low, high] code ranges"),
        ('[[domains]]\nname = "A"\ngeneral = [1, 35]\n', "(A): 'general' must be a list of [low, high] code ranges"),
        ('[[domains]]\nname = "A"\ngeneral = [["1", 35]]\n', "got ['1', 35]"),
        ('generic_aliases = ["posix"]\n[[domains]]\nname = "A"\naliases = ["errno"]\n', "'posix' is no domain's alias"),
    ],
)
def test_a_malformed_domains_file_is_a_message_not_a_traceback(kb: Path, toml: str, message: str) -> None:
    (kb / "domains.toml").write_text(toml, encoding="utf-8")
    problems = lint_tree(kb)
    assert any(p.startswith(f"{kb}/domains.toml") and message in p for p in problems), problems
