"""SQLite store of enrolled people and their face embeddings.

The database is the source of truth; the faiss index (see ``vector_index``)
is a cache that can always be rebuilt from it.  Every write bumps a per-model
revision in the same transaction, so a cached index can tell it is stale.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from ..files import make_private_dir, make_private_file, restrict_if_present

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

# Embeddings are stored as raw float32 little-endian bytes whatever the host
# byte order, so a database copied between machines stays readable.
VECTOR_DTYPE = np.dtype("<f4")

# AUTOINCREMENT (unlike a bare INTEGER PRIMARY KEY) never reuses the id of a
# deleted row: ids stay valid references in attendance logs and faiss indexes.
_SCHEMA_V1 = """
CREATE TABLE people (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT UNIQUE NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE embeddings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    model_id       TEXT NOT NULL,
    dim            INTEGER NOT NULL CHECK (dim > 0),
    vector         BLOB NOT NULL CHECK (length(vector) = 4 * dim),
    source_path    TEXT,
    source_sha256  TEXT,
    enrolled_at    TEXT NOT NULL,
    UNIQUE (model_id, source_sha256, person_id)
);
-- ON DELETE CASCADE scans the child table without this index.
CREATE INDEX embeddings_by_person ON embeddings(person_id);
CREATE TABLE model_revisions (
    model_id  TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL
);
"""

# Attendance (see storage/attendance.py).  Times are stored twice: `at` is the
# ISO 8601 local time with its UTC offset, as shown to people; `at_utc` (POSIX
# seconds) orders rows, since offset-carrying text does not sort across DST.
# `day` is the local calendar date (YYYY-MM-DD) the row belongs to.  Snapshot
# paths are relative to the data folder's snapshots/ directory.  Events and
# sightings go with their person (ON DELETE CASCADE).
_SCHEMA_V2 = """
CREATE TABLE attendance_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    at          TEXT NOT NULL,
    at_utc      REAL NOT NULL,
    source      TEXT NOT NULL,
    similarity  REAL NOT NULL,
    snapshot    TEXT
);
CREATE INDEX attendance_events_by_person ON attendance_events(person_id, at_utc);
CREATE INDEX attendance_events_by_day ON attendance_events(day);
CREATE TABLE attendance_sightings (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (person_id, day)
) WITHOUT ROWID;
CREATE INDEX attendance_sightings_by_day ON attendance_sightings(day);
CREATE TABLE unknown_faces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    day         TEXT NOT NULL,
    at          TEXT NOT NULL,
    at_utc      REAL NOT NULL,
    source      TEXT NOT NULL,
    similarity  REAL NOT NULL,
    model_id    TEXT NOT NULL,
    dim         INTEGER NOT NULL CHECK (dim > 0),
    vector      BLOB NOT NULL CHECK (length(vector) = 4 * dim),
    snapshot    TEXT
);
CREATE INDEX unknown_faces_by_day ON unknown_faces(day);
"""


class StorageError(Exception):
    """The face data cannot be opened, read or written (not a caller mistake)."""


class SchemaVersionError(StorageError):
    """The database was written by a newer facegui than this one."""


@dataclass(frozen=True)
class PersonRecord:
    name: str
    embedding_count: int
    first_enrolled_at: str | None
    id: int


@dataclass(frozen=True)
class Enrollment:
    """Outcome of :meth:`FaceDatabase.enroll`."""

    embedding_id: int
    # False when this (model, source, person) was already enrolled: nothing
    # was written and ``embedding_id`` is the existing row.
    created: bool
    # Revision of the model right after the transaction; lets a cache check
    # that no other writer slipped in between its last sync and this write.
    revision: int


@dataclass(frozen=True)
class Unenrollment:
    """Outcome of :meth:`FaceDatabase.unenroll`."""

    removed_ids_by_model: Mapping[str, tuple[int, ...]]
    revisions: Mapping[str, int]  # only the models that lost embeddings

    @property
    def removed_count(self) -> int:
        return sum(len(ids) for ids in self.removed_ids_by_model.values())


MAX_PERSON_NAME_LENGTH = 100
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
"""Control characters and line/paragraph separators: a name is one line in every table, CSV and log."""
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides and isolates would let a name display as another (trojan-source style)."""


