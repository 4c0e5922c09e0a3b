"""Throwaway PostgreSQL 15 clusters for the tests: `initdb` in a temporary folder, a free
loopback port, stopped and removed at the end.

PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` system user
that Debian's package creates (scripts/setup-system.sh), otherwise as the current user.
Settings favour speed over durability (no fsync): nothing here outlives the test run.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("ARCHIVIO_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "archivio"


def available() -> str | None:
    """Why no cluster can be made here (None: it can)."""
    if not (BIN / "initdb").is_file():
        return f"postgresql-15 is missing ({BIN}/initdb): run scripts/setup-system.sh"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "postgresql-15 is missing the postgres user: run scripts/setup-system.sh"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL server in its own temporary folder, on 127.0.0.1:`port`."""

    def __init__(self, root: Path | None = None, name: str = "primary") -> None:
        self.name = name
        self.root = root or Path(tempfile.mkdtemp(prefix="archivio-pg-"))
        self.data = self.root / name
        self.sockets = self.root / f"{name}-sockets"
        self.log = self.root / f"{name}.log"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.sockets.mkdir(parents=True, exist_ok=True)
        self._own(self.root)
        self._own(self.sockets)

    @property
    def server(self) -> str:
        """The address of the server (no database)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The address of the test database."""
        return f"{self.server}/{DATABASE}"

    def init(self, durable: bool = False) -> Cluster:
        """initdb; `durable` keeps PostgreSQL's fsync defaults (benchmarks), else speed."""
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.sockets}'",
            "max_connections": "300",
            "shared_buffers": "64MB",
            "wal_level": "replica",
            "max_wal_senders": "4",
            "hot_standby": "on",
        }
        if not durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("".join(f"\n{key} = {value}" for key, value in settings.items()) + "\n")
        with open(self.data / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write("\nhost replication all 127.0.0.1/32 trust\n")
        return self

    def start(self) -> Cluster:
        self._run(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def replicate(self, primary: Cluster) -> Cluster:
        """Make this cluster a streaming read replica of `primary` (pg_basebackup -R)."""
        self._run(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            primary.user,
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\nport = {self.port}\nunix_socket_directories = '{self.sockets}'\n")
        return self

    def create_database(self) -> Cluster:
        self._run(
            str(BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            DATABASE,
        )
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                check=False,
            )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_ready(self, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            done = subprocess.run(
                [str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if done.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL on port {self.port} not ready: {self.log}")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        if os.geteuid() == 0:
            command = ("runuser", "-u", self.user, "--", *command)
        done = subprocess.run(command, capture_output=True, check=False, cwd=self.root)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): "
                f"{done.stderr.decode(errors='replace')}"
            )
        return done


def start_cluster(durable: bool = False) -> Cluster:
    """A running cluster with an empty `archivio` database."""
    cluster = Cluster()
    try:
        return cluster.init(durable).start().create_database()
    except BaseException:
        cluster.remove()
        raise
