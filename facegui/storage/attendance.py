"""Attendance records in the face database: check-in events, sightings, unknown faces.

Three tables (schema v2, see ``database``):

* ``attendance_events`` — one row per *check-in*: person, local time with UTC
  offset, camera source, similarity, optional snapshot.  Whoever writes decides
  when a check-in happens (the service's N-of-M vote and cool-down); the store
  only refuses a check-in that falls inside the cool-down of one already stored
  for the same person and day, checked inside the write transaction so two
  writers (two cameras, two processes) cannot both check the same person in.
* ``attendance_sightings`` — a per person, per day counter of *sightings*.
  What one sighting is, is the writer's choice (the service counts seconds of
  confirmed presence); the store only adds them up, and keeps the latest
  sighting's time.
* ``unknown_faces`` — faces nobody matched, with their embedding (and the model
  that made it) so that one can be enrolled later without the photo.

First-seen of a person on a day is the first check-in event of that day;
last-seen is the later of the last check-in and the last sighting (kept with
the sighting counter), so it moves while someone stays in view.  Snapshots are small JPEG files under
``snapshots/YYYY-MM-DD/`` beside the database; rows hold their relative path.
A snapshot file is written before its row is committed, so a committed row's
file always exists; a file whose row never got committed (crash in between) is
an orphan that :meth:`AttendanceStore.purge` deletes once it is an hour old.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..files import make_private_dir
from .backend import Backend, DatabaseUnavailable, StorageError
from .database import VECTOR_DTYPE, FaceDatabase, _vector_to_blob, normalize_person_name
from .database import DATABASE_FILE_NAME
from .outbox import Batch, Outbox, QueuedEvent, QueuedUnknown

log = logging.getLogger(__name__)

SNAPSHOT_DIR_NAME = "snapshots"
_CHECKIN_TURNS = 0x63686B  # "chk": the topic of Backend.take_turns for one person's check-ins
DEFAULT_RETRY_INTERVAL_S = 2.0
"""How often a station whose server is away tries again to write what it queued."""
ORPHAN_GRACE_SECONDS = 3600.0
_REPORT_BLOCK_DAYS = 31
"""The attendance report reads the database a month at a time, so a long range streams."""
"""A snapshot file without a row is left alone this long: its row may be about to be committed."""


@dataclass(frozen=True)
class AttendanceEvent:
    """One check-in."""

    id: int
    name: str
    at: datetime
    """Aware local time (with the UTC offset it was recorded with)."""
    source: str
    similarity: float
    snapshot: Path | None
    """Absolute path of the JPEG of the aligned face, or None."""
    station: str = ""
    """The station that recorded it (setting ``station_name``)."""
    uid: str = ""
    """Unique id made where it happened: a retried write of the same check-in is a no-op."""


@dataclass(frozen=True)
class UnknownFace:
    """A face nobody matched, kept for review."""

    id: int
    at: datetime
    source: str
    similarity: float
    """Its best similarity to the gallery at the time (below the threshold)."""
    model_id: str
    embedding: np.ndarray
    snapshot: Path | None
    station: str = ""
    uid: str = ""


@dataclass(frozen=True)
class DayRecord:
    """One person on one day: the row of a roster, a report and the CSV export."""

    day: date
    name: str
    present: bool
    first_seen: datetime | None
    last_seen: datetime | None
    sightings: int
    events: int

    @property
    def status(self) -> str:
        return "present" if self.present else "absent"


@dataclass(frozen=True)
class NewEvent:
    """A check-in to write; refused if the person already has one at or after ``not_since``."""

    name: str
    at: datetime
    source: str
    similarity: float
    snapshot_jpeg: bytes | None = None
    not_since: datetime | None = None
    """Cool-down: skip this check-in if the person has one on the same day at or after this time."""
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class NewUnknown:
    at: datetime
    source: str
    similarity: float
    model_id: str
    embedding: np.ndarray
    snapshot_jpeg: bytes | None = None
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class PurgeResult:
    events: int
    sightings: int
    unknown_faces: int
    files: int


def local_time(moment: datetime | None = None) -> datetime:
    """``moment`` (naive = local) as an aware local time; now when None."""
    return (moment or datetime.now()).astimezone()


def _day_text(moment: datetime) -> str:
    return moment.date().isoformat()


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _latest(event: datetime, sighting: datetime | None) -> datetime:
    return event if sighting is None or sighting <= event else sighting


class AttendanceHistory(FaceDatabase):
    """Reading the attendance tables: check-ins, day records, unknown faces (AttendanceStore writes them)."""

    snapshot_dir: Path

    def _absolute(self, relative: str | None) -> Path | None:
        """The snapshot file a stored path names, or None when there is none or it is not confined.

        A database row is not trusted to name a file: ``../../victim.txt``, an absolute path or a
        symbolic link out of the snapshot folder is refused, so no read or delete can reach outside.
        """
        if not relative:
            return None
        root = self.snapshot_dir.resolve()
        try:
            resolved = (root / relative).resolve()
        except (OSError, RuntimeError, ValueError):
            resolved = None
        if resolved is None or resolved == root or not resolved.is_relative_to(root):
            log.warning("Ignored snapshot path %r stored in %s: not inside %s", relative, self.description, root)
            return None
        return resolved

    def snapshot_files_of(self, name: str) -> list[Path]:
        """Snapshot files of a person's check-ins (to delete after removing the person)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.snapshot FROM attendance_events e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? AND e.snapshot IS NOT NULL",
                (normalize_person_name(name),),
            ).fetchall()
        return [path for path in (self._absolute(row[0]) for row in rows) if path is not None]

    def last_event_at(self, name: str) -> datetime | None:
        """The person's latest check-in at any station; None if none, or if the server is away."""
        if not self.online:
            return None  # the recorder's own memory keeps the cool-down while offline
        try:
            with self._connection() as conn:
                row = conn.execute(
                    "SELECT e.at FROM attendance_events e JOIN people p ON p.id = e.person_id "
                    "WHERE p.name = ? ORDER BY e.at_utc DESC LIMIT 1",
                    (normalize_person_name(name),),
                ).fetchone()
        except DatabaseUnavailable:
            return None
        return None if row is None else _parse_time(row[0])

    def events(self, start: date, end: date, name: str | None = None) -> list[AttendanceEvent]:
        """Check-ins of local days ``start``..``end`` (inclusive), oldest first, of everyone or one person."""
        query = (
            "SELECT e.id, p.name, e.at, e.source, e.similarity, e.snapshot, e.station, e.uid "
            "FROM attendance_events e "
            "JOIN people p ON p.id = e.person_id WHERE e.day BETWEEN ? AND ?"
        )
        params: list = [start.isoformat(), end.isoformat()]
        if name is not None:
            query += " AND p.name = ?"
            params.append(normalize_person_name(name))
        with self._connection() as conn:
            rows = conn.execute(query + " ORDER BY e.at_utc, e.id", params).fetchall()
        return [AttendanceEvent(int(i), n, _parse_time(at), source, float(sim), self._absolute(snap), station, uid or "")
                for i, n, at, source, sim, snap, station, uid in rows]

    def days(self, start: date, end: date) -> list[DayRecord]:
        """One record per enrolled person per day of ``start``..``end``, by day then name.

        A person is listed from the day they were enrolled on; present when
        they have a check-in that day.
        """
        return list(self.iter_days(start, end))

    def iter_days(self, start: date, end: date) -> Iterator[DayRecord]:
        """:meth:`days` one record at a time, reading the database a block of days at a time, so
        memory stays bounded however long the range. Days before anyone was enrolled are skipped
        without a loop over them (``--from 0001-01-01`` costs nothing)."""
        with self._connection() as conn:
            people = conn.execute("SELECT id, name, substr(created_at, 1, 10) FROM people").fetchall()
        if not people or end < start:
            return
        people.sort(key=lambda row: (row[1].casefold(), row[1]))
        first_enrolled = min(date.fromisoformat(row[2]) for row in people)
        block_start = max(start, first_enrolled)
        while block_start <= end:
            block_end = end if (end - block_start).days < _REPORT_BLOCK_DAYS else block_start + timedelta(
                days=_REPORT_BLOCK_DAYS - 1)
            yield from self._days_block(people, block_start, block_end)
            if block_end >= date.max:
                break
            block_start = block_end + timedelta(days=1)

    def _days_block(self, people: list, start: date, end: date) -> Iterator[DayRecord]:
        with self._read_transaction() as conn:
            event_rows = conn.execute(
                "SELECT person_id, day, at FROM attendance_events WHERE day BETWEEN ? AND ? "
                "ORDER BY at_utc, id",
                (start.isoformat(), end.isoformat()),
            ).fetchall()
            sighting_rows = conn.execute(
                "SELECT person_id, day, count, last_at FROM attendance_sightings WHERE day BETWEEN ? AND ?",
                (start.isoformat(), end.isoformat()),
            ).fetchall()
        seen: dict[tuple[int, str], list[str]] = {}
        for person_id, day_text, at in event_rows:
            seen.setdefault((person_id, day_text), []).append(at)
        counts = {(person_id, day_text): int(count) for person_id, day_text, count, _ in sighting_rows}
        last_sighting = {(person_id, day_text): _parse_time(at) for person_id, day_text, _, at in sighting_rows if at}
        day = start
        while True:
            text = day.isoformat()
            for person_id, name, enrolled_day in people:
                times = seen.get((person_id, text))
                if not times and enrolled_day > text:
                    continue  # not enrolled yet
                yield DayRecord(
                    day=day, name=name, present=bool(times),
                    first_seen=_parse_time(times[0]) if times else None,
                    last_seen=_latest(_parse_time(times[-1]), last_sighting.get((person_id, text))) if times else None,
                    sightings=counts.get((person_id, text), 0),
                    events=len(times or ()),
                )
            if day >= end:
                break
            day += timedelta(days=1)

    def unknown_faces(self, start: date | None = None, end: date | None = None) -> list[UnknownFace]:
        """Unknown faces, newest first (all, or of local days ``start``..``end``)."""
        query = "SELECT id, at, source, similarity, model_id, vector, snapshot, station, uid FROM unknown_faces"
        params: tuple = ()
        if start is not None or end is not None:
            query += " WHERE day BETWEEN ? AND ?"
            params = ((start or date.min).isoformat(), (end or date.max).isoformat())
        with self._connection() as conn:
            rows = conn.execute(query + " ORDER BY at_utc DESC, id DESC", params).fetchall()
        return [self._unknown_from_row(row) for row in rows]

    def unknown_face(self, unknown_id: int) -> UnknownFace | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, at, source, similarity, model_id, vector, snapshot, station, uid FROM unknown_faces "
                "WHERE id = ?",
                (int(unknown_id),),
            ).fetchone()
        return None if row is None else self._unknown_from_row(row)

    def _unknown_from_row(self, row: Sequence[Any]) -> UnknownFace:
        unknown_id, at, source, similarity, model_id, blob, snapshot, station, uid = row
        return UnknownFace(int(unknown_id), _parse_time(at), source, float(similarity), model_id,
                           np.frombuffer(bytes(blob), dtype=VECTOR_DTYPE).astype(np.float32),
                           self._absolute(snapshot), station, uid or "")


