"""One thin layer over the two DB-API drivers: sqlite3 (embedded default) and psycopg 3 (PostgreSQL).

Queries are written once, with ``?`` placeholders and SQL that both dialects accept
(``ON CONFLICT``, ``RETURNING``); the PostgreSQL connection rewrites the placeholders.
What differs between the two (transactions, locking, schema version, connection loss)
lives here and in ``schema``, nowhere else.  psycopg is imported only when a
PostgreSQL URL is opened, so a SQLite-only start-up never pays for it.
"""

from __future__ import annotations

import logging
import os
import re
import select
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from ..files import full_disk_note, make_private_dir, make_private_file, restrict_if_present, special_file_kind

log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql", "postgres")
# Seconds libpq waits for a server before giving up; a station then works offline.
CONNECT_TIMEOUT_S = 3
# A connection unused this long is checked (one round trip) before use: the server may have restarted.
IDLE_PING_S = 1.0
# Without keepalives a pulled network cable leaves a query waiting for the OS's TCP timeout (minutes).
_KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                               "keepalives_count": 3}


class StorageError(Exception):
    """The face data cannot be opened, read or written (not a caller mistake)."""


class SchemaVersionError(StorageError):
    """The database was written by a newer facegui than this one."""


class DatabaseUnavailable(StorageError):
    """The database server cannot be reached (down, network gone); retrying later may work."""


def is_postgres_url(location: str | os.PathLike | None) -> bool:
    # The scheme alone, without taking the rest apart: a malformed URL is still one (config.url_problem).
    return isinstance(location, str) and location.partition("://")[0].strip().lower() in POSTGRES_SCHEMES


def url_has_password(url: str) -> bool:
    """Whether a PostgreSQL URL carries a password (in the user part or as a parameter)."""
    parts = urlsplit(url)
    return parts.password is not None or re.search(r"(^|&)password=", parts.query) is not None


def redact_url(url: str) -> str:
    """The URL as it may be shown or logged: any password replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Backend:
    """One open connection to one database; not thread-safe (FaceDatabase serialises it)."""

    dialect: str
    description: str
    """What to name in error messages: the file path, or the URL without password."""
    remote: bool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    @contextmanager
    def write_transaction(self) -> Iterator[Backend]:
        raise NotImplementedError
        yield self

    @contextmanager
    def read_transaction(self) -> Iterator[Backend]:
        raise NotImplementedError
        yield self

    def translate_error(self, error: BaseException) -> StorageError | None:
        """The StorageError for a driver error, None if it is not the driver's."""
        raise NotImplementedError

    def ensure_connected(self) -> None:
        """Reconnect after a lost connection (remote backends); raises DatabaseUnavailable."""

    def commit_counter(self) -> int | None:
        """A number that changes whenever another connection commits to the database, read without
        touching a table; None where there is no such cheap question (a server)."""
        return None

    def lock_row_suffix(self) -> str:
        """``SELECT ... FOR UPDATE`` where rows can be locked; SQLite locks the whole file instead."""
        return ""

    def take_turns(self, topic: int, key: int) -> None:
        """Until the transaction ends, other transactions taking turns on (topic, key) wait.

        SQLite's write transaction already holds the whole file.  PostgreSQL takes an advisory lock,
        which needs no privilege on any table (a station's role may not UPDATE people).
        """

    def close(self) -> None:
        raise NotImplementedError


