"""Personal data: user-only folder, a complete export, and deleting all of it."""
from __future__ import annotations

import csv
import json
import os
import stat
import sqlite3

import pytest

from facegui.app import main

from .conftest import FACES


@pytest.fixture
def enrolled_with_checkins(cli_args, tmp_path, capsys):
    assert main(["encode", str(FACES / "gallery"), *cli_args]) == 0
    assert main(["enroll", str(FACES / "probes" / "lin-manuel-miranda.png"), "--name", "lin", *cli_args]) == 0
    capsys.readouterr()
    return tmp_path / "data"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_data_folder_is_readable_by_the_user_only(enrolled_with_checkins):
    mode = stat.S_IMODE(enrolled_with_checkins.stat().st_mode)
    assert mode == 0o700


def test_export_holds_every_person_and_the_database(enrolled_with_checkins, cli_args, tmp_path, capsys):
    assert main(["data", "export", str(tmp_path / "out"), *cli_args]) == 0
    (export,) = (tmp_path / "out").iterdir()
    people = {p["name"]: p["photos"] for p in json.loads((export / "people.json").read_text(encoding="utf-8"))}
    assert people == {"alex_lacamoire": 1, "biden": 2, "kit_harington": 2, "obama": 2, "rose_leslie": 2, "lin": 1}
    with sqlite3.connect(export / "facegui.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 10
    with open(export / "checkins.csv", encoding="utf-8-sig") as file:
        assert next(csv.reader(file)) == ["at", "name", "source", "similarity", "snapshot"]


def test_delete_all_needs_confirmation_then_forgets_everyone(enrolled_with_checkins, cli_args, capsys):
    assert main(["data", "delete", *cli_args]) == 2
    assert "--yes" in capsys.readouterr().err
    assert (enrolled_with_checkins / "facegui.sqlite3").exists()
    assert main(["data", "delete", "--yes", *cli_args]) == 0
    assert not (enrolled_with_checkins / "facegui.sqlite3").exists()
    assert not (enrolled_with_checkins / "index").exists()
    capsys.readouterr()
    assert main(["identify", str(FACES / "probes" / "two_people.jpg"), "--json", *cli_args]) == 0
    faces = json.loads(capsys.readouterr().out.splitlines()[-1])["faces"]
    assert [f["name"] for f in faces] == ["unknown", "unknown"]


def test_the_problems_log_is_exported_and_deleted_with_the_face_data(enrolled_with_checkins, cli_args, tmp_path,
                                                                      capsys):
    # A photo that cannot be used names its file, and the file name names a person: it is their data too.
    broken = tmp_path / "张学友.jpg"
    broken.write_bytes(b"not a photo")
    logs = enrolled_with_checkins / "logs"
    logs.mkdir(mode=0o700)
    (logs / "facegui.log").write_text(f"2026-12-07 WARNING [window 1] facegui: {broken}: not an image\n",
                                      encoding="utf-8")
    assert main(["data", "export", str(tmp_path / "out"), *cli_args]) == 0
    (export,) = (tmp_path / "out").iterdir()
    assert "张学友.jpg" in (export / "logs" / "facegui.log").read_text(encoding="utf-8")
    assert stat.S_IMODE((export / "logs" / "facegui.log").stat().st_mode) == 0o600
    assert main(["data", "delete", "--yes", *cli_args]) == 0
    assert not logs.exists()
