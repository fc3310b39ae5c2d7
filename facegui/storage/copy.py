"""Copy every row of one facegui database into another, empty one (SQLite → PostgreSQL and back).

Ids are kept, so attendance rows still point at their people and a station's
index cache stays meaningful.  The copy is one transaction on the target,
verified before it commits: equal row counts in every table, and equal
checksums of every embedding (id, model, vector bytes) on both sides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .backend import Backend, StorageError
from .admin_store import copy_pin_record
from .database import FaceDatabase

# Parents before children (foreign keys); each with the column that orders it.
COPIED_TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("people", ("id", "name", "created_at"), "id"),
    ("embeddings", ("id", "person_id", "model_id", "dim", "vector", "source_path", "source_sha256",
                    "enrolled_at"), "id"),
    ("model_revisions", ("model_id", "revision", "changes_from"), "model_id"),
    ("embedding_changes", ("model_id", "revision", "embedding_id", "added"), "model_id, revision, embedding_id"),
    ("attendance_events", ("id", "person_id", "day", "at", "at_utc", "source", "similarity", "snapshot", "uid",
                           "station"), "id"),
    ("attendance_sightings", ("person_id", "day", "count"), "person_id, day"),
    ("unknown_faces", ("id", "day", "at", "at_utc", "source", "similarity", "model_id", "dim", "vector",
                       "snapshot", "uid", "station"), "id"),
    ("applied_batches", ("uid", "applied_at"), "uid"),
)
_IDENTITY_TABLES = ("people", "embeddings", "attendance_events", "unknown_faces")
_CHUNK_ROWS = 2000


class CopyError(StorageError):
    """The target is not empty, or the copy did not verify (nothing was written)."""


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]
    embedding_checksum: str
    admin_pin: bool = False
    """Whether an admin PIN was set, and copied along."""


def _checksum(conn: Backend) -> str:
    digest = hashlib.sha256()
    for embedding_id, model_id, vector in conn.execute("SELECT id, model_id, vector FROM embeddings ORDER BY id"):
        digest.update(f"{int(embedding_id)}:{model_id}:".encode())
        digest.update(bytes(vector))
    return digest.hexdigest()


def embedding_checksum(db: FaceDatabase) -> str:
    """SHA-256 over every embedding's id, model and float32 bytes, in id order."""
    with db._connection() as conn:
        return _checksum(conn)


def row_counts(db: FaceDatabase) -> dict[str, int]:
    with db._connection() as conn:
        return {table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table, _columns, _order in COPIED_TABLES}


def copy_database(source: FaceDatabase, target: FaceDatabase) -> CopyReport:
    """Copy ``source`` into the empty ``target``; raises CopyError (target unchanged) if it cannot."""
    expected = row_counts(source)
    occupied = {table: count for table, count in row_counts(target).items() if count}
    if occupied:
        raise CopyError(f"{target.description} is not empty ({', '.join(f'{n} {t}' for t, n in occupied.items())}); "
                        "copy only into a new, empty database")
    checksum = embedding_checksum(source)
    with target._write_transaction() as out:
        for table, columns, order in COPIED_TABLES:
            insert = (f"INSERT INTO {table} ({', '.join(columns)}) "
                      f"VALUES ({', '.join('?' for _ in columns)})")
            with source._read_transaction() as conn:
                rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")]
            for start in range(0, len(rows), _CHUNK_ROWS):
                out.executemany(insert, rows[start:start + _CHUNK_ROWS])
        if out.dialect == "postgresql":
            # Explicit ids do not move identity sequences: the next enrollment must not reuse an id.
            for table in _IDENTITY_TABLES:
                out.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        copied = {table: int(out.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                  for table, _columns, _order in COPIED_TABLES}
        copied_checksum = _checksum(out)
        if copied != expected or copied_checksum != checksum:
            # Raising inside the transaction rolls the whole copy back.
            raise CopyError(f"the copy did not verify (rows {copied} vs {expected}, embedding checksum "
                            f"{copied_checksum[:16]} vs {checksum[:16]}); nothing was written")
    return CopyReport(expected, checksum, copy_pin_record(source, target))
