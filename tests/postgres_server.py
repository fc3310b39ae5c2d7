"""A real, throwaway PostgreSQL server for the tests that need one (never a mock).

Debian's postgresql package (scripts/test.sh installs it) provides initdb and
pg_ctl.  As root, the cluster is created and run by the ``postgres`` user in a
temporary folder it owns, listening on 127.0.0.1 and a free port, with trust
authentication.  One server per test process, started on first use and
stopped at exit (also when tests fail); each test gets its own database.
"""
from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("FACEGUI_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self, tls: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="facegui-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self.running = False
        self._names = itertools.count(1)
        self._options = ""
        if tls:
            self._make_certificate()
        self.start()

    def _make_certificate(self) -> None:
        """A self-signed certificate for 127.0.0.1: clients verify it with ``sslrootcert=`` it."""
        self.certificate, key = self.root / "server.crt", self.root / "server.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(self.certificate)],
                       check=True, capture_output=True, timeout=START_TIMEOUT_S)
        os.chmod(key, 0o600)
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (key, self.certificate):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._options = f" -c ssl=on -c ssl_cert_file={self.certificate} -c ssl_key_file={key}"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200" + self._options)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_TIMEOUT_S),
                  "-o", options, "start")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"facegui_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_server: PostgresServer | None = None
_server_lock = threading.Lock()


def shared_server() -> PostgresServer:
    """The process's server, started on first use; skips the test where PostgreSQL is not installed."""
    global _server
    with _server_lock:
        if _server is None:
            if not (PG_BIN / "initdb").exists():
                pytest.skip(f"PostgreSQL is not installed ({PG_BIN}/initdb missing; scripts/test.sh installs it)")
            _server = PostgresServer()
            atexit.register(_server.destroy)
        elif not _server.running:
            _server.start()  # a test stopped it and failed before starting it again
        return _server
