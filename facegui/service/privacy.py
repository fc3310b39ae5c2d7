"""The user's rights over their face data: a complete export, and deleting all of it.

What facegui stores lives only in the data folder: the database (people, embeddings, source file
paths and hashes, attendance check-ins, unknown faces), the faiss index (derived from the database),
attendance snapshots, GUI thumbnails and the problems log. Model files are not personal data and are kept.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from ..config import Settings
from ..files import copy_tree_private, make_private_dir, make_private_file, not_a_folder, open_private, write_private
from ..storage import DATABASE_FILE_NAME, FaceDatabase, StorageError, redact_url
from ..storage.outbox import OUTBOX_FILE_NAME, read_outbox
from ..storage.admin_store import SqlitePinStore, remove_pin_record
from .attendance import AttendanceService
from .diagnostics import LOG_FOLDER
from .shared_database import copy_data, database_location
from .spreadsheet import safe_writer

PERSONAL_DATA = (DATABASE_FILE_NAME, f"{DATABASE_FILE_NAME}-wal", f"{DATABASE_FILE_NAME}-shm",
                 "index", "snapshots", "thumbnails", LOG_FOLDER)
"""Everything in the data folder that holds or derives from face data, or may name people (the problems
log's file names and camera addresses); ``models/`` is not listed."""
_FIRST_DAY = date(1970, 1, 1)


class ExportError(Exception):
    """An export that could not be written; the message names the folder and the reason, and nothing
    half-written is left behind."""


def export_personal_data(settings: Settings, target_dir: Path) -> Path:
    """Write a folder with everything facegui holds about people; returns it.

    The database is copied with SQLite's online backup, so the export is consistent even while the
    app is running; people.json and checkins.csv are readable without any tool. Every file is 0600
    in a 0700 folder. If anything fails (a full disk), the half-written folder is deleted.
    """
    data_dir = Path(settings.data_dir)
    database = data_dir / DATABASE_FILE_NAME
    if not settings.database_url and not database.is_file():
        raise FileNotFoundError(f"{data_dir}: no facegui database here, nothing to export")
    export = Path(target_dir) / f"facegui-export-{datetime.now():%Y%m%d-%H%M%S}"
    problem = not_a_folder(Path(target_dir))
    if problem:
        raise ExportError(f"{target_dir}: {problem}, not a folder to export into")
    try:
        Path(target_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        export.mkdir(mode=0o700)
        make_private_dir(export)
    except OSError as exc:
        raise ExportError(f"{export}: cannot create the export folder ({exc.strerror or exc})") from None
    try:
        _write_export(settings, database, export)
    except BaseException as exc:
        shutil.rmtree(export, ignore_errors=True)
        if isinstance(exc, (OSError, sqlite3.Error, StorageError)):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ExportError(f"{export}: export failed, nothing was kept ({reason})") from None
        raise
    return export


def _write_export(settings: Settings, database: Path, export: Path) -> None:
    data_dir = Path(settings.data_dir)
    copy_path = make_private_file(export / DATABASE_FILE_NAME)
    if settings.database_url:  # a shared server: its rows, verified, into a SQLite file
        copy_data(settings, str(copy_path))
    else:
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy_path)) as copy:
            source.backup(copy)
    remove_pin_record(export / DATABASE_FILE_NAME)  # the admin PIN guards this station, not the export
    with FaceDatabase(database_location(settings)) as db:
        people = [{"name": p.name, "photos": p.embedding_count, "first_enrolled_at": p.first_enrolled_at}
                  for p in db.people()]
    write_private(export / "people.json", json.dumps(people, ensure_ascii=False, indent=2).encode("utf-8"))
    with AttendanceService.open(settings) as attendance:
        events = attendance.history(_FIRST_DAY, attendance.today())
    with open_private(export / "checkins.csv", "w", encoding="utf-8-sig", newline="") as file:
        writer = safe_writer(file)
        writer.writerow(["at", "name", "source", "similarity", "snapshot"])
        for event in events:
            writer.writerow([event.at.isoformat(), event.name, event.source, round(event.similarity, 4),
                             event.snapshot.name if event.snapshot else ""])
    if settings.database_url:
        _export_waiting(data_dir, export)
    for folder in ("snapshots", "thumbnails", LOG_FOLDER):
        if (data_dir / folder).is_dir():
            copy_tree_private(data_dir / folder, export / folder)


def _export_waiting(data_dir: Path, export: Path) -> None:
    """What this station recorded while its server was away and has not written there yet: not in the
    server's rows, so the export lists it apart (check-ins, and unknown faces without their embeddings,
    which stay in the copied queue file)."""
    batches = read_outbox(data_dir)
    if not batches:
        return
    with closing(sqlite3.connect(data_dir / OUTBOX_FILE_NAME)) as source, \
            closing(sqlite3.connect(make_private_file(export / OUTBOX_FILE_NAME))) as copy:
        source.backup(copy)
    with open_private(export / "waiting-for-server.csv", "w", encoding="utf-8-sig", newline="") as file:
        writer = safe_writer(file)
        writer.writerow(["at", "kind", "name", "source", "similarity", "snapshot"])
        for batch in batches:
            for event in batch.events:
                writer.writerow([event.at.isoformat(), "check-in", event.name, event.source,
                                 round(event.similarity, 4), Path(event.snapshot).name if event.snapshot else ""])
            for unknown in batch.unknowns:
                writer.writerow([unknown.at.isoformat(), "unknown face", "", unknown.source,
                                 round(unknown.similarity, 4), Path(unknown.snapshot).name if unknown.snapshot else ""])


def delete_all_face_data(settings: Settings) -> list[Path]:
    """Delete every face image, embedding, name and attendance record; returns what was removed.

    The caller must have closed every open gallery or attendance service on this data folder.
    """
    data_dir = Path(settings.data_dir)
    if settings.database_url:
        # A shared server: its rows go (every station's cache follows), then this station's own files.
        with FaceDatabase(settings.database_url) as db:
            db.erase_all()
        local = [name for name in PERSONAL_DATA if not name.startswith(DATABASE_FILE_NAME)]
        return [Path(redact_url(settings.database_url)), *_remove(data_dir, [*local, OUTBOX_FILE_NAME])]
    # The admin PIN is not face data: it keeps guarding the emptied station.
    pin_store = SqlitePinStore(data_dir / DATABASE_FILE_NAME)
    kept_pin = pin_store.read()
    removed = _remove(data_dir, PERSONAL_DATA)
    if kept_pin.secret is not None:
        pin_store.update(lambda _empty: kept_pin)
    return removed


def _remove(data_dir: Path, names: Iterable[str]) -> list[Path]:
    removed = []
    for name in names:
        path = data_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink() or path.exists():
            path.unlink()  # a link is removed, never what it points to
        else:
            continue
        removed.append(path)
    return removed
