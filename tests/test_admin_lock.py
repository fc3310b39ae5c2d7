"""The admin PIN at its real cost: kept with the data, counted atomically across processes, asked by the CLI.

The rules themselves (rate limit, damaged records, PIN length) are also covered, fast and with a
cheap scrypt cost, in tests/unit/test_admin_pin.py; here everything runs as shipped.
"""
from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import sqlite3
import sys

import pytest

from facegui.app import main
from facegui.config import Settings
from facegui.service.admin_lock import (
    FREE_ATTEMPTS,
    LEGACY_ADMIN_FILE,
    LEGACY_SCRYPT_COST,
    SCRYPT_COST,
    AdminLock,
    PinHash,
)
from facegui.storage import DATABASE_FILE_NAME
from facegui.storage.admin_store import ADMIN_TABLE

from .conftest import FACES

PIN = "471147"


def stored_secret(data_dir) -> dict:
    with sqlite3.connect(data_dir / DATABASE_FILE_NAME) as conn:
        return json.loads(conn.execute(f"SELECT secret FROM {ADMIN_TABLE}").fetchone()[0])


def failures(data_dir) -> int:
    with sqlite3.connect(data_dir / DATABASE_FILE_NAME) as conn:
        return conn.execute(f"SELECT failures FROM {ADMIN_TABLE}").fetchone()[0]


def test_the_pin_is_stored_only_as_a_salted_hash_at_the_documented_cost(tmp_path):
    AdminLock(tmp_path / "a").set_pin(PIN)
    AdminLock(tmp_path / "b").set_pin(PIN)
    first, second = stored_secret(tmp_path / "a"), stored_secret(tmp_path / "b")
    assert set(first) == {"kdf", "n", "r", "p", "salt", "hash"} and first["kdf"] == "scrypt"
    assert (first["n"], first["r"], first["p"]) == (SCRYPT_COST.n, SCRYPT_COST.r, SCRYPT_COST.p)
    assert first["salt"] != second["salt"] and first["hash"] != second["hash"]
    assert first["hash"] == hashlib.scrypt(PIN.encode(), salt=bytes.fromhex(first["salt"]), n=first["n"],
                                           r=first["r"], p=first["p"], maxmem=SCRYPT_COST.maxmem, dklen=32).hex()
    # The PIN itself is nowhere in the file; the hex of the salt and hash may contain its digits by chance.
    raw = (tmp_path / "a" / DATABASE_FILE_NAME).read_bytes()
    for hex_text in (first["salt"], first["hash"]):
        raw = raw.replace(hex_text.encode(), b"")
    assert PIN.encode() not in raw


