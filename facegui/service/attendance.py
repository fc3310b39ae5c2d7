"""Attendance: turn a stream of recognitions into check-ins, and read them back.

Words used here and in the database:

* **check-in** (an :class:`AttendanceEvent`, one database row): a person is
  checked in on a camera source when they are named by a *fresh* embedding
  (one computed in that frame, not a name the tracker holds between
  embeddings) in at least ``checkin_min_hits`` of the last ``checkin_window``
  votes of that source (a frame without them is a miss; a frame where the
  tracker holds their name neither adds nor removes a vote) *and* one of those
  hits reaches ``checkin_min_similarity`` (the check-in is written on such a
  frame, whose similarity and snapshot the event keeps).  The vote keeps one stray frame from
  creating a record; the similarity floor keeps a stranger who sits just above
  the recognition threshold for a few frames from being checked in.  No second
  check-in of the same person within ``checkin_cooldown_s`` on the same local
  day; the first confirmation of a new day always checks in.
* **confirmed**: a frame in which the person is in view (fresh or held) and
  the vote above holds for them.
* **sighting**: one second of confirmed presence.  Each confirmed frame counts
  as a sighting unless that person's previous sighting is less than a second
  old (whatever the camera), so ``sightings`` is roughly the seconds a person
  was seen, independent of the frame rate, and the database is written at
  most once per second per person while someone is in view, never per frame.
  Frames that do not confirm anyone (a stray match) are not sightings, so a
  person who is absent always has 0.
* **unknown face**: with ``log_unknown_faces`` on, each face track of tracked
  video (the live tracker's ids, not a second tracking here) is logged at most
  once, with its embedding and snapshot, and only on settled evidence:
  ``unknown_min_looks`` fresh looks of a confident (``unknown_min_score``),
  large enough (``enroll_min_face_size``) face that was never named and never
  came within ``unknown_max_similarity`` of anyone enrolled.  An enrolled
  person turned away scores in between and is not logged.  Nor is a track
  resembling (cosine > 0.5) an unknown face logged, or a person confirmed,
  less than ``unknown_cooldown_s`` ago.  A manager enrolls one in a single
  call, :meth:`AttendanceService.enroll_unknown`.

:class:`AttendanceRecorder` holds the per-stream state; the camera worker calls
:meth:`~AttendanceRecorder.observe` once per processed frame from its own
thread.  It is thread-safe, does nothing but a few dictionary updates while
nobody is confirmed, and writes each frame's outcome in one transaction.  The
time comes from an injectable clock (or ``now=``) so tests can replay a clip
"five minutes later" without waiting.
"""
from __future__ import annotations