def normalize_person_name(name: str) -> str:
    """Canonical form of a person's name, or ValueError if it is unusable.

    NFC makes a name typed on macOS (decomposed accents) and on Windows
    (composed) the same person.
    """
    if not isinstance(name, str):
        raise ValueError(f"person name must be a string, got {type(name).__name__}")
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise ValueError("person name must not be empty or only whitespace")
    if any(unicodedata.category(ch) in _FORBIDDEN_NAME_CATEGORIES or ch in _BIDI_CONTROLS for ch in cleaned):
        raise ValueError(f"person name must not contain control characters or line breaks: {cleaned!r}")
    if len(cleaned) > MAX_PERSON_NAME_LENGTH:
        raise ValueError(f"person name is longer than {MAX_PERSON_NAME_LENGTH} characters")
    return cleaned


def local_timestamp() -> str:
    """ISO 8601 local time with UTC offset, e.g. 2024-05-01T09:30:00+02:00."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def inserted_row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote (sqlite3 types lastrowid as optional)."""
    if cursor.lastrowid is None:
        raise StorageError("the database reported no id for a row it just inserted")
    return int(cursor.lastrowid)


def _vector_to_blob(vector: np.ndarray) -> tuple[bytes, int]:
    array = np.asarray(vector)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"embedding must be a non-empty 1-D vector, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"embedding must be numeric, got dtype {array.dtype}")
    as_float32 = array.astype(VECTOR_DTYPE)
    if not np.all(np.isfinite(as_float32)):
        raise ValueError("embedding contains NaN or infinite values")
    return as_float32.tobytes(), int(as_float32.shape[0])


