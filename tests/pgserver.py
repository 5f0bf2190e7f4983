"""A throwaway PostgreSQL server for tests and benchmarks, started the way .ci/run starts one.

``find_binaries()`` looks for ``initdb``/``pg_ctl`` on PATH and in /usr/lib/postgresql/*/bin
(Debian's layout). initdb refuses to run as root, so as root the server runs as the ``postgres``
(or ``nobody``) user through ``runuser``. The data and socket directories are temporary; the
server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATABASE = "supportbot_test"


def find_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    candidates = [Path(p).parent for p in (shutil.which("initdb"),) if p]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if all((directory / name).exists() for name in ("initdb", "pg_ctl", "postgres", "createdb")):
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
            return user
        except KeyError:
            continue
    return None


@dataclass
class PgServer:
    bin_dir: Path
    root: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://supportbot@127.0.0.1:{self.port}/{DATABASE}"

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return [*prefix, *args]

    def _call(self, *args: str) -> None:
        subprocess.run(self._cmd(*args), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        data, sockets = self.root / "data", self.root / "sock"
        sockets.mkdir(parents=True, exist_ok=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chown(sockets, entry.pw_uid, entry.pw_gid)
        self._call(str(self.bin_dir / "initdb"), "-D", str(data), "-U", "supportbot", "-A", "trust", "--no-sync")
        self.start_only()
        self._call(
            str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "supportbot", DATABASE
        )

    def stop_only(self) -> None:
        """Stop the server, its data kept (the first half of a database restart)."""
        self._call(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def start_only(self) -> None:
        """Start the (initialized, stopped) server on its port."""
        options = f"-p {self.port} -k {self.root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c max_connections=200"
        data, log = str(self.root / "data"), str(self.root / "log")
        self._call(str(self.bin_dir / "pg_ctl"), "-D", data, "-o", options, "-w", "-l", log, "start")

    def stop(self) -> None:
        subprocess.run(
            self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    """A fresh server; raises RuntimeError saying why when none can be started."""
    bin_dir = find_binaries()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin")
    user = _run_as()
    if os.geteuid() == 0 and user is None:
        raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run initdb as")
    root = Path(tempfile.mkdtemp(prefix="supportbot-pg-"))
    os.chmod(root, 0o755)
    server = PgServer(bin_dir, root, _free_port(), user)
    try:
        server.start()
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-500:]}") from exc
    time.sleep(0.1)
    return server
