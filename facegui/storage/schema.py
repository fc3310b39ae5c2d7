"""The database schema of both backends, as numbered migrations.

Opening a database runs, in one transaction, every step above the version it
records (SQLite: ``PRAGMA user_version``; PostgreSQL: the ``facegui_schema``
table), so an older database is upgraded in place and a crash mid-migration
leaves the previous version intact.  A database whose version is above
:data:`SCHEMA_VERSION` was written by a newer facegui and is refused.

SQLite databases exist from version 1 on; PostgreSQL support starts at
version 3, so its first step creates everything at once.  A future change
adds one step to each list.
"""

from __future__ import annotations

from .backend import Backend, SchemaVersionError

SCHEMA_VERSION = 4

# AUTOINCREMENT (unlike a bare INTEGER PRIMARY KEY) never reuses the id of a
# deleted row: ids stay valid references in attendance logs and faiss indexes.
_SQLITE_V1 = """
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
_SQLITE_V2 = """
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

# Several stations, one database.
# * embedding_changes: which embeddings each revision of a model added (1) or
#   removed (0), so a station's index catches up by reading only what changed.
#   model_revisions.changes_from is the revision the log starts after: older
#   indexes (saved before the log existed) are rebuilt once.
# * uid: every event carries a UUID made where it happened, so a station that
#   retries after a lost connection or a crash cannot write it twice.
# * station: the name of the station that recorded it.
# * applied_batches: the UUIDs of record() batches already written, which makes
#   the sighting counters (increments, not rows) safe to retry too.
_SQLITE_V3 = """
CREATE TABLE embedding_changes (
    model_id      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    embedding_id  INTEGER NOT NULL,
    added         INTEGER NOT NULL CHECK (added IN (0, 1))
);
CREATE INDEX embedding_changes_by_revision ON embedding_changes(model_id, revision);
ALTER TABLE model_revisions ADD COLUMN changes_from INTEGER NOT NULL DEFAULT 0;
UPDATE model_revisions SET changes_from = revision;
ALTER TABLE attendance_events ADD COLUMN uid TEXT;
ALTER TABLE attendance_events ADD COLUMN station TEXT NOT NULL DEFAULT '';
UPDATE attendance_events SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX attendance_events_by_uid ON attendance_events(uid);
ALTER TABLE unknown_faces ADD COLUMN uid TEXT;
ALTER TABLE unknown_faces ADD COLUMN station TEXT NOT NULL DEFAULT '';
UPDATE unknown_faces SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX unknown_faces_by_uid ON unknown_faces(uid);
CREATE TABLE applied_batches (
    uid         TEXT PRIMARY KEY,
    applied_at  REAL NOT NULL
);
CREATE INDEX applied_batches_by_time ON applied_batches(applied_at);
"""

# The same tables as SQLite's versions 1-3 in PostgreSQL's types.  Identity
# columns, like AUTOINCREMENT, never hand out an id twice.
_POSTGRES_V3 = """
CREATE TABLE people (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name        TEXT UNIQUE NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE embeddings (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person_id      BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    model_id       TEXT NOT NULL,
    dim            INTEGER NOT NULL CHECK (dim > 0),
    vector         BYTEA NOT NULL CHECK (octet_length(vector) = 4 * dim),
    source_path    TEXT,
    source_sha256  TEXT,
    enrolled_at    TEXT NOT NULL,
    UNIQUE (model_id, source_sha256, person_id)
);
CREATE INDEX embeddings_by_person ON embeddings(person_id);
CREATE INDEX embeddings_by_model ON embeddings(model_id, id);
CREATE TABLE model_revisions (
    model_id      TEXT PRIMARY KEY,
    revision      BIGINT NOT NULL,
    changes_from  BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE embedding_changes (
    model_id      TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    embedding_id  BIGINT NOT NULL,
    added         SMALLINT NOT NULL CHECK (added IN (0, 1))
);
CREATE INDEX embedding_changes_by_revision ON embedding_changes(model_id, revision);
CREATE TABLE attendance_events (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    at          TEXT NOT NULL,
    at_utc      DOUBLE PRECISION NOT NULL,
    source      TEXT NOT NULL,
    similarity  DOUBLE PRECISION NOT NULL,
    snapshot    TEXT,
    uid         TEXT UNIQUE,
    station     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attendance_events_by_person ON attendance_events(person_id, at_utc);
CREATE INDEX attendance_events_by_day ON attendance_events(day);
CREATE TABLE attendance_sightings (
    person_id  BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (person_id, day)
);
CREATE INDEX attendance_sightings_by_day ON attendance_sightings(day);
CREATE TABLE unknown_faces (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    day         TEXT NOT NULL,
    at          TEXT NOT NULL,
    at_utc      DOUBLE PRECISION NOT NULL,
    source      TEXT NOT NULL,
    similarity  DOUBLE PRECISION NOT NULL,
    model_id    TEXT NOT NULL,
    dim         INTEGER NOT NULL CHECK (dim > 0),
    vector      BYTEA NOT NULL CHECK (octet_length(vector) = 4 * dim),
    snapshot    TEXT,
    uid         TEXT UNIQUE,
    station     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unknown_faces_by_day ON unknown_faces(day);
CREATE TABLE applied_batches (
    uid         TEXT PRIMARY KEY,
    applied_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX applied_batches_by_time ON applied_batches(applied_at);
-- The admin PIN of every station (storage/admin_store.py); in SQLite files it lives outside the schema.
CREATE TABLE admin_pin (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    secret        TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until  DOUBLE PRECISION NOT NULL DEFAULT 0
);
"""