class SqliteBackend(Backend):
    dialect = "sqlite"
    remote = False

    def __init__(self, path: Path, own_folder: bool = True) -> None:
        """``own_folder``: the file's folder is facegui's (the data folder), made private even when it
        exists; otherwise (a copy into a folder the user named, their home perhaps) only when new."""
        self.path = Path(path)
        self.description = str(self.path)
        kind = special_file_kind(self.path)
        if kind:  # SQLite would take a device or a pipe as its file and fail on it ("disk I/O error")
            raise StorageError(f"{self.path}: is {kind}, not a database file")
        try:
            # Face data is personal: a 0700 folder and 0600 files, whatever the umask. SQLite creates
            # the WAL and shared-memory files with the database file's mode, so creating that one
            # first is enough for new ones; old world-readable ones are tightened.
            if own_folder or not self.path.parent.exists():
                make_private_dir(self.path.parent)
            make_private_file(self.path)
            for suffix in ("-wal", "-shm"):
                restrict_if_present(self.path.with_name(self.path.name + suffix))
        except OSError as error:
            raise StorageError(f"cannot create the data folder {self.path.parent}: {error.strerror or error}") \
                from error
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so each
            # enrollment is exactly one transaction whatever Python's defaults.
            self.raw = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None,
                                       check_same_thread=False)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the face database {self.path}: {error}{full_disk_note(self.path)}") \
                from error
        try:
            self._configure()
        except sqlite3.Error as error:
            self.raw.close()
            raise StorageError(f"cannot open the face database {self.path}: {error}{full_disk_note(self.path)}") \
                from error

    def _configure(self) -> None:
        mode = self.raw.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # e.g. some network filesystems; still correct, just slower.
            log.warning("SQLite refused WAL mode for %s (using %s)", self.path, mode)
        # In WAL mode, synchronous=NORMAL cannot corrupt the database and
        # loses nothing if the *application* crashes or is killed; only a power
        # cut / OS crash may roll back the last few commits.  That is the
        # failure that matters for a desktop app, and it avoids an fsync per
        # enrollment.
        self.raw.execute("PRAGMA synchronous=NORMAL")
        self.raw.execute("PRAGMA foreign_keys=ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def commit_counter(self) -> int | None:
        # SQLite's own counter: unchanged by this connection's commits, bumped by any other's.
        return int(self.raw.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def write_transaction(self) -> Iterator[Backend]:
        # IMMEDIATE takes the write lock up front, so a concurrent writer
        # waits on busy_timeout instead of failing mid-transaction.
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.raw.execute("COMMIT")
        except BaseException:
            # Also covers a failed COMMIT, so the shared connection is
            # never left inside a half-open transaction.
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
            raise

    @contextmanager
    def read_transaction(self) -> Iterator[Backend]:
        # A read transaction gives multi-statement reads one consistent snapshot.
        self.raw.execute("BEGIN")
        try:
            yield self
        finally:
            self.raw.execute("COMMIT")

    def translate_error(self, error: BaseException) -> StorageError | None:
        if isinstance(error, sqlite3.Error):
            return StorageError(f"face database {self.path}: {error}{full_disk_note(self.path)}")
        return None

    def close(self) -> None:
        self.raw.close()


def _to_pyformat(sql: str) -> str:
    # Our SQL never holds a literal '?' or '%', so this cannot misfire.
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresBackend(Backend):
    dialect = "postgresql"
    remote = True

    def __init__(self, url: str) -> None:
        import psycopg  # lazy: ~100 ms of imports that a SQLite station never needs

        self._psycopg = psycopg
        self.url = url
        self.description = redact_url(url)
        self.raw: Any = None
        self._last_used = 0.0

    def ensure_connected(self) -> None:
        if self.raw is not None and not self.raw.closed and not self.raw.broken:
            if not self._server_spoke_while_idle() and time.monotonic() - self._last_used < IDLE_PING_S:
                return
            # A server that restarted (or said goodbye) is only noticed on the next statement, which
            # would fail the caller's write: one round trip now, and a new connection if it fails.
            try:
                self.raw.execute("SELECT 1")
                self._last_used = time.monotonic()
                return
            except self._psycopg.Error:
                log.info("Reconnecting to %s", self.description)
        if self.raw is not None:
            self.raw.close()
            self.raw = None
        try:
            # Passwords come from libpq itself (PGPASSWORD, ~/.pgpass, a service file), never from us.
            self.raw = self._psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                             application_name="facegui", **_KEEPALIVES)
        except self._psycopg.Error as error:
            raise DatabaseUnavailable(f"database server {self.description} cannot be reached: "
                                      f"{_first_line(error)}") from error

    def _server_spoke_while_idle(self) -> bool:
        """Whether the idle connection's socket has data: we never LISTEN, so that is the server's
        goodbye (a restart, an administrator's termination) or a closed socket."""
        try:
            readable, _, _ = select.select([self.raw.pgconn.socket], [], [], 0)
        except (OSError, ValueError, self._psycopg.Error):
            return True
        return bool(readable)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        self._last_used = time.monotonic()
        return self.raw.execute(_to_pyformat(sql), tuple(params), prepare=False)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_to_pyformat(sql), rows)

    @contextmanager
    def write_transaction(self) -> Iterator[Backend]:
        # READ COMMITTED: writers that must not overlap (cool-down check, revision bump) lock rows.
        with self.raw.transaction():
            yield self

    @contextmanager
    def read_transaction(self) -> Iterator[Backend]:
        self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self
        finally:
            if not self.raw.closed and not self.raw.broken:
                self.raw.execute("COMMIT")

    def translate_error(self, error: BaseException) -> StorageError | None:
        if not isinstance(error, self._psycopg.Error):
            return None
        if isinstance(error, self._psycopg.OperationalError) and (self.raw is None or self.raw.closed
                                                                  or self.raw.broken):
            return DatabaseUnavailable(f"database server {self.description} went away: {_first_line(error)}")
        if isinstance(error, self._psycopg.errors.InsufficientPrivilege):
            return StorageError(f"database {self.description}: this role may not do that ({_first_line(error)})")
        return StorageError(f"database {self.description}: {_first_line(error)}")

    def lock_row_suffix(self) -> str:
        return " FOR UPDATE"

    def take_turns(self, topic: int, key: int) -> None:
        # The two-key form takes two int4: keys beyond 2**31 share a lock, which only costs waiting.
        self.execute("SELECT pg_advisory_xact_lock(?, ?)", (int(topic), int(key) % 2**31))

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def open_backend(location: Path | str, own_folder: bool = True) -> Backend:
    """A connection to a PostgreSQL URL, or to the SQLite file at a path (``SqliteBackend``)."""
    if is_postgres_url(location):
        return PostgresBackend(str(location))
    return SqliteBackend(Path(location), own_folder)
