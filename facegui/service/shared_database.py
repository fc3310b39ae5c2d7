"""Several stations on one database: the server state a window shows, and moving data between databases.

The status is read from memory only (the database's last known state and the
outbox's counters), so a window may poll it every frame without ever waiting
on the network.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Settings, url_problem
from ..storage import DATABASE_FILE_NAME, SCHEMA_VERSION, FaceDatabase, is_postgres_url, redact_url, url_has_password
from ..storage.attendance import AttendanceStore
from ..storage.copy import CopyError, CopyReport, copy_database, row_counts


@dataclass(frozen=True)
class ServerStatus:
    """What a station's window shows about its shared database (nothing for a local SQLite file)."""

    shared: bool
    """A PostgreSQL database is configured (False: the local SQLite file, nothing to show)."""
    online: bool
    checkins_waiting: int
    """Check-ins recorded here and not yet on the server."""
    batches_waiting: int
    """Writes (check-ins, sightings, unknown faces) queued in the local outbox."""
    server: str
    """The database URL without any password."""
    error: str | None = None
    """Why the server is unreachable, when it is."""

    @property
    def text(self) -> str:
        """One short line, e.g. ``offline — 12 check-ins waiting``; empty for a local database."""
        if not self.shared:
            return ""
        waiting = f"{self.checkins_waiting} check-in{'' if self.checkins_waiting == 1 else 's'} waiting"
        if not self.online:
            return f"offline — {waiting}" if self.batches_waiting else "offline"
        return f"online — sending {waiting}" if self.batches_waiting else "online"


def server_status(store: AttendanceStore) -> ServerStatus:
    """The state of ``store``'s database, from memory (never blocks)."""
    batches, checkins = store.waiting()
    return ServerStatus(shared=store.remote, online=store.online, checkins_waiting=checkins,
                        batches_waiting=batches, server=store.description, error=store.last_error)


def database_location(settings: Settings) -> Path | str:
    """The configured database: its PostgreSQL URL, or the SQLite file in the data folder."""
    return settings.database_url or Path(settings.data_dir) / DATABASE_FILE_NAME


def copy_data(settings: Settings, target: str) -> CopyReport:
    """Copy the configured database into the empty database ``target`` (a URL, or a SQLite file path)."""
    if is_postgres_url(target):
        problem = url_problem(target)
        if problem:
            raise CopyError(f"the target is {problem}")
        if url_has_password(target):
            raise CopyError("the target URL must not contain a password: use PGPASSWORD, ~/.pgpass or a service file")
    source_location = database_location(settings)
    target_location: Path | str = target if is_postgres_url(target) else Path(target).expanduser()
    if str(target_location) == str(source_location):
        raise CopyError(f"{redact_url(str(target))} is the database being copied")
    if isinstance(target_location, Path) and target_location.is_dir():
        target_location = target_location / DATABASE_FILE_NAME
    with FaceDatabase(source_location) as source, FaceDatabase(target_location, own_folder=False) as destination:
        return copy_database(source, destination)


def database_status(settings: Settings) -> dict[str, object]:
    """Which database this station uses, its schema version and how much it holds."""
    with FaceDatabase(database_location(settings)) as db:
        counts = row_counts(db)
        return {"database": db.description, "backend": db.dialect, "schema_version": SCHEMA_VERSION,
                "station": settings.station_name, "people": counts["people"],
                "embeddings": counts["embeddings"], "checkins": counts["attendance_events"]}