# Last seen: the time of a person's latest sighting of the day, so "last seen" moves while someone stays
# in view instead of waiting for the next check-in a cool-down later.
_SQLITE_V4 = """
ALTER TABLE attendance_sightings ADD COLUMN last_at TEXT;
ALTER TABLE attendance_sightings ADD COLUMN last_at_utc REAL;
"""
_POSTGRES_V4 = """
ALTER TABLE attendance_sightings ADD COLUMN last_at TEXT, ADD COLUMN last_at_utc DOUBLE PRECISION;
"""

MIGRATIONS: dict[str, dict[int, str]] = {
    "sqlite": {1: _SQLITE_V1, 2: _SQLITE_V2, 3: _SQLITE_V3, 4: _SQLITE_V4},
    "postgresql": {3: _POSTGRES_V3, 4: _POSTGRES_V4},
}

# Any constant: two stations opening a fresh server at once take turns creating the schema.
_POSTGRES_MIGRATION_LOCK = 0x66616365  # "face"


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def _stored_version(db: Backend) -> int:
    if db.dialect == "sqlite":
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    # A catalog table scan, not to_regclass(): that consults a per-connection cache which may not
    # have seen the schema another station created while we waited for the migration lock.
    if db.execute("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                  "AND tablename = 'facegui_schema'").fetchone() is None:
        return 0
    row = db.execute("SELECT version FROM facegui_schema").fetchone()
    return 0 if row is None else int(row[0])


def _store_version(db: Backend, version: int) -> None:
    if db.dialect == "sqlite":
        db.execute(f"PRAGMA user_version = {int(version)}")
        return
    db.execute("CREATE TABLE IF NOT EXISTS facegui_schema (version INTEGER NOT NULL)")
    db.execute("DELETE FROM facegui_schema")
    db.execute("INSERT INTO facegui_schema (version) VALUES (?)", (version,))


def migrate(db: Backend) -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; returns the version it had."""
    # Check first without a write transaction: a station's role may read but not create tables.
    with db.read_transaction():
        version = _stored_version(db)
    _refuse_newer(db, version)
    if version == SCHEMA_VERSION:
        return version
    with db.write_transaction():
        if db.dialect == "postgresql":
            db.execute("SELECT pg_advisory_xact_lock(?)", (_POSTGRES_MIGRATION_LOCK,))
        # Read again inside the write lock: two processes opening a fresh
        # database at once must not both create the schema.
        version = _stored_version(db)
        _refuse_newer(db, version)
        for step_version, script in sorted(MIGRATIONS[db.dialect].items()):
            if version < step_version:
                for statement in _statements(script):
                    db.execute(statement)
        if version != SCHEMA_VERSION:
            _store_version(db, SCHEMA_VERSION)
    return version


def _refuse_newer(db: Backend, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{db.description} has schema version {version}; this facegui "
            f"understands up to {SCHEMA_VERSION}. Upgrade facegui."
        )
