"""The admin PIN's record, kept in the data folder's database beside the data it guards.

One row in the table ``admin_pin`` of ``facegui.sqlite3``: the PIN's hash record (text the service
layer writes and reads; see ``facegui.service.admin_lock``), the failure counter and the end of the
current lockout. Keeping it with the data means a window or a CLI started with another settings file
or config folder still finds it.

This module only stores. Its one promise beyond reading is :meth:`SqlitePinStore.update`: read, change
and write the row as one transaction that other processes wait for (``BEGIN IMMEDIATE``), so checking
a PIN and counting a failure cannot interleave between two processes.

In a SQLite file the table sits outside the versioned schema (``schema.py``) on purpose: it is created
on first write (``CREATE TABLE IF NOT EXISTS``), so this module stays independent of the migrations.
In a shared PostgreSQL database (:class:`DatabasePinStore`) it is part of the schema, created with
the rest by the admin's role, since a station's role may not create tables; there one PIN guards
every station of the organisation.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..files import full_disk_note, make_private_dir, make_private_file
from .backend import StorageError
from .database import FaceDatabase

ADMIN_TABLE = "admin_pin"
_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {ADMIN_TABLE} (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    secret        TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until  REAL NOT NULL DEFAULT 0
)"""
BUSY_TIMEOUT_S = 30.0
"""How long a PIN check waits for another process's transaction on the same database."""


@dataclass(frozen=True)
class PinRecord:
    """The stored state of the admin PIN."""

    secret: str | None
    """The PIN's hash record as the service wrote it; None when no PIN is set. A row that cannot be
    read as written (wrong column types, e.g. after tampering) comes back as ``""``: damaged."""
    failures: int = 0
    """Failed or refused attempts since the last right PIN."""
    locked_until: float = 0.0
    """POSIX time before which no attempt is checked."""


NO_PIN = PinRecord(None)
DAMAGED = PinRecord("")


class PinStore(Protocol):
    """Where the admin PIN lives; one implementation per database backend."""

    def read(self) -> PinRecord:
        """The current record; NO_PIN when none is stored."""
        ...

    def update(self, change: Callable[[PinRecord], PinRecord]) -> tuple[PinRecord, PinRecord]:
        """Apply ``change`` to the current record atomically across processes; returns (before, after).

        ``change`` runs inside the write transaction, so it must be quick (never a key derivation).
        Returning a record whose ``secret`` is None deletes the PIN.
        """
        ...


class SqlitePinStore:
    """The admin PIN in the SQLite database of one data folder."""

    def __init__(self, database: Path, busy_timeout_s: float = BUSY_TIMEOUT_S):
        self.path = Path(database)
        self.busy_timeout_s = busy_timeout_s

    def read(self) -> PinRecord:
        if not self.path.exists():  # never create the database just to learn that no PIN is set
            return NO_PIN
        with self._connect() as conn:
            return self._select(conn)

    def update(self, change: Callable[[PinRecord], PinRecord]) -> tuple[PinRecord, PinRecord]:
        self._create_private_file()
        with self._connect() as conn:
            try:
                # IMMEDIATE takes the write lock before the read: two processes cannot both read
                # the same counter and each write back "one more".
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(_CREATE_TABLE)
                before = self._select(conn)
                after = change(before)
                if after != before:
                    self._write(conn, after)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return before, after

    # -- details -------------------------------------------------------------
    def _connect(self) -> _Connection:
        return _Connection(self.path, self.busy_timeout_s)

    @staticmethod
    def _select(conn: sqlite3.Connection) -> PinRecord:
        try:
            row = conn.execute(f"SELECT secret, failures, locked_until FROM {ADMIN_TABLE} WHERE id = 1").fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return NO_PIN
            raise
        return _record_of(row)

    @staticmethod
    def _write(conn: sqlite3.Connection, record: PinRecord) -> None:
        if record.secret is None:
            conn.execute(f"DELETE FROM {ADMIN_TABLE}")
        else:
            conn.execute(f"INSERT OR REPLACE INTO {ADMIN_TABLE} (id, secret, failures, locked_until) "
                         "VALUES (1, ?, ?, ?)", (record.secret, int(record.failures), float(record.locked_until)))

    def _create_private_file(self) -> None:
        """The database holds personal data: a new file is the user's alone, in a private folder."""
        try:
            make_private_dir(self.path.parent)
            make_private_file(self.path)
        except OSError as error:
            raise StorageError(f"cannot create the face database {self.path}: {error}") from error