import hashlib
import io
import logging
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from ..config import Settings
from ..engine import Face, Recognition
from ..engine.align import align_face
from ..engine.tracking import TrackedRecognition
from ..files import open_private
from ..storage import Gallery, StorageError
from .enrollment import OTHER_MODEL, EnrollProblem, FaceRefused, enroll_checked
from .spreadsheet import safe_writer, spreadsheet_safe  # noqa: F401  (spreadsheet_safe: re-exported)
from ..storage.attendance import (
    AttendanceEvent,
    AttendanceStore,
    DayRecord,
    NewEvent,
    NewUnknown,
    PurgeResult,
    UnknownFace,
    local_time,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DEFAULT_SOURCE = "camera"
SIGHTING_INTERVAL_S = 1.0
VOTE_MAX_GAP_S = 5.0
"""A source whose previous frame is older than this starts its votes afresh (paused camera, stalled stream)."""
SAME_FACE_SIMILARITY = 0.5
"""Two unknown embeddings above this cosine similarity are taken for the same face."""
CSV_COLUMNS = ("date", "name", "status", "first_seen", "last_seen", "sightings")
_JPEG_QUALITIES = (90, 80, 70, 60, 50, 40, 30, 20, 10)


def encode_snapshot(frame_bgr: np.ndarray, face: Face, max_bytes: int) -> bytes | None:
    """JPEG of the aligned 112x112 face, at the best quality that fits ``max_bytes`` (None if none does)."""
    try:
        chip = align_face(frame_bgr, face.landmarks)
    except (ValueError, cv2.error) as error:
        log.debug("No snapshot: %s", error)
        return None
    for quality in _JPEG_QUALITIES:
        ok, buffer = cv2.imencode(".jpg", chip, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok and buffer.nbytes <= max_bytes:
            return buffer.tobytes()
    return None


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass
class _UnknownTrack:
    """What one track of one source showed so far, for the unknown-face log."""

    seen_at: datetime
    looks: int = 0
    """Fresh looks that were confident, large enough and far from everyone enrolled."""
    disqualified: bool = False
    """Named once, or came near someone enrolled: never logged as unknown."""
    latest: Recognition | None = None
    logged: bool = False


def as_tracked(recognition: TrackedRecognition | Recognition) -> TrackedRecognition:
    """A plain recognition (of an untracked frame) is fresh evidence without a track."""
    if isinstance(recognition, TrackedRecognition):
        return recognition
    return TrackedRecognition(recognition, None, True)


class AttendanceRecorder:
    """Check-ins, sightings and unknown faces from one or more streams of recognitions."""

    def __init__(self, store: AttendanceStore, settings: Settings, model_id: str | None = None,
                 clock: Clock | None = None, on_unknown: Callable[[UnknownFace], None] | None = None) -> None:
        self._store = store
        self._model_id = model_id
        self._clock = clock or local_time
        self._on_unknown = on_unknown
        self._lock = threading.Lock()
        self.settings = settings
        self._votes: dict[tuple[str, str], deque[float | None]] = {}
        """(source, name) → similarities of the last fresh looks, None for a frame without the person."""
        self._last_frame: dict[str, datetime] = {}
        self._last_event: dict[str, datetime | None] = {}
        self._last_sighting: dict[str, datetime] = {}
        self._recent_known: dict[str, tuple[np.ndarray, datetime]] = {}
        self._unknown_tracks: dict[tuple[str, int], _UnknownTrack] = {}
        self._logged_unknowns: list[tuple[np.ndarray, datetime]] = []
        self._warned: set[str] = set()
        self.problem: str | None = None
        """Why the last write of check-ins failed (a full disk, a database that cannot be written), until one
        succeeds: the window says so, as the check-ins it would confirm are not recorded."""

    def configure(self, settings: Settings) -> None:
        """Apply new settings; a changed window size restarts the votes."""
        with self._lock:
            if settings.checkin_window != self.settings.checkin_window:
                self._votes.clear()
            if not settings.log_unknown_faces:
                self._unknown_tracks.clear()
            self.settings = settings

    def _forget_locked(self, source: str) -> None:
        for vote in [k for k in self._votes if k[0] == source]:
            del self._votes[vote]
        for track in [k for k in self._unknown_tracks if k[0] == source]:
            del self._unknown_tracks[track]

    def observe(self, frame_bgr: np.ndarray, recognitions: Sequence[TrackedRecognition | Recognition],
                source: str = DEFAULT_SOURCE, now: datetime | None = None) -> list[AttendanceEvent]:
        """Take one processed frame; returns the check-ins it caused (usually none).

        Raises StorageError if the database cannot be written; the check-ins
        of that frame are then retried on the next confirming frame.
        """
        source = str(source)
        faces = [as_tracked(r) for r in recognitions]
        with self._lock:
            if not faces and not self._votes and not self._unknown_tracks:
                return []
            settings = self.settings
            moment = local_time(now if now is not None else self._clock())
            previous = self._last_frame.get(source)
            self._last_frame[source] = moment
            if previous is not None and abs((moment - previous).total_seconds()) > VOTE_MAX_GAP_S:
                self._forget_locked(source)

            fresh: dict[str, Recognition] = {}
            in_view: dict[str, Recognition] = {}
            for face in faces:
                recognition = face.recognition
                if not recognition.is_known:
                    continue
                held = in_view.get(recognition.name)
                if held is None or recognition.similarity > held.similarity:
                    in_view[recognition.name] = recognition
                held = fresh.get(recognition.name)
                if face.fresh and (held is None or recognition.similarity > held.similarity):
                    fresh[recognition.name] = recognition

            for key in [k for k in self._votes if k[0] == source and k[1] not in in_view]:
                window = self._votes[key]
                window.append(None)
                if all(value is None for value in window):
                    del self._votes[key]

            checkins: list[Recognition] = []
            sightings: list[str] = []
            for name, recognition in in_view.items():
                # Only fresh embeddings vote; a name the tracker holds between them keeps the vote standing.
                votes = self._votes.get((source, name))
                if name in fresh:
                    if votes is None:
                        votes = self._votes[(source, name)] = deque(maxlen=settings.checkin_window)
                    votes.append(fresh[name].similarity)
                if votes is None:
                    continue
                hits = [value for value in votes if value is not None]
                if len(hits) < settings.checkin_min_hits or max(hits) < settings.checkin_min_similarity:
                    continue
                embedding = fresh[name].face.embedding if name in fresh else None
                if embedding is not None:
                    self._recent_known[name] = (_unit(embedding), moment)
                last_sighting = self._last_sighting.get(name)
                if (last_sighting is None or last_sighting.date() != moment.date()
                        or abs((moment - last_sighting).total_seconds()) >= SIGHTING_INTERVAL_S):
                    sightings.append(name)
                # Written on a strong frame of its own, so the event's similarity and snapshot are that evidence.
                if name in fresh and fresh[name].similarity >= settings.checkin_min_similarity \
                        and not self._in_cooldown(name, moment):
                    checkins.append(fresh[name])

            unknown_due = self._unknowns_due(source, faces, moment) if settings.log_unknown_faces else []
            if not (checkins or sightings or unknown_due):
                return []

            cooldown = timedelta(seconds=settings.checkin_cooldown_s)
            snapshot = (lambda face: encode_snapshot(frame_bgr, face, settings.snapshot_max_bytes)) \
                if settings.attendance_snapshots else (lambda face: None)
            new_events = [NewEvent(r.name, moment, source, r.similarity, snapshot(r.face), not_since=moment - cooldown)
                          for r in checkins]
            model_id = self._model_id  # unknowns are only logged when there is one
            new_unknowns = [NewUnknown(moment, source, r.similarity, model_id, r.face.require_embedding(),
                                       snapshot(r.face)) for _, r in unknown_due] if model_id is not None else []
            try:
                written, logged = self._store.record(new_events, [(name, moment) for name in sightings], new_unknowns)
            except StorageError as error:
                self.problem = str(error)
                raise
            self.problem = None

            # Only now that the write succeeded does the in-memory state move on.
            for name in sightings:
                self._last_sighting[name] = moment
            written_names = {event.name for event in written}
            for recognition in checkins:
                if recognition.name in written_names:
                    self._last_event[recognition.name] = moment
                else:  # refused: checked in elsewhere meanwhile, or no longer enrolled
                    self._last_event[recognition.name] = self._store.last_event_at(recognition.name) or moment
            for track, recognition in unknown_due:
                track.logged = True
                self._logged_unknowns.append((_unit(recognition.face.require_embedding()), moment))
        if self._on_unknown is not None:
            for record in logged:
                self._on_unknown(record)
        return written

    def _in_cooldown(self, name: str, moment: datetime) -> bool:
        if name not in self._last_event:  # once per person: a check-in from an earlier session counts too
            self._last_event[name] = self._store.last_event_at(name)
        last = self._last_event[name]
        if last is None or last.date() != moment.date():
            return False
        return (moment - last).total_seconds() < self.settings.checkin_cooldown_s

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)

    def _unknowns_due(self, source: str, faces: list[TrackedRecognition], moment: datetime
                      ) -> list[tuple[_UnknownTrack, Recognition]]:
        """Tracks to log as unknown in this frame: each once, on settled evidence only.

        A track qualifies after ``unknown_min_looks`` fresh looks of a confident, large enough face
        that never came within ``unknown_max_similarity`` of anyone enrolled and was never named: an
        enrolled person turned away, half hidden or blurred scores in between and is not logged.
        """
        settings = self.settings
        if self._model_id is None:
            if any(not f.recognition.is_known for f in faces):
                self._warn_once("model", "Unknown faces are not logged: the recorder was opened without a model id")
            return []
        for key in [k for k, t in self._unknown_tracks.items()
                    if (moment - t.seen_at).total_seconds() > VOTE_MAX_GAP_S]:
            del self._unknown_tracks[key]
        horizon = settings.unknown_cooldown_s
        self._logged_unknowns = [(e, t) for e, t in self._logged_unknowns if (moment - t).total_seconds() < horizon]
        due = []
        for face in faces:
            if face.track_id is None:
                if not face.recognition.is_known:
                    self._warn_once("untracked", "Unknown faces are logged only from tracked video (setting tracking)")
                continue
            track = self._unknown_tracks.get((source, face.track_id))
            if track is None:
                track = self._unknown_tracks[(source, face.track_id)] = _UnknownTrack(moment)
            track.seen_at = moment
            recognition = face.recognition
            if not face.fresh or track.disqualified or track.logged:
                continue
            if recognition.is_known or recognition.similarity >= min(settings.unknown_max_similarity,
                                                                     settings.similarity_threshold):
                track.disqualified = True
                continue
            if recognition.face.score < settings.unknown_min_score or \
                    recognition.face.width < settings.enroll_min_face_size or recognition.face.embedding is None:
                continue
            track.looks += 1
            track.latest = recognition
            if track.looks >= settings.unknown_min_looks:
                embedding = _unit(recognition.face.embedding)
                recent_known = [e for e, t in self._recent_known.values() if (moment - t).total_seconds() < horizon]
                if any(float(e @ embedding) > SAME_FACE_SIMILARITY
                       for e in [*(e for e, _ in self._logged_unknowns), *recent_known]):
                    track.logged = True  # already logged (or known) under another track: not again
                    continue
                due.append((track, recognition))
        return due


class AttendanceService:
    """What the GUI's Today panel and the CLI need: recorder, roster, history, review, export, purge.

    ``gallery`` is needed only by :meth:`enroll_unknown` and to log unknown
    faces (their embeddings belong to its model); reports work without models.
    """

    def __init__(self, store: AttendanceStore, settings: Settings, gallery: Gallery | None = None,
                 clock: Clock | None = None, on_unknown: Callable[[UnknownFace], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.gallery = gallery
        self._clock = clock or local_time
        self.recorder = AttendanceRecorder(store, settings, gallery.model_id if gallery is not None else None,
                                           self._clock, on_unknown)

    @classmethod
    def open(cls, settings: Settings, gallery: Gallery | None = None, clock: Clock | None = None,
             on_unknown: Callable[[UnknownFace], None] | None = None) -> AttendanceService:
        """Open the attendance data in ``settings.data_dir`` and purge what outlived ``retention_days``."""
        store = AttendanceStore(settings.data_dir, settings.database_url, settings.station_name,
                                settings.outbox_retry_s)
        try:
            service = cls(store, settings, gallery, clock, on_unknown)
            try:
                service.purge_expired()
            except StorageError as error:  # a server away, or a station role that may not delete
                log.warning("Old attendance data not purged now: %s", error)
        except BaseException:
            store.close()
            raise
        return service

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> AttendanceService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def configure(self, settings: Settings) -> None:
        self.settings = settings
        self.recorder.configure(settings)

    def now(self) -> datetime:
        return local_time(self._clock())

    def today(self) -> date:
        return self.now().date()

    # -- recording ------------------------------------------------------------
    def observe(self, frame_bgr: np.ndarray, recognitions: Sequence[TrackedRecognition | Recognition],
                source: str = DEFAULT_SOURCE, now: datetime | None = None) -> list[AttendanceEvent]:
        return self.recorder.observe(frame_bgr, recognitions, source, now)

    @property
    def recording_problem(self) -> str | None:
        """Why check-ins are not being recorded now (the last write failed: a full disk …), or None. A shared
        database that is away is no problem here: its check-ins wait in the outbox (``server_status``)."""
        return self.recorder.problem

    # -- reading --------------------------------------------------------------
    def roster(self, day: date | None = None) -> list[DayRecord]:
        """Everyone enrolled (by then), present or absent, with first/last seen: the Today panel."""
        day = day or self.today()
        return self.store.days(day, day)

    def report(self, start: date | None = None, end: date | None = None) -> list[DayRecord]:
        """One record per person per day of ``start``..``end`` (default today), by day then name."""
        return list(self.iter_report(start, end))

    def iter_report(self, start: date | None = None, end: date | None = None) -> Iterator[DayRecord]:
        """:meth:`report` streamed with bounded memory. Days after today are not listed (nothing can have
        happened yet) and days before the first enrollment have no rows, so even ``0001-01-01`` to
        ``9999-12-31`` costs only the days facegui was in use."""
        today = self.today()
        start = start or today
        return self.store.iter_days(start, min(end or start, today))

    def write_table(self, records: Iterable[DayRecord], file: TextIO) -> int:
        """The report as an aligned text table (times of day only), streamed; returns the rows."""
        name_width = max([len("name"), *(display_width(person.name) for person in self.store.people())])
        return write_table(records, file, name_width)

    def history(self, start: date | None = None, end: date | None = None,
                name: str | None = None) -> list[AttendanceEvent]:
        """Check-ins of ``start``..``end`` (default today), of everyone or of one person, oldest first."""
        start = start or self.today()
        return self.store.events(start, end or start, name)

    def export_csv(self, target: Path | TextIO, start: date | None = None, end: date | None = None) -> int:
        """Write the report as CSV (UTF-8 with BOM, so spreadsheets read non-ASCII names); returns the rows."""
        records = self.iter_report(start, end)
        if isinstance(target, (str, Path)):
            with open_private(Path(target), "w", encoding="utf-8-sig", newline="") as file:
                return write_csv(records, file)
        return write_csv(records, target)

    # -- unknown faces ---------------------------------------------------------
    def unknown_faces(self, start: date | None = None, end: date | None = None) -> list[UnknownFace]:
        """Unknown faces to review, newest first, each with its snapshot path and embedding."""
        return self.store.unknown_faces(start, end)

    def enroll_unknown(self, unknown_id: int, name: str) -> int:
        """Enroll a logged unknown face's stored embedding under ``name``; returns the embedding id.

        The record and its snapshot are deleted once the gallery has the
        embedding.  KeyError if there is no such record; ValueError if it was
        made by another embedding model than the gallery's, or if the face looks like someone else
        enrolled or unlike the person's own faces (``enrollment.enroll_checked``).
        """
        if self.gallery is None:
            raise RuntimeError("enroll_unknown needs the service opened with a gallery")
        record = self.store.unknown_face(unknown_id)
        if record is None:
            raise KeyError(f"no unknown face #{unknown_id}")
        if record.model_id != self.gallery.model_id:
            raise FaceRefused(EnrollProblem(
                OTHER_MODEL, f"embedded by model {record.model_id!r}, the gallery uses {self.gallery.model_id!r}",
                (record.model_id, self.gallery.model_id)), unknown_id)
        # The digest of the embedding makes a retry after a crash between the two steps a no-op.
        digest = hashlib.sha256(record.embedding.astype("<f4").tobytes()).hexdigest()
        try:
            embedding_id = enroll_checked(self.gallery, name, record.embedding, self.settings, None, digest)
        except FaceRefused as refused:
            raise FaceRefused(refused.problem, unknown_id) from None
        self.store.delete_unknown(unknown_id)
        return embedding_id

    def dismiss_unknown(self, unknown_id: int) -> bool:
        """Delete an unknown face record and its snapshot without enrolling it."""
        return self.store.delete_unknown(unknown_id)

    # -- privacy --------------------------------------------------------------
    def remove_person(self, name: str) -> int:
        """Remove a person with their embeddings, check-ins, sightings and snapshots; returns embeddings removed."""
        snapshots = self.store.snapshot_files_of(name)
        removed = self.gallery.remove(name) if self.gallery is not None else self.store.remove_person(name)
        self.store.delete_snapshot_files(snapshots)
        return removed

    def purge_expired(self, now: datetime | None = None) -> PurgeResult:
        """Delete attendance data of days more than ``retention_days`` before ``now``'s day (0 keeps all).

        Also deletes snapshot files no record refers to any more (e.g. of
        people removed by another program) once they are an hour old.
        """
        moment = local_time(now if now is not None else self._clock())
        if self.settings.retention_days == 0:
            return PurgeResult(0, 0, 0, self.store.sweep_orphans(moment.timestamp()))
        before = moment.date() - timedelta(days=self.settings.retention_days)
        result = self.store.purge(before, moment.timestamp())
        if result.events or result.unknown_faces or result.files:
            log.info("Purged attendance data before %s: %s", before, result)
        return result


def write_csv(records: Iterable[DayRecord], file: TextIO) -> int:
    """The report as CSV, every text cell escaped for spreadsheets; returns the rows written."""
    writer = safe_writer(file)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for record in records:
        writer.writerow([
            record.day.isoformat(), record.name, record.status,
            record.first_seen.isoformat() if record.first_seen else "",
            record.last_seen.isoformat() if record.last_seen else "",
            record.sightings,
        ])
        rows += 1
    return rows


_TABLE_WIDTHS = (10, 0, 7, 10, 9, 9)
"""date, name (given per report), status, first_seen, last_seen, sightings."""


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: 2 for a wide character (张学友 is 6), 0 for a combining mark or a
    zero-width one, so a table of names in any script stays aligned."""
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _padded(cell: object, width: int) -> str:
    text = str(cell)
    return text + " " * max(width - display_width(text), 0)


def write_table(records: Iterable[DayRecord], file: TextIO, name_width: int) -> int:
    """The report as an aligned text table (times of day only), one line per record as it comes."""
    widths = list(_TABLE_WIDTHS)
    widths[1] = name_width

    def line(cells: Iterable[object]) -> str:
        return "  ".join(_padded(cell, width) for cell, width in zip(cells, widths)).rstrip() + "\n"

    file.write(line(CSV_COLUMNS))
    rows = 0
    for record in records:
        file.write(line((record.day.isoformat(), record.name, record.status,
                         record.first_seen.strftime("%H:%M:%S") if record.first_seen else "-",
                         record.last_seen.strftime("%H:%M:%S") if record.last_seen else "-",
                         record.sightings)))
        rows += 1
    return rows


def format_table(records: Sequence[DayRecord]) -> str:
    """The report as an aligned text table, in one string (for short reports)."""
    out = io.StringIO()
    write_table(records, out, max([len("name"), *(display_width(record.name) for record in records)]))
    return out.getvalue()