class AttendanceStore(AttendanceHistory):
    """The attendance tables (of ``facegui.sqlite3`` in ``data_dir``, or of the shared database at
    ``database_url``), the snapshot files in ``data_dir``, and with a shared database the outbox.

    Thread-safe (one locked connection, as :class:`FaceDatabase`); other
    processes and stations may write the same database concurrently.
    """

    def __init__(self, data_dir: Path, database_url: str = "", station: str = "",
                 retry_interval_s: float = DEFAULT_RETRY_INTERVAL_S) -> None:
        self.data_dir = Path(data_dir)
        self.snapshot_dir = self.data_dir / SNAPSHOT_DIR_NAME
        self.station = station
        self.retry_interval_s = retry_interval_s
        # A station starts even with its server away: it records into the outbox meanwhile.
        super().__init__(database_url or self.data_dir / DATABASE_FILE_NAME, start_offline=True)
        self._flush_lock = threading.Lock()
        self._flush_wanted = threading.Event()
        self._closing = threading.Event()
        self._outbox: Outbox | None = None
        self._flusher: threading.Thread | None = None
        if self.remote:
            try:
                self._outbox = Outbox(self.data_dir)
            except BaseException:
                super().close()
                raise
            self._flusher = threading.Thread(target=self._flush_in_background, daemon=True,
                                             name="attendance outbox flush")
            self._flusher.start()
            if not self.online:
                log.warning("Check-ins wait in this station's outbox until %s answers (%s)", self.description,
                            self.last_error)

    def close(self) -> None:
        self._closing.set()
        self._flush_wanted.set()
        if self._flusher is not None:
            self._flusher.join()
        if self._outbox is not None:
            self._outbox.close()
        super().close()

    # -- snapshot files -------------------------------------------------------

    def _snapshot_if_room(self, at: datetime, kind: str, jpeg: bytes | None, lost: list[str]) -> str | None:
        """The snapshot written (its relative path), or None without one or when it cannot be written (the
        reason appended to ``lost``): a check-in is the record, its picture only evidence, so a snapshot
        folder that cannot take a file costs the picture, never the check-in, which needs only a row."""
        if not jpeg:
            return None
        try:
            return self._write_snapshot(at, kind, jpeg)
        except OSError as error:
            lost.append(f"{error.strerror or error}")
            return None

    def _say_lost_snapshots(self, lost: list[str]) -> None:
        if lost:
            log.warning("Recorded without %s: cannot write under %s (%s)",
                        "its snapshot" if len(lost) == 1 else f"{len(lost)} snapshots", self.snapshot_dir,
                        "; ".join(sorted(set(lost))))

    def _write_snapshot(self, at: datetime, kind: str, jpeg: bytes) -> str:
        """Write a new snapshot file; returns its path relative to the snapshot folder."""
        day = _day_text(at)
        relative = f"{day}/{at.strftime('%H%M%S')}-{kind}-{uuid.uuid4().hex[:12]}.jpg"
        target = self.snapshot_dir / relative
        for attempt in range(2):  # a concurrent purge may remove an empty day folder in between
            try:
                make_private_dir(self.snapshot_dir)
                make_private_dir(target.parent)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
                break
            except FileNotFoundError:
                if attempt:
                    raise
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(jpeg)
        except BaseException:
            self._delete_files([relative])
            raise
        return relative

    def _delete_files(self, relatives: Iterable[str | None]) -> int:
        return self._delete_paths(self._absolute(relative) for relative in relatives)

    def _delete_paths(self, paths: Iterable[Path | None]) -> int:
        deleted = 0
        for path in paths:
            if path is None:
                continue
            try:
                path.unlink()
                deleted += 1
            except FileNotFoundError:
                pass
            except OSError as error:
                log.warning("Could not delete snapshot %s: %s", path, error)
        return deleted

    # -- writes ---------------------------------------------------------------

    def record(
        self,
        events: Sequence[NewEvent] = (),
        sightings: Sequence[tuple[str, datetime]] = (),
        unknowns: Sequence[NewUnknown] = (),
    ) -> tuple[list[AttendanceEvent], list[UnknownFace]]:
        """Write check-ins, sightings (name, time: +1 on that day) and unknown faces in one transaction.

        Returns the events and unknown faces written.  An event is dropped
        (and its snapshot not kept) when its person is no longer enrolled or
        has a check-in on the same day at or after ``not_since``; a sighting
        of a person no longer enrolled is dropped too. A snapshot that cannot
        be written (a full disk) is left out, and its event recorded without it.

        With a database server that cannot be reached, the batch is queued
        locally instead and returned as written (with id 0); it reaches the
        server, exactly once, when the server is back.
        """
        lost: list[str] = []  # why a snapshot could not be written, said once the batch is recorded
        event_files = [self._snapshot_if_room(local_time(e.at), "checkin", e.snapshot_jpeg, lost) for e in events]
        unknown_files = [self._snapshot_if_room(local_time(u.at), "unknown", u.snapshot_jpeg, lost) for u in unknowns]

        batch = Batch(
            uid=str(uuid.uuid4()), station=self.station,
            events=tuple(QueuedEvent(e.uid, normalize_person_name(e.name), local_time(e.at), str(e.source),
                                     float(e.similarity), relative, e.not_since)
                         for e, relative in zip(events, event_files)),
            sightings=tuple((normalize_person_name(name), local_time(at)) for name, at in sightings),
            unknowns=tuple(QueuedUnknown(u.uid, local_time(u.at), str(u.source), float(u.similarity), u.model_id,
                                         np.frombuffer(_vector_to_blob(u.embedding)[0], VECTOR_DTYPE).astype(np.float32),
                                         relative)
                           for u, relative in zip(unknowns, unknown_files)),
        )
        if self._outbox is not None and (not self.online or self._outbox.waiting()[0]):
            # Behind what is already queued: the server gets every station's batches in order.
            written = self._queue(batch)
        else:
            try:
                written_events, written_unknowns, unused_files = self._apply(batch)
            except DatabaseUnavailable:
                if self._outbox is None:
                    self._delete_files(event_files + unknown_files)
                    raise
                # The commit may or may not have reached the server: the batch uid makes the retry safe.
                written = self._queue(batch)
            except BaseException:
                self._delete_files(event_files + unknown_files)
                raise
            else:
                self._delete_files(unused_files)
                written = (written_events, written_unknowns)
        self._say_lost_snapshots(lost)
        return written

    def _queue(self, batch: Batch) -> tuple[list[AttendanceEvent], list[UnknownFace]]:
        assert self._outbox is not None
        self._outbox.put(batch)
        self._flush_wanted.set()
        return ([AttendanceEvent(0, e.name, e.at.replace(microsecond=0), e.source, e.similarity,
                                 self._absolute(e.snapshot), batch.station, e.uid) for e in batch.events],
                [UnknownFace(0, u.at.replace(microsecond=0), u.source, u.similarity, u.model_id, u.embedding,
                             self._absolute(u.snapshot), batch.station, u.uid) for u in batch.unknowns])

    def _apply(self, batch: Batch) -> tuple[list[AttendanceEvent], list[UnknownFace], list[str | None]]:
        """Write one batch in one transaction; a batch already written (a retry) writes nothing."""
        written_events: list[AttendanceEvent] = []
        written_unknowns: list[UnknownFace] = []
        unused_files: list[str | None] = []
        with self._write_transaction() as conn:
            fresh = conn.execute("INSERT INTO applied_batches (uid, applied_at) VALUES (?, ?) "
                                 "ON CONFLICT (uid) DO NOTHING RETURNING uid", (batch.uid, time.time())).fetchone()
            if fresh is None:
                return [], [], []
            for event in batch.events:
                row = self._insert_event(conn, event, batch.station)
                if row is None:
                    unused_files.append(event.snapshot)
                else:
                    written_events.append(row)
            for name, at in batch.sightings:
                conn.execute(
                    "INSERT INTO attendance_sightings (person_id, day, count, last_at, last_at_utc) "
                    "SELECT id, ?, 1, ?, ? FROM people WHERE name = ? "
                    "ON CONFLICT (person_id, day) DO UPDATE SET count = attendance_sightings.count + 1, "
                    "last_at = CASE WHEN attendance_sightings.last_at_utc >= excluded.last_at_utc "
                    "THEN attendance_sightings.last_at ELSE excluded.last_at END, "
                    "last_at_utc = CASE WHEN attendance_sightings.last_at_utc >= excluded.last_at_utc "
                    "THEN attendance_sightings.last_at_utc ELSE excluded.last_at_utc END",
                    (_day_text(at), at.isoformat(timespec="seconds"), at.timestamp(), name),
                )
            for unknown in batch.unknowns:
                unknown_row = self._insert_unknown(conn, unknown, batch.station)
                if unknown_row is not None:
                    written_unknowns.append(unknown_row)
        return written_events, written_unknowns, unused_files

    def _insert_event(self, conn: Backend, event: QueuedEvent, station: str) -> AttendanceEvent | None:
        person = conn.execute("SELECT id FROM people WHERE name = ?", (event.name,)).fetchone()
        if person is None:
            return None
        # Check-ins of one person from several stations queue here, so the cool-down below sees
        # the other station's row: two doors, one check-in.
        conn.take_turns(_CHECKIN_TURNS, int(person[0]))
        day = _day_text(event.at)
        if event.not_since is not None:
            recent = conn.execute(
                "SELECT 1 FROM attendance_events WHERE person_id = ? AND day = ? AND at_utc >= ? LIMIT 1",
                (person[0], day, event.not_since.timestamp()),
            ).fetchone()
            if recent is not None:
                return None
        inserted = conn.execute(
            "INSERT INTO attendance_events (person_id, day, at, at_utc, source, similarity, snapshot, uid, station) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING RETURNING id",
            (person[0], day, event.at.isoformat(timespec="seconds"), event.at.timestamp(),
             event.source, event.similarity, event.snapshot, event.uid, station),
        ).fetchone()
        if inserted is None:
            return None
        return AttendanceEvent(int(inserted[0]), event.name, event.at.replace(microsecond=0), event.source,
                               event.similarity, self._absolute(event.snapshot), station, event.uid)

    def _insert_unknown(self, conn: Backend, unknown: QueuedUnknown, station: str) -> UnknownFace | None:
        blob, dim = _vector_to_blob(unknown.embedding)
        at = unknown.at
        inserted = conn.execute(
            "INSERT INTO unknown_faces (day, at, at_utc, source, similarity, model_id, dim, vector, snapshot, "
            "uid, station) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING RETURNING id",
            (_day_text(at), at.isoformat(timespec="seconds"), at.timestamp(), unknown.source, unknown.similarity,
             unknown.model_id, dim, blob, unknown.snapshot, unknown.uid, station),
        ).fetchone()
        if inserted is None:
            return None
        return UnknownFace(int(inserted[0]), at.replace(microsecond=0), unknown.source, unknown.similarity,
                           unknown.model_id, np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32),
                           self._absolute(unknown.snapshot), station, unknown.uid)

    # -- the offline queue ----------------------------------------------------

    def flush_outbox(self) -> int:
        """Write queued batches to the server, oldest first; returns how many were flushed.

        Stops at the first batch the server cannot take now (DatabaseUnavailable
        propagates); a batch is removed from the queue only after its commit.
        """
        if self._outbox is None:
            return 0
        flushed = 0
        with self._flush_lock:
            while (batch := self._outbox.oldest()) is not None:
                _events, _unknowns, unused_files = self._apply(batch)
                self._outbox.remove(batch.uid)
                self._delete_files(unused_files)
                flushed += 1
        return flushed

    def waiting(self) -> tuple[int, int]:
        """(batches, check-ins) queued for the server; (0, 0) with SQLite."""
        return (0, 0) if self._outbox is None else self._outbox.waiting()

    def _flush_in_background(self) -> None:
        reported: str | None = None  # a batch the server refuses is retried, but said once
        while not self._closing.is_set():
            self._flush_wanted.wait(self.retry_interval_s)
            self._flush_wanted.clear()
            if self._closing.is_set():
                return
            if self.online and not self.waiting()[0]:
                continue
            try:
                if not self.online:
                    self._scalar("SELECT 1", ())  # is it back?
                flushed = self.flush_outbox()
                if flushed:
                    log.info("Wrote %d queued attendance batches to %s", flushed, self.description)
            except DatabaseUnavailable:
                pass  # still away; the state is in self.online
            except StorageError as error:
                if str(error) != reported:
                    log.warning("Queued attendance cannot be written yet (kept, retried): %s", error)
                    reported = str(error)

    def delete_unknown(self, unknown_id: int) -> bool:
        """Forget an unknown face and its snapshot; False if there was no such record."""
        with self._write_transaction() as conn:
            row = conn.execute("SELECT snapshot FROM unknown_faces WHERE id = ?", (int(unknown_id),)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM unknown_faces WHERE id = ?", (int(unknown_id),))
        self._delete_files([row[0]])
        return True

    def delete_snapshot_files(self, paths: Iterable[Path]) -> int:
        """Delete files returned by :meth:`snapshot_files_of`; anything outside the snapshot folder is left alone."""
        root = self.snapshot_dir.resolve()
        return self._delete_paths(path for path in (Path(p).resolve() for p in paths) if path.is_relative_to(root))

    def purge(self, before: date, now: float | None = None) -> PurgeResult:
        """Delete rows and snapshots of days before ``before``, and old orphan snapshot files."""
        cutoff = before.isoformat()
        with self._write_transaction() as conn:
            files = [row[0] for row in conn.execute(
                "SELECT snapshot FROM attendance_events WHERE day < ? AND snapshot IS NOT NULL "
                "UNION ALL SELECT snapshot FROM unknown_faces WHERE day < ? AND snapshot IS NOT NULL",
                (cutoff, cutoff))]
            events = conn.execute("DELETE FROM attendance_events WHERE day < ?", (cutoff,)).rowcount
            sightings = conn.execute("DELETE FROM attendance_sightings WHERE day < ?", (cutoff,)).rowcount
            unknowns = conn.execute("DELETE FROM unknown_faces WHERE day < ?", (cutoff,)).rowcount
            # A retried batch older than the retention would be purged at once anyway.
            horizon = datetime.combine(before, datetime.min.time()).astimezone().timestamp()
            conn.execute("DELETE FROM applied_batches WHERE applied_at < ?", (horizon,))
        deleted = self._delete_files(files)
        deleted += self._sweep_snapshot_folder(cutoff, time.time() if now is None else now)
        return PurgeResult(events, sightings, unknowns, deleted)

    def sweep_orphans(self, now: float | None = None) -> int:
        """Delete snapshot files no row refers to (e.g. of removed people), once an hour old."""
        return self._sweep_snapshot_folder("", time.time() if now is None else now)

    def _sweep_snapshot_folder(self, cutoff: str, now: float) -> int:
        if not self.snapshot_dir.is_dir():
            return 0
        with self._connection() as conn:
            referenced = {row[0] for row in conn.execute(
                "SELECT snapshot FROM attendance_events WHERE snapshot IS NOT NULL "
                "UNION SELECT snapshot FROM unknown_faces WHERE snapshot IS NOT NULL")}
        if self._outbox is not None:
            referenced |= self._outbox.snapshot_paths()
        deleted = 0
        for folder in sorted(self.snapshot_dir.iterdir()):
            if folder.is_symlink() or not folder.is_dir():  # a link could lead the sweep out of the folder
                continue
            if folder.name < cutoff:  # a whole expired day (names are YYYY-MM-DD)
                deleted += sum(1 for p in folder.rglob("*") if p.is_file())
                shutil.rmtree(folder, ignore_errors=True)
                continue
            for file in folder.iterdir():
                relative = f"{folder.name}/{file.name}"
                try:
                    if relative not in referenced and file.stat().st_mtime < now - ORPHAN_GRACE_SECONDS:
                        file.unlink()
                        deleted += 1
                except OSError:
                    pass
        return deleted
