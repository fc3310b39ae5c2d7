"""The back office's rules from the command line: rename, and start-up at login (install-desktop --autostart)."""
from __future__ import annotations

import json
import sys

import pytest

from facegui.app import main

from .conftest import FACES


def run(cli_args, *argv) -> int:
    return main([*argv, *cli_args])


def people(cli_args, capsys) -> dict[str, int]:
    capsys.readouterr()
    assert run(cli_args, "people", "--json") == 0
    return {p["name"]: p["embeddings"] for p in json.loads(capsys.readouterr().out)}


def test_rename_keeps_the_photos_and_identify_says_the_new_name(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    assert run(cli_args, "rename", "obama", "Barack Obama") == 0
    assert "renamed obama to Barack Obama" in capsys.readouterr().out
    listed = people(cli_args, capsys)
    assert listed["Barack Obama"] == 2 and "obama" not in listed
    assert run(cli_args, "identify", "--json", str(FACES / "probes" / "obama1.jpg")) == 0
    faces = json.loads(capsys.readouterr().out.splitlines()[0])["faces"]
    assert [f["name"] for f in faces] == ["Barack Obama"]


def test_rename_refuses_a_taken_name_and_nobody_in_one_line(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    capsys.readouterr()
    assert run(cli_args, "rename", "obama", "biden") == 1
    err = capsys.readouterr().err
    assert "facegui: biden is already enrolled: choose another name\n" in err and "Traceback" not in err
    assert run(cli_args, "rename", "nobody", "carol") == 1
    assert "nobody called nobody is enrolled" in capsys.readouterr().err
    # The same name (as names are compared: spaces trimmed) is no rename, and says so.
    assert run(cli_args, "rename", "obama", " obama ") == 0
    assert capsys.readouterr().out == "obama is already named obama: nothing changed\n"
    assert people(cli_args, capsys)["obama"] == 2


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG desktops only")
def test_install_desktop_autostart_writes_an_xdg_autostart_entry(cli_args, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert run(cli_args, "install-desktop", "--prefix", str(tmp_path / "share")) == 0
    assert not (tmp_path / "config" / "autostart").exists()  # only when asked
    assert run(cli_args, "install-desktop", "--prefix", str(tmp_path / "share"), "--autostart", "--kiosk") == 0
    entry = (tmp_path / "config" / "autostart" / "facegui.desktop").read_text(encoding="utf-8").splitlines()
    assert entry[0] == "[Desktop Entry]"
    exec_line = next(line for line in entry if line.startswith("Exec="))
    assert exec_line.endswith(" --kiosk")
    assert "facegui starts when you log in" in capsys.readouterr().out


def test_photos_lists_a_persons_photos_and_remove_photo_deletes_one_bad_one(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    capsys.readouterr()
    assert run(cli_args, "photos", "biden", "--json") == 0
    photos = json.loads(capsys.readouterr().out)
    assert [p["source"].rsplit("/", 1)[-1] for p in photos] == ["biden_1.jpg", "biden_2.jpg"]
    assert run(cli_args, "remove-photo", "biden", str(photos[1]["id"])) == 0
    assert f"removed photo {photos[1]['id']} of biden" in capsys.readouterr().out
    assert people(cli_args, capsys)["biden"] == 1
    # Another person's photo, and the last one, are refused in one line.
    assert run(cli_args, "remove-photo", "obama", str(photos[0]["id"])) == 1
    assert "this photo is not one of obama's" in capsys.readouterr().err
    assert run(cli_args, "remove-photo", "biden", str(photos[0]["id"])) == 1
    assert "only photo of biden" in capsys.readouterr().err
    assert run(cli_args, "photos", "nobody") == 1
    assert "no enrolled person named 'nobody'" in capsys.readouterr().err
    assert run(cli_args, "photos", "biden") == 0  # columns split by tabs (they were printed as "\\t")
    (row,) = capsys.readouterr().out.splitlines()
    assert row.split("\t")[0] == str(photos[0]["id"]) and row.endswith("biden_1.jpg")


def test_audit_lists_what_the_enrollment_rules_would_refuse_among_photos_already_enrolled(cli_args, capsys):
    """Photos enrolled with --force (or before the rules): kit's face as rose's third photo, and obama's
    probe under a second name beside him. Each is named with its photo id, and the exit code says so."""
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    assert run(cli_args, "audit") == 0
    assert "no problems in 9 enrolled photo(s)" in capsys.readouterr().err
    assert run(cli_args, "enroll", str(FACES / "probes" / "johnsnow_test1.jpg"), "--name", "rose_leslie", "--force") == 0
    assert run(cli_args, "enroll", str(FACES / "probes" / "obama-480p.jpg"), "--name", "barack", "--force") == 0
    capsys.readouterr()
    assert run(cli_args, "audit", "--json") == 1
    findings = json.loads(capsys.readouterr().out)
    extra = {}
    for name in ("rose_leslie", "barack"):
        assert run(cli_args, "photos", name, "--json") == 0
        extra[name] = json.loads(capsys.readouterr().out)[-1]["id"]
    # kit's face under rose is unlike her two photos, and alike his own two; obama's two are alike barack's.
    assert sorted((f["name"], f["rule"], f["photo"] if f["other_photo"] is None else f["other_photo"])
                  for f in findings) == [
        ("kit_harington", "alike another", extra["rose_leslie"]),
        ("kit_harington", "alike another", extra["rose_leslie"]),
        ("obama", "alike another", extra["barack"]), ("obama", "alike another", extra["barack"]),
        ("rose_leslie", "unlike the rest", extra["rose_leslie"])]
    assert run(cli_args, "audit") == 1
    captured = capsys.readouterr()
    assert f"rose_leslie: photo {extra['rose_leslie']}: does not look like rose_leslie's other enrolled faces " \
           "(best similarity " in captured.out
    assert f"looks like barack's photo {extra['barack']} (similarity 0.9" in captured.out
    assert "5 problem(s) in 11 enrolled photo(s)" in captured.err