def test_another_settings_file_or_config_folder_keeps_the_guard(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data")
    AdminLock.for_settings(settings, tmp_path / "conf" / "settings.json").set_pin(PIN)
    assert AdminLock.for_settings(settings, tmp_path / "elsewhere" / "settings.json").enabled
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-xdg"))
    assert AdminLock.for_settings(settings).enabled
    assert not (tmp_path / "conf" / LEGACY_ADMIN_FILE).exists()


def old_admin_file(pin: str, **extra) -> str:
    """admin.json as facegui wrote it before the PIN moved into the data folder."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return json.dumps({"salt": salt.hex(), "hash": digest.hex(), "failures": 0, "locked_until": 0.0, **extra})


def test_an_old_admin_file_moves_into_the_data_folder_once_and_its_pin_still_works(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / LEGACY_ADMIN_FILE).write_text(old_admin_file("4711"))  # old PINs could have 4 digits
    lock = AdminLock(tmp_path / "data", legacy_config_dir=conf)
    assert not (conf / LEGACY_ADMIN_FILE).exists() and lock.enabled
    assert stored_secret(tmp_path / "data")["n"] == LEGACY_SCRYPT_COST.n
    assert not lock.check("0000").allowed
    assert lock.check("4711").allowed
    # The right PIN re-hashes it at today's cost.
    assert stored_secret(tmp_path / "data")["n"] == SCRYPT_COST.n
    assert lock.check("4711").allowed and failures(tmp_path / "data") == 0


def test_an_old_admin_file_is_left_alone_when_the_data_folder_has_a_pin(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    AdminLock(tmp_path / "data").set_pin(PIN)
    (conf / LEGACY_ADMIN_FILE).write_text(old_admin_file("999999"))
    lock = AdminLock(tmp_path / "data", legacy_config_dir=conf)
    assert (conf / LEGACY_ADMIN_FILE).exists()  # perhaps another data folder's PIN
    assert not lock.check("999999").allowed and lock.check(PIN).allowed


@pytest.mark.parametrize("content", ["{}", "[]", "{not json", "", '{"salt": "zz", "hash": "00"}', "null"])
def test_a_damaged_old_admin_file_moves_in_locked(tmp_path, content):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / LEGACY_ADMIN_FILE).write_text(content)
    lock = AdminLock(tmp_path / "data", legacy_config_dir=conf)
    assert lock.enabled and lock.damaged
    assert not lock.check("").allowed and not lock.check("4711").allowed


def guess(data_dir, pin) -> bool:
    return AdminLock(data_dir).check(pin).allowed


def test_parallel_guesses_after_a_lockout_are_counted_and_none_is_checked(tmp_path):
    lock = AdminLock(tmp_path)
    lock.set_pin(PIN)
    for _ in range(FREE_ATTEMPTS):
        assert not lock.check("000000").allowed
    # Even the right PIN: if any of these were checked, it would be let in.
    with multiprocessing.get_context("fork").Pool(16) as pool:
        verdicts = pool.starmap(guess, [(tmp_path, PIN)] * 16)
    assert verdicts == [False] * 16
    assert failures(tmp_path) == FREE_ATTEMPTS + 16


def test_parallel_wrong_guesses_are_each_counted(tmp_path):
    AdminLock(tmp_path).set_pin(PIN)
    with multiprocessing.get_context("fork").Pool(16) as pool:
        verdicts = pool.starmap(guess, [(tmp_path, "000000")] * 16)
    assert verdicts == [False] * 16 and failures(tmp_path) == 16


# -- the CLI asks for the PIN -----------------------------------------------------
def run_cli(cli_args, *argv, stdin: str | None = None, monkeypatch) -> int:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main([*argv, *cli_args])


@pytest.fixture
def pinned(cli_args, capsys, tmp_path, monkeypatch):
    """Two people enrolled, and an admin PIN set on their data folder."""
    assert main(["encode", str(FACES / "gallery"), *cli_args]) == 0
    AdminLock(tmp_path / "data").set_pin(PIN)
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    return cli_args


GUARDED = [("remove", "obama"), ("data", "delete", "--yes"), ("attendance", "--csv", "report.csv"),
           ("data", "export", "exported"), ("log",)]


@pytest.mark.parametrize("command", GUARDED, ids=lambda c: " ".join(c[:2]))
def test_guarded_commands_refuse_a_wrong_or_missing_pin_in_one_line(pinned, capsys, tmp_path, monkeypatch,
                                                                    command):
    monkeypatch.chdir(tmp_path)
    argv = list(command)
    assert run_cli(pinned, *argv, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--pin-stdin" in err
    assert run_cli(pinned, *argv, "--pin-stdin", stdin="123456\n", monkeypatch=monkeypatch) == 2
    assert capsys.readouterr().err == "facegui: wrong admin PIN\n"
    assert failures(tmp_path / "data") == 1  # the wrong PIN counted; the missing one was never a guess
    assert not (tmp_path / "report.csv").exists() and not (tmp_path / "exported").exists()
    assert main(["people", "--json", *pinned]) == 0
    assert "obama" in capsys.readouterr().out


@pytest.mark.parametrize("command", GUARDED, ids=lambda c: " ".join(c[:2]))
def test_guarded_commands_run_with_the_right_pin_on_stdin(pinned, capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    assert run_cli(pinned, *command, "--pin-stdin", stdin=PIN + "\n", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    if command[0] == "remove":
        assert main(["people", "--json", *pinned]) == 0
        assert "obama" not in capsys.readouterr().out
    if command[:2] == ("data", "delete"):
        assert AdminLock(tmp_path / "data").enabled  # the PIN is not face data: it keeps guarding
    if command[:2] == ("data", "export"):
        (export,) = (tmp_path / "exported").iterdir()
        with sqlite3.connect(export / DATABASE_FILE_NAME) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "people" in tables and ADMIN_TABLE not in tables  # the export carries no PIN hash


def test_unguarded_commands_never_ask(pinned, capsys):
    assert main(["people", "--json", *pinned]) == 0
    assert main(["attendance", *pinned]) == 0


def test_a_pin_hash_record_round_trips():
    stored = PinHash.of(PIN, SCRYPT_COST)
    again = PinHash.from_text(stored.to_text())
    assert again == stored and again.matches(PIN) and not again.matches("471148")
