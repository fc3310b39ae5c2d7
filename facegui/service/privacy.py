"""The user's rights over their face data: a complete export, and deleting all of it.

What facegui stores lives only in the data folder: the database (people, embeddings, source file
paths and hashes, attendance check-ins, unknown faces), the faiss index (derived from the database),
attendance snapshots and GUI thumbnails. Model files are not personal data and are kept.
"""
from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

from ..config import Settings
from ..storage import DATABASE_FILE_NAME, FaceDatabase
from ..storage.admin_store import SqlitePinStore, remove_pin_record
from .attendance import AttendanceService, spreadsheet_safe

PERSONAL_DATA = (DATABASE_FILE_NAME, f"{DATABASE_FILE_NAME}-wal", f"{DATABASE_FILE_NAME}-shm",
                 "index", "snapshots", "thumbnails")
"""Everything in the data folder that holds or derives from face data; ``models/`` is not listed."""
_FIRST_DAY = date(1970, 1, 1)


def export_personal_data(settings: Settings, target_dir: Path) -> Path:
    """Write a folder with everything facegui holds about people; returns it.

    The database is copied with SQLite's online backup, so the export is consistent even while the
    app is running; people.json and checkins.csv are readable without any tool.
    """
    data_dir = Path(settings.data_dir)
    database = data_dir / DATABASE_FILE_NAME
    if not database.is_file():
        raise FileNotFoundError(f"{data_dir}: no facegui database here, nothing to export")
    export = Path(target_dir) / f"facegui-export-{datetime.now():%Y%m%d-%H%M%S}"
    export.mkdir(parents=True, mode=0o700)
    with sqlite3.connect(database) as source, sqlite3.connect(export / DATABASE_FILE_NAME) as copy:
        source.backup(copy)
    remove_pin_record(export / DATABASE_FILE_NAME)  # the admin PIN guards this station, not the export
    with FaceDatabase(database) as db:
        people = [{"name": p.name, "photos": p.embedding_count, "first_enrolled_at": p.first_enrolled_at}
                  for p in db.people()]
    (export / "people.json").write_text(json.dumps(people, ensure_ascii=False, indent=2), encoding="utf-8")
    with AttendanceService.open(settings) as attendance:
        events = attendance.history(_FIRST_DAY, attendance.today())
    with open(export / "checkins.csv", "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["at", "name", "source", "similarity", "snapshot"])
        for event in events:
            writer.writerow([event.at.isoformat(), spreadsheet_safe(event.name), event.source, f"{event.similarity:.4f}",
                             event.snapshot.name if event.snapshot else ""])
    for folder in ("snapshots", "thumbnails"):
        if (data_dir / folder).is_dir():
            shutil.copytree(data_dir / folder, export / folder)
    return export


def delete_all_face_data(settings: Settings) -> list[Path]:
    """Delete every face image, embedding, name and attendance record; returns what was removed.

    The caller must have closed every open gallery or attendance service on this data folder.
    """
    data_dir = Path(settings.data_dir)
    # The admin PIN is not face data: it keeps guarding the emptied station.
    pin_store = SqlitePinStore(data_dir / DATABASE_FILE_NAME)
    kept_pin = pin_store.read()
    removed = []
    for name in PERSONAL_DATA:
        path = data_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(path)
    if kept_pin.secret is not None:
        pin_store.update(lambda _empty: kept_pin)
    return removed
