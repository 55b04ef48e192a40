"""A throwaway PostgreSQL cluster for tests: initdb into a temp folder, start it on
127.0.0.1 and a free port, hand out databases, stop it and delete it at the end.

PostgreSQL refuses to run as root, so when the tests run as root the server runs
as the ``postgres`` system user (created by Debian's ``postgresql`` package).
Without a server binary the tests that need it skip, naming the package.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_HINT = "install the PostgreSQL server (Debian: apt-get install postgresql)"
USER = "atlas"


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (Debian's newest version
    first, then PATH), or None."""
    needed = ("initdb", "pg_ctl", "postgres")
    debian = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = [Path(found).resolve().parent for found in filter(None, [shutil.which("pg_ctl")])]
    for folder in [*debian, *on_path]:
        if all(os.access(folder / name, os.X_OK) for name in needed):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    port: int
    password: str

    def url(self, database: str = "atlas") -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        )

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _as_server_user(command: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (the server will not run as root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A running PostgreSQL cluster of our own, with database ``atlas`` created."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(f"no PostgreSQL server found: {PACKAGE_HINT}")
    if os.geteuid() == 0:
        try:
            import pwd

            server_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip(f"running as root and no 'postgres' user to run the server: {PACKAGE_HINT}")
    # Not under pytest's tmp folder: that one is private to root and the server user
    # must be able to reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    password = secrets.token_hex(12)
    (root / "pwfile").write_text(password + "\n")
    if os.geteuid() == 0:
        for path in (root, sockets, root / "pwfile"):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    _run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                USER,
                "--pwfile",
                str(root / "pwfile"),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        "initdb",
    )
    cluster = None
    for _attempt in range(3):  # another process may grab the free port first
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = subprocess.run(
            _as_server_user(
                [
                    str(binaries / "pg_ctl"),
                    "start",
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--wait",
                    "--timeout=60",
                    "-o",
                    options,
                ]
            ),
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if started.returncode == 0:
            cluster = Cluster(port, password)
            break
    if cluster is None:
        log_text = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{log_text[-2000:]}")
    try:
        cluster.create_database("atlas")
        yield cluster
    finally:
        subprocess.run(
            _as_server_user(
                [str(binaries / "pg_ctl"), "stop", "--pgdata", str(data), "--mode=fast", "--wait"]
            ),
            capture_output=True,
            timeout=90,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: Cluster) -> str:
    """SQLAlchemy URL of the cluster's ``atlas`` database."""
    return postgres_cluster.url("atlas")


# A store on each backend, for tests that must hold on both.
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS, name="engine")
def engine_on_each_backend(request, tmp_path) -> Iterator:
    """A brand-new store on each backend: a SQLite file, or a new database on the test
    PostgreSQL cluster (dropped afterwards). Import it by name to use it as ``engine``."""
    from atlas import store

    if request.param == "sqlite":
        engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
        yield engine
        engine.dispose()
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    engine = store.open_store(cluster.create_database(name))
    yield engine
    engine.dispose()
    cluster.drop_database(name)
