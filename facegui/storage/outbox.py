"""A station's local queue of attendance writes that the database server has not taken yet.

While the PostgreSQL server cannot be reached, each :meth:`AttendanceStore.record`
batch (check-ins, sightings, unknown faces) is kept here, in a small SQLite
file in the data folder, and written to the server in order when it returns.
Every batch and every event carries a UUID made when it happened, and the
server remembers the batch UUIDs it has applied, so a batch written to the
server whose removal from here never happened (the station killed in
between) is skipped the next time: nothing lost, nothing counted twice.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..files import make_private_dir, make_private_file
from .backend import StorageError

OUTBOX_FILE_NAME = "outbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    uid        TEXT UNIQUE NOT NULL,
    checkins   INTEGER NOT NULL,
    payload    TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class QueuedEvent:
    uid: str
    name: str
    at: datetime
    source: str
    similarity: float
    snapshot: str | None
    not_since: datetime | None


@dataclass(frozen=True)
class QueuedUnknown:
    uid: str
    at: datetime
    source: str
    similarity: float
    model_id: str
    embedding: np.ndarray
    snapshot: str | None


@dataclass(frozen=True)
class Batch:
    """One record() call: written to the database in one transaction, exactly once."""

    uid: str
    station: str
    events: tuple[QueuedEvent, ...]
    sightings: tuple[tuple[str, datetime], ...]
    unknowns: tuple[QueuedUnknown, ...]

    def to_json(self) -> str:
        return json.dumps({
            "uid": self.uid, "station": self.station,
            "events": [{"uid": e.uid, "name": e.name, "at": e.at.isoformat(), "source": e.source,
                        "similarity": e.similarity, "snapshot": e.snapshot,
                        "not_since": e.not_since.isoformat() if e.not_since else None} for e in self.events],
            "sightings": [[name, at.isoformat()] for name, at in self.sightings],
            "unknowns": [{"uid": u.uid, "at": u.at.isoformat(), "source": u.source, "similarity": u.similarity,
                          "model_id": u.model_id, "snapshot": u.snapshot,
                          "embedding": base64.b64encode(np.asarray(u.embedding, "<f4").tobytes()).decode()}
                         for u in self.unknowns],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Batch:
        data: dict[str, Any] = json.loads(text)
        when = datetime.fromisoformat
        return cls(
            uid=data["uid"], station=data["station"],
            events=tuple(QueuedEvent(e["uid"], e["name"], when(e["at"]), e["source"], e["similarity"], e["snapshot"],
                                     when(e["not_since"]) if e["not_since"] else None) for e in data["events"]),
            sightings=tuple((name, when(at)) for name, at in data["sightings"]),
            unknowns=tuple(QueuedUnknown(u["uid"], when(u["at"]), u["source"], u["similarity"], u["model_id"],
                                         np.frombuffer(base64.b64decode(u["embedding"]), "<f4").astype(np.float32),
                                         u["snapshot"]) for u in data["unknowns"]),
        )


class Outbox:
    """Batches waiting for the server, oldest first; thread-safe, safe against being killed."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / OUTBOX_FILE_NAME
        self._lock = threading.Lock()
        try:
            # Created private before SQLite opens it: it holds names and embeddings.
            make_private_dir(self.path.parent)
            make_private_file(self.path)
            self._conn = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a check-in acknowledged to the camera survives a power cut, not just a crash.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute(_SCHEMA)
            self._count_cache = self._count()
        except (OSError, sqlite3.Error) as error:
            raise StorageError(f"cannot open the offline queue {self.path}: {error}") from error

    def _count(self) -> tuple[int, int]:
        row = self._conn.execute("SELECT COUNT(*), COALESCE(SUM(checkins), 0) FROM batches").fetchone()
        return int(row[0]), int(row[1])

    def put(self, batch: Batch) -> None:
        with self._lock:
            try:
                self._conn.execute("INSERT INTO batches (uid, checkins, payload) VALUES (?, ?, ?) "
                                   "ON CONFLICT (uid) DO NOTHING", (batch.uid, len(batch.events), batch.to_json()))
                self._count_cache = self._count()
            except sqlite3.Error as error:
                raise StorageError(f"cannot queue attendance in {self.path}: {error}") from error

    def oldest(self) -> Batch | None:
        with self._lock:
            row = self._conn.execute("SELECT payload FROM batches ORDER BY seq LIMIT 1").fetchone()
        return None if row is None else Batch.from_json(row[0])

    def remove(self, uid: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM batches WHERE uid = ?", (uid,))
            self._count_cache = self._count()

    def waiting(self) -> tuple[int, int]:
        """(batches, check-ins) waiting for the server; no disk access."""
        return self._count_cache

    def snapshot_paths(self) -> set[str]:
        """Snapshot files the queued batches refer to (must not be swept as orphans)."""
        with self._lock:
            payloads = [row[0] for row in self._conn.execute("SELECT payload FROM batches")]
        paths: set[str] = set()
        for payload in payloads:
            batch = Batch.from_json(payload)
            paths.update(e.snapshot for e in batch.events if e.snapshot)
            paths.update(u.snapshot for u in batch.unknowns if u.snapshot)
        return paths

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def read_outbox(data_dir: Path) -> list[Batch]:
    """The batches waiting in ``data_dir``'s offline queue, oldest first, read without creating or
    changing anything (an export must not touch what a running station is about to flush)."""
    path = Path(data_dir) / OUTBOX_FILE_NAME
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
        try:
            rows = conn.execute("SELECT payload FROM batches ORDER BY seq").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StorageError(f"cannot read the offline queue {path}: {error}") from error
    return [Batch.from_json(row[0]) for row in rows]
