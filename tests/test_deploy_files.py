"""deploy/: the Dockerfile, compose file and systemd unit parse, name files that exist, and agree
with the settings, the console script and the README's Deploy steps. No container engine runs."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import re
import sys
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from adapters.http import HttpServer
from bot.settings import HttpSettings, Settings, SlackSettings

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCRIPT = next(iter(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]))
HTTP_PORT = HttpSettings().port
SLACK_PORT = SlackSettings().http_port


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "a continuation line ends the file"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def final_stage() -> list[tuple[str, str]]:
    steps = dockerfile()
    last = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last:]


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    return dict(pair.split("=", 1) for op, args in steps if op == "ENV" for pair in args.split())


def unit() -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values]}}; keys such as Environment= repeat."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in (DEPLOY / "supportbot.service").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            assert line.endswith("]"), line
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"not a unit line: {line}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def dockerignored(path: str) -> bool:
    patterns = [
        p.strip() for p in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if p.strip()[:1] not in "#"
    ]
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(PurePosixPath(p).name, bare) for p in prefixes):
            return True
    return False


def is_setting(name: str) -> bool:
    """True when ``SUPPORTBOT_A__B`` names a real setting (SUPPORTBOT_CONFIG names the file)."""
    if name == "SUPPORTBOT_CONFIG":
        return True
    parts = name.removeprefix("SUPPORTBOT_").lower().split("__")
    fields: dict[str, Any] = dict(Settings.model_fields)
    for i, part in enumerate(parts):
        if part not in fields:
            return False
        sub = getattr(fields[part].annotation, "model_fields", None)
        if i < len(parts) - 1:
            if sub is None:
                return False
            fields = dict(sub)
    return True


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    steps = dockerfile()
    bases = [args for op, args in steps if op == "FROM"]
    assert len(bases) >= 2
    assert all(re.match(r"python:3\.1\d+-slim\b", b) for b in bases), bases
    users = [args for op, args in final_stage() if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [args for op, args in steps if op == "ENTRYPOINT"] == [json.dumps([SCRIPT])]


def test_dockerfile_copies_files_that_exist_and_are_not_ignored() -> None:
    sources = [
        src for op, args in dockerfile() if op == "COPY" and not args.startswith("--from") for src in args.split()[:-1]
    ]
    assert {"pyproject.toml", "README.md", "bot", "adapters", "knowledge"} <= set(sources)
    for src in sources:
        assert (ROOT / src).exists(), src
        assert not dockerignored(src), f"{src} is copied but .dockerignore excludes it"
    for junk in (".venv", ".git", "supportbot.db", "bot/__pycache__", "deploy/supportbot.env", ".mypy_cache"):
        assert dockerignored(junk), junk


def test_database_is_on_the_volume_and_env_names_are_settings() -> None:
    env = env_of(final_stage())
    volumes = [json.loads(args) for op, args in final_stage() if op == "VOLUME"]
    assert volumes == [[str(PurePosixPath(env["SUPPORTBOT_STORE__PATH"]).parent)]]
    assert env["SUPPORTBOT_HTTP__HOST"] == "0.0.0.0"  # else the published port reaches nothing
    assert env["SUPPORTBOT_HTTP__PORT"] == str(HTTP_PORT)
    assert env["SUPPORTBOT_LOG_FORMAT"] in ("json", "human")
    names = [n for n in env if n.startswith("SUPPORTBOT_")]
    names += re.findall(r"SUPPORTBOT_[A-Z_]+", (DEPLOY / "supportbot.env.example").read_text(encoding="utf-8"))
    names += re.findall(r"SUPPORTBOT_[A-Z_]+", (DEPLOY / "supportbot.service").read_text(encoding="utf-8"))
    names += re.findall(r"SUPPORTBOT_[A-Z_]+", (DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert len(names) > 10
    assert [n for n in names if not is_setting(n)] == []


def test_healthcheck_asks_healthz_on_the_default_port_without_curl() -> None:
    (check,) = [args for op, args in final_stage() if op == "HEALTHCHECK"]
    assert "curl" not in check and "wget" not in check
    assert "/healthz" in check
    assert f"'SUPPORTBOT_HTTP__PORT', '{HTTP_PORT}'" in check
    exposed = {int(p) for op, args in final_stage() if op == "EXPOSE" for p in args.split()}
    assert exposed == {HTTP_PORT, SLACK_PORT}


async def test_the_healthcheck_command_passes_and_fails_with_the_server() -> None:
    (check,) = [args for op, args in final_stage() if op == "HEALTHCHECK"]
    argv = json.loads(check[check.index("CMD") + 3 :])
    assert argv[:2] == ["python", "-c"]

    async def exit_code(port: int) -> int:
        env = {"SUPPORTBOT_HTTP__PORT": str(port)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", argv[2], env=env, stderr=asyncio.subprocess.PIPE
        )
        await proc.communicate()
        return proc.returncode if proc.returncode is not None else -1

    healthy = True

    async def probe() -> tuple[bool, str]:
        return healthy, "store does not open"

    async with HttpServer("127.0.0.1", 0) as server:
        server.add_check("store", probe)
        assert await exit_code(server.port) == 0
        healthy = False
        assert await exit_code(server.port) != 0


def test_compose_builds_this_image_and_mounts_nothing_that_may_be_missing() -> None:
    service = compose()["services"]["supportbot"]
    context = (DEPLOY / service["build"]["context"]).resolve()
    assert context == ROOT.resolve()
    assert (context / service["build"]["dockerfile"]).resolve() == (DEPLOY / "Dockerfile").resolve()
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for env_file in service["env_file"]:
        assert (DEPLOY / f"{env_file}.example").is_file(), f"{env_file}: no checked-in example to copy"
        assert f"deploy/{env_file}" in gitignore, f"{env_file} holds tokens: it must not be committable"
        assert f"cp deploy/{env_file}.example deploy/{env_file}" in README
    mounts = [v.split(":") for v in service["volumes"]]
    assert all(not src.startswith((".", "/", "~")) for src, *_ in mounts), "bind mounts need files that may not exist"
    (volume_dir,) = [json.loads(args)[0] for op, args in final_stage() if op == "VOLUME"]
    assert [target for _, target, *_ in mounts] == [volume_dir]
    assert {src for src, *_ in mounts} <= set(compose()["volumes"])


def test_compose_publishes_the_health_port_on_loopback_and_the_slack_port() -> None:
    ports = compose()["services"]["supportbot"]["ports"]
    assert f"127.0.0.1:{HTTP_PORT}:{HTTP_PORT}" in ports
    assert f"{SLACK_PORT}:{SLACK_PORT}" in ports


def test_unit_runs_the_console_script_with_hardening() -> None:
    service = unit()["Service"]
    (exec_start,) = service["ExecStart"]
    binary = PurePosixPath(exec_start.split()[0])
    assert binary.name == SCRIPT and exec_start.split()[1:] == ["run"]
    venv = str(binary.parent.parent)
    assert f"python3 -m venv {venv}" in README and f"{venv}/bin/pip install ." in README
    env = dict(e.split("=", 1) for e in service["Environment"])
    data_dir = str(PurePosixPath(env["SUPPORTBOT_STORE__PATH"]).parent)
    assert service["ReadWritePaths"] == [data_dir]
    assert service["WorkingDirectory"] == [data_dir]
    assert f"cp -r knowledge {env['SUPPORTBOT_KNOWLEDGE__PATH']}" in README
    (user,) = service["User"]
    assert re.search(rf"useradd --system .*{user}$", README, re.M)
    assert re.search(rf"install -d -o {user} -g {user} .*{data_dir}$", README, re.M)
    (env_file,) = service["EnvironmentFile"]
    assert not env_file.startswith("-")  # required: the README has the operator create it
    assert f"deploy/supportbot.env.example {env_file}" in README
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "Restart": "on-failure",
    }.items():
        assert service[key] == [value], key
    assert unit()["Install"]["WantedBy"] == ["multi-user.target"]
    assert "sudo install -m 644 deploy/supportbot.service /etc/systemd/system/supportbot.service" in README


def test_readme_deploy_section_uses_the_files_that_exist() -> None:
    section = README.split("\n## Deploy\n", 1)[1].split("\n## ", 1)[0]
    for path in re.findall(r"\bdeploy/[\w.-]+", section):
        if path not in ("deploy/supportbot.env", "deploy/config.toml"):  # the operator creates these
            assert (ROOT / path).exists(), path
    assert "docker compose -f deploy/compose.yaml up -d --build" in section
    assert "systemctl enable --now supportbot" in section
    assert "compose.yml" not in README


def test_compose_leaves_time_for_a_graceful_shutdown() -> None:
    from adapters.runtime import GRACE_SECONDS

    grace = compose()["services"]["supportbot"]["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) > GRACE_SECONDS


def test_scale_profile_runs_postgres_and_two_replicas_behind_the_proxy() -> None:
    services = compose()["services"]
    scale = {name for name, s in services.items() if "scale" in s.get("profiles", [])}
    assert {"postgres", "replica-a", "replica-b", "proxy"} <= scale
    assert "profiles" not in services["supportbot"], "the default service runs without a profile"
    for name in ("replica-a", "replica-b"):
        replica = services[name]
        assert replica["image"] == services["supportbot"]["image"]
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["environment"]["SUPPORTBOT_SLACK__MODE"] == "http"
        assert "ports" not in replica, "replicas are reached through the proxy only"
    # The proxy's config exists, is mounted, and names both replicas on the Slack port.
    proxy = services["proxy"]
    (mount,) = proxy["volumes"]
    source, target, mode = mount.split(":")
    conf = (DEPLOY / source).read_text(encoding="utf-8")
    assert target.startswith("/etc/nginx/") and mode == "ro"
    assert all(f"server {name}:{SLACK_PORT}" in conf for name in ("replica-a", "replica-b"))
    assert f"listen {SLACK_PORT};" in conf and f"{SLACK_PORT}:{SLACK_PORT}" in proxy["ports"]
    # The database password is a secret file that is never committed; the image can talk to PostgreSQL.
    secret = compose()["secrets"]["postgres_password"]["file"]
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"deploy/{secret}" in gitignore
    assert any(op == "RUN" and "[postgres]" in args for op, args in dockerfile())
    assert "--profile scale" in README and "SUPPORTBOT_STORE__URL" in README