class FaceDatabase:
    """People and embeddings in one SQLite file.

    One connection, shared between threads and serialised by a lock: a GUI
    worker thread reads while the GUI thread enrolls.  Other processes (the
    CLI) may open the same file concurrently; SQLite's WAL locking and the
    busy timeout arbitrate between them.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            # Face data is personal: a 0700 folder and 0600 files, whatever the umask. SQLite creates
            # the WAL and shared-memory files with the database file's mode, so creating that one
            # first is enough for new ones.
            make_private_dir(self.path.parent)
            make_private_file(self.path)
            for suffix in ("-wal", "-shm"):
                restrict_if_present(self.path.with_name(self.path.name + suffix))
        except OSError as error:
            raise StorageError(f"cannot create the data folder {self.path.parent}: {error}") from error
        self._lock = threading.Lock()
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so each
            # enrollment is exactly one transaction whatever Python's defaults.
            self._conn = sqlite3.connect(
                str(self.path),
                timeout=10.0,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the face database {self.path}: {error}") from error
        try:
            self._configure()
            self._migrate()
        except sqlite3.Error as error:
            self._conn.close()
            raise StorageError(f"cannot open the face database {self.path}: {error}") from error
        except BaseException:
            self._conn.close()
            raise

    # -- setup ---------------------------------------------------------------

    def _configure(self) -> None:
        mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # e.g. some network filesystems; still correct, just slower.
            log.warning("SQLite refused WAL mode for %s (using %s)", self.path, mode)
        # In WAL mode, synchronous=NORMAL cannot corrupt the database and
        # loses nothing if the *application* crashes or is killed; only a power
        # cut / OS crash may roll back the last few commits.  That is the
        # failure that matters for a desktop app, and it avoids an fsync per
        # enrollment.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def _migrate(self) -> None:
        with self._write_transaction() as conn:
            # Read inside the write lock: two processes opening a fresh file
            # at once must not both create the schema.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"{self.path} has schema version {version}; this facegui "
                    f"understands up to {SCHEMA_VERSION}. Upgrade facegui."
                )
            # Each step runs in this one transaction: a crash mid-migration
            # leaves the previous version intact.
            for step_version, script in ((1, _SCHEMA_V1), (2, _SCHEMA_V2)):
                if version < step_version:
                    for statement in script.split(";"):
                        if statement.strip():
                            conn.execute(statement)
            if version != SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """The shared connection, locked; SQLite failures become StorageError."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as error:
                raise StorageError(f"face database {self.path}: {error}") from error

    def _scalar(self, sql: str, params: tuple[object, ...], default: Any = None) -> Any:
        """The first column of the first row, or ``default`` when there is no row."""
        with self._connection() as conn:
            row = conn.execute(sql, params).fetchone()
        return default if row is None else row[0]

    @contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection():
            # IMMEDIATE takes the write lock up front, so a concurrent writer
            # waits on busy_timeout instead of failing mid-transaction.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                # Also covers a failed COMMIT, so the shared connection is
                # never left inside a half-open transaction.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read_transaction(self) -> Iterator[sqlite3.Connection]:
        # A read transaction gives multi-statement reads one consistent snapshot.
        with self._connection():
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    @staticmethod
    def _bump_revision(conn: sqlite3.Connection, model_id: str) -> int:
        conn.execute(
            "INSERT INTO model_revisions (model_id, revision) VALUES (?, 1) "
            "ON CONFLICT (model_id) DO UPDATE SET revision = revision + 1",
            (model_id,),
        )
        return int(
            conn.execute(
                "SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,)
            ).fetchone()[0]
        )

    # -- writes --------------------------------------------------------------

    def enroll(
        self,
        name: str,
        vector: np.ndarray,
        model_id: str,
        source_path: str | None,
        source_sha256: str | None,
    ) -> Enrollment:
        """Add one embedding (and the person if new) in a single transaction.

        Idempotent per (model_id, source_sha256, person): enrolling the same
        photo of the same person twice returns the existing row.
        """
        name = normalize_person_name(name)
        if not model_id:
            raise ValueError("model_id must not be empty")
        blob, dim = _vector_to_blob(vector)
        source_path = None if source_path is None else str(source_path)
        now = local_timestamp()

        with self._write_transaction() as conn:
            existing_dim = conn.execute(
                "SELECT dim FROM embeddings WHERE model_id = ? LIMIT 1", (model_id,)
            ).fetchone()
            if existing_dim is not None and existing_dim[0] != dim:
                raise ValueError(
                    f"embedding has {dim} dimensions but model {model_id!r} "
                    f"already has {existing_dim[0]}-dimensional embeddings"
                )
            conn.execute(
                "INSERT INTO people (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, now),
            )
            person_id = conn.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()[0]
            if source_sha256 is not None:
                duplicate = conn.execute(
                    "SELECT id FROM embeddings "
                    "WHERE model_id = ? AND source_sha256 = ? AND person_id = ?",
                    (model_id, source_sha256, person_id),
                ).fetchone()
                if duplicate is not None:
                    revision = conn.execute(
                        "SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,)
                    ).fetchone()
                    return Enrollment(int(duplicate[0]), False, int(revision[0]) if revision else 0)
            cursor = conn.execute(
                "INSERT INTO embeddings (person_id, model_id, dim, vector, source_path, "
                "source_sha256, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (person_id, model_id, dim, blob, source_path, source_sha256, now),
            )
            embedding_id = inserted_row_id(cursor)
            revision = self._bump_revision(conn, model_id)
        return Enrollment(embedding_id, True, revision)

    def add_embedding(
        self,
        name: str,
        vector: np.ndarray,
        model_id: str,
        source_path: str | None,
        source_sha256: str | None,
    ) -> int:
        """Like :meth:`enroll`, returning only the embedding id."""
        return self.enroll(name, vector, model_id, source_path, source_sha256).embedding_id

    def unenroll(self, name: str) -> Unenrollment:
        """Delete a person and all their embeddings, for every model.

        A name nobody could have been enrolled under (empty, whitespace)
        simply matches nobody.
        """
        if not isinstance(name, str):
            raise TypeError(f"person name must be a string, got {type(name).__name__}")
        try:
            name = normalize_person_name(name)
        except ValueError:
            return Unenrollment(removed_ids_by_model={}, revisions={})
        with self._write_transaction() as conn:
            rows = conn.execute(
                "SELECT e.model_id, e.id FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? ORDER BY e.id",
                (name,),
            ).fetchall()
            removed: dict[str, list[int]] = {}
            for model_id, embedding_id in rows:
                removed.setdefault(model_id, []).append(int(embedding_id))
            # Embeddings go with the person through ON DELETE CASCADE.
            conn.execute("DELETE FROM people WHERE name = ?", (name,))
            revisions = {model_id: self._bump_revision(conn, model_id) for model_id in removed}
        return Unenrollment(
            removed_ids_by_model={model: tuple(ids) for model, ids in removed.items()},
            revisions=revisions,
        )

    def remove_person(self, name: str) -> int:
        """Delete a person; returns how many embeddings (all models) went with them."""
        return self.unenroll(name).removed_count

    # -- reads ---------------------------------------------------------------

    def has_source(self, model_id: str, sha256: str) -> bool:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM embeddings WHERE model_id = ? AND source_sha256 = ? LIMIT 1",
                (model_id, sha256),
            ).fetchone()
        return row is not None

    def people(self, model_id: str | None = None) -> list[PersonRecord]:
        """People with their embedding counts, sorted by name.

        With a model_id, only people enrolled for that model are listed and
        counts are for that model; with None, everyone, counting all models.
        """
        # "First enrolled" is the row with the smallest id rather than
        # MIN(enrolled_at): timestamps with different UTC offsets (DST) do not
        # sort chronologically as text, ids do.  SQLite takes the bare column
        # e.enrolled_at from the row that produced MIN(e.id).
        if model_id is None:
            query = (
                "SELECT p.id, p.name, COUNT(e.id), MIN(e.id), e.enrolled_at "
                "FROM people p LEFT JOIN embeddings e ON e.person_id = p.id "
                "GROUP BY p.id"
            )
            params: tuple[str, ...] = ()
        else:
            query = (
                "SELECT p.id, p.name, COUNT(e.id), MIN(e.id), e.enrolled_at "
                "FROM people p JOIN embeddings e ON e.person_id = p.id "
                "WHERE e.model_id = ? GROUP BY p.id"
            )
            params = (model_id,)
        with self._connection() as conn:
            rows = conn.execute(query, params).fetchall()
        records = [
            PersonRecord(name=name, embedding_count=int(count), first_enrolled_at=first_at, id=int(pid))
            for pid, name, count, _first_id, first_at in rows
        ]
        records.sort(key=lambda record: (record.name.casefold(), record.name))
        return records

    def first_source(self, name: str) -> str | None:
        """The source_path of the person's earliest embedding that has one (any model), or None.

        The desktop app makes a thumbnail from it for people enrolled with the CLI.
        """
        try:
            name = normalize_person_name(name)
        except ValueError:
            return None
        with self._connection() as conn:
            row = conn.execute(
                "SELECT e.source_path FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? AND e.source_path IS NOT NULL ORDER BY e.id LIMIT 1",
                (name,),
            ).fetchone()
        return None if row is None else str(row[0])

    def load_embeddings(self, model_id: str, after_id: int = 0) -> tuple[np.ndarray, list[str], np.ndarray]:
        """The embeddings of a model with an id above ``after_id`` (all by default), ordered by id.

        Returns (ids int64 (N,), names, vectors float32 (N, D)); with no
        embeddings the vectors array has shape (0, 0) since D is unknown.
        """
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.id, p.name, e.dim, e.vector FROM embeddings e "
                "JOIN people p ON p.id = e.person_id WHERE e.model_id = ? AND e.id > ? ORDER BY e.id",
                (model_id, after_id),
            ).fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        names = [row[1] for row in rows]
        if not rows:
            return ids, names, np.empty((0, 0), dtype=np.float32)
        dims = {row[2] for row in rows}
        if len(dims) != 1:
            raise ValueError(f"model {model_id!r} has embeddings of mixed dimensions {sorted(dims)}")
        dim = dims.pop()
        flat = np.frombuffer(b"".join(row[3] for row in rows), dtype=VECTOR_DTYPE)
        vectors = flat.reshape(len(rows), dim).astype(np.float32)  # native order, writable copy
        return ids, names, vectors

    def embedding_names(self, model_id: str) -> dict[int, str]:
        """{embedding id: person name} for a model, without loading vectors."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.id, p.name FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE e.model_id = ?",
                (model_id,),
            ).fetchall()
        return {int(embedding_id): name for embedding_id, name in rows}

    def embedding_dim(self, model_id: str) -> int | None:
        """Dimension of the model's stored embeddings, None if it has none."""
        dim = self._scalar("SELECT dim FROM embeddings WHERE model_id = ? LIMIT 1", (model_id,))
        return None if dim is None else int(dim)

    def embedding_count(self, model_id: str) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM embeddings WHERE model_id = ?", (model_id,)))

    def max_embedding_id(self, model_id: str) -> int:
        """Largest embedding id of the model; 0 when it has none (ids start at 1)."""
        return int(self._scalar("SELECT COALESCE(MAX(id), 0) FROM embeddings WHERE model_id = ?", (model_id,)))

    def revision(self, model_id: str) -> int:
        """Counter bumped by every write touching the model; 0 if never written."""
        return int(self._scalar("SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,), 0))

    def state(self, model_id: str) -> tuple[int, int]:
        """(revision, embedding count) of a model, read from one snapshot."""
        with self._read_transaction() as conn:
            revision_row = conn.execute(
                "SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,)
            ).fetchone()
            count_row = conn.execute(
                "SELECT COUNT(*) FROM embeddings WHERE model_id = ?", (model_id,)
            ).fetchone()
        return (0 if revision_row is None else int(revision_row[0])), int(count_row[0])

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> FaceDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