def _record_of(row: Sequence[Any] | None) -> PinRecord:
    if row is None:
        return NO_PIN
    secret, failures, locked_until = row
    if not (isinstance(secret, str) and isinstance(failures, int) and failures >= 0
            and isinstance(locked_until, (int, float))):
        return DAMAGED
    return PinRecord(secret, failures, float(locked_until))


# Any constant: PIN updates from every station of the organisation take turns.
_POSTGRES_PIN_LOCK = 0x70696E  # "pin"


class DatabasePinStore:
    """The admin PIN in a shared PostgreSQL database: one PIN for every station.

    Each call opens a short connection: PIN checks are rare, and a station whose server is away
    gets a StorageError, which the service treats as locked.
    """

    def __init__(self, url: str):
        self.url = url

    def read(self) -> PinRecord:
        with FaceDatabase(self.url) as db, db._read_transaction() as conn:
            return _record_of(conn.execute(
                f"SELECT secret, failures, locked_until FROM {ADMIN_TABLE} WHERE id = 1").fetchone())

    def update(self, change: Callable[[PinRecord], PinRecord]) -> tuple[PinRecord, PinRecord]:
        with FaceDatabase(self.url) as db, db._write_transaction() as conn:
            # Held until commit: two stations cannot both read the same counter and write back "one more".
            conn.execute("SELECT pg_advisory_xact_lock(?)", (_POSTGRES_PIN_LOCK,))
            before = _record_of(conn.execute(
                f"SELECT secret, failures, locked_until FROM {ADMIN_TABLE} WHERE id = 1").fetchone())
            after = change(before)
            if after != before:
                if after.secret is None:
                    conn.execute(f"DELETE FROM {ADMIN_TABLE}")
                else:
                    conn.execute(f"INSERT INTO {ADMIN_TABLE} (id, secret, failures, locked_until) VALUES (1, ?, ?, ?) "
                                 "ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, "
                                 "failures = excluded.failures, locked_until = excluded.locked_until",
                                 (after.secret, int(after.failures), float(after.locked_until)))
        return before, after


def pin_store_for(database: Path, database_url: str = "") -> PinStore:
    """Where the PIN of a station lives: its shared database when it has one, else its SQLite file."""
    return DatabasePinStore(database_url) if database_url else SqlitePinStore(database)


class _Connection:
    """A short-lived connection whose SQLite failures become StorageError naming the file."""

    def __init__(self, path: Path, busy_timeout_s: float):
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: the transaction is exactly the BEGIN ... COMMIT issued above.
            self._conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout_s, isolation_level=None)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the face database {self.path}: {error}{full_disk_note(self.path)}") \
                from error
        return self._conn

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if self._conn is not None:
            self._conn.close()
        if isinstance(error, sqlite3.Error):
            raise StorageError(f"face database {self.path}: admin PIN record: {error}{full_disk_note(self.path)}") \
                from error


def copy_pin_record(source: FaceDatabase, target: FaceDatabase) -> bool:
    """Carry the PIN over in ``facegui db copy``: the stations must stay guarded after the move."""
    try:
        with source._connection() as conn:
            row = conn.execute(f"SELECT secret, failures, locked_until FROM {ADMIN_TABLE} WHERE id = 1").fetchone()
    except StorageError:
        return False  # a SQLite file in which no PIN was ever set has no such table
    if row is None:
        return False
    with target._write_transaction() as conn:
        if target.dialect == "sqlite":
            conn.execute(_CREATE_TABLE)
        conn.execute(f"INSERT INTO {ADMIN_TABLE} (id, secret, failures, locked_until) VALUES (1, ?, ?, ?)", tuple(row))
    return True


def remove_pin_record(database: Path) -> None:
    """Drop the PIN record from a copy of a database: an export must not carry the PIN's hash.

    secure_delete overwrites the freed pages, so the hash is not left behind in the file's free list.
    """
    with _Connection(Path(database), BUSY_TIMEOUT_S) as conn:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"DROP TABLE IF EXISTS {ADMIN_TABLE}")
