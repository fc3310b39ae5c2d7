"""The admin PIN's rules, fast: a cheap scrypt cost and a hand-driven clock (the real cost is
tests/test_admin_lock.py's business)."""
from __future__ import annotations

import json
import sqlite3

import pytest

from facegui.service.admin_lock import (
    FIRST_DELAY_S,
    FREE_ATTEMPTS,
    MAX_DELAY_S,
    AdminLock,
    AdminLockError,
    PinHash,
    ScryptCost,
    Verdict,
    lockout_s,
    refusal_text,
)
from facegui.storage import DATABASE_FILE_NAME
from facegui.storage.admin_store import ADMIN_TABLE, NO_PIN, PinRecord, SqlitePinStore

CHEAP = ScryptCost(n=2 ** 10, r=1, p=1)
PIN = "246810"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lock(tmp_path, clock) -> AdminLock:
    return AdminLock(tmp_path, clock, cost=CHEAP)


def test_no_pin_allows_everything_and_creates_no_database(lock, tmp_path):
    assert not lock.enabled and lock.check("").allowed
    assert not (tmp_path / DATABASE_FILE_NAME).exists()


def test_right_and_wrong_pins(lock):
    lock.set_pin(PIN)
    assert lock.enabled and not lock.damaged
    assert lock.check(PIN).allowed
    assert not lock.check("135790").allowed
    assert lock.check(PIN).allowed


@pytest.mark.parametrize("bad", ["12345", "abcdef", "", "12345a", "١٢٣٤٥٦", "1" * 33, " 123456"])
def test_short_or_non_digit_pins_are_refused(lock, bad):
    with pytest.raises(AdminLockError, match="at least 6 digits"):
        lock.set_pin(bad)
    assert not lock.enabled


def test_wrong_pins_are_rate_limited_and_the_count_survives_a_restart(lock, tmp_path, clock):
    lock.set_pin(PIN)
    for _ in range(FREE_ATTEMPTS - 1):
        assert lock.check("000000") == Verdict(False, 0.0)
    verdict = lock.check("000000")  # the last free attempt starts the wait
    assert not verdict.allowed and verdict.retry_after_s == pytest.approx(FIRST_DELAY_S)
    restarted = AdminLock(tmp_path, clock, cost=CHEAP)
    verdict = restarted.check(PIN)  # even the right PIN waits, and a restart does not reset the count
    assert not verdict.allowed and verdict.retry_after_s == pytest.approx(FIRST_DELAY_S)


def test_the_wait_doubles_after_each_failure(lock, clock):
    lock.set_pin(PIN)
    for _ in range(FREE_ATTEMPTS):
        lock.check("000000")
    clock.now += FIRST_DELAY_S + 1
    verdict = lock.check("000000")
    assert not verdict.allowed and verdict.retry_after_s == pytest.approx(2 * FIRST_DELAY_S)
    clock.now += 2 * FIRST_DELAY_S + 1
    assert lock.check(PIN).allowed
    assert not lock.check("000000").allowed and lock.check(PIN).allowed  # the right PIN reset the count


def test_attempts_during_a_wait_are_counted_but_not_checked(lock, tmp_path, clock):
    lock.set_pin(PIN)
    for _ in range(FREE_ATTEMPTS):
        lock.check("000000")
    clock.now += 10
    for _ in range(5):
        verdict = lock.check(PIN)
        assert not verdict.allowed and verdict.retry_after_s == pytest.approx(FIRST_DELAY_S - 10)
    assert SqlitePinStore(tmp_path / DATABASE_FILE_NAME).read().failures == FREE_ATTEMPTS + 5


def test_the_wait_is_capped():
    assert [lockout_s(n) for n in range(FREE_ATTEMPTS)] == [0.0] * FREE_ATTEMPTS
    assert lockout_s(FREE_ATTEMPTS) == FIRST_DELAY_S and lockout_s(FREE_ATTEMPTS + 1) == 2 * FIRST_DELAY_S
    assert lockout_s(FREE_ATTEMPTS + 50) == lockout_s(10 ** 9) == MAX_DELAY_S


def test_refusals_say_what_happened():
    assert refusal_text(Verdict(False)) == "wrong admin PIN"
    assert refusal_text(Verdict(False, 29.2)) == "too many wrong admin PINs; try again in 30 s"


def test_changing_or_clearing_needs_the_current_pin(lock):
    lock.set_pin(PIN)
    with pytest.raises(AdminLockError):
        lock.set_pin("999999", current_pin="111111")
    lock.set_pin("999999", current_pin=PIN)
    assert lock.check("999999").allowed and not lock.check(PIN).allowed
    with pytest.raises(AdminLockError):
        lock.clear_pin(PIN)
    lock.clear_pin("999999")
    assert not lock.enabled


def write_secret(data_dir, secret) -> None:
    SqlitePinStore(data_dir / DATABASE_FILE_NAME).update(lambda _old: PinRecord(secret))


@pytest.mark.parametrize("secret", ["{}", "[]", "null", "garbage", "", '{"kdf": "md5", "hash": "00"}',
                                    '{"kdf": "scrypt", "n": 1024, "r": 1, "p": 1, "salt": "00", "hash": "00"}'])
def test_a_damaged_record_keeps_the_lock_closed(lock, tmp_path, secret):
    lock.set_pin(PIN)
    write_secret(tmp_path, secret)
    assert lock.enabled and lock.damaged
    assert not lock.check(PIN).allowed and not lock.check("").allowed
    assert "damaged" in refusal_text(lock.check(PIN))
    with pytest.raises(AdminLockError):
        lock.set_pin("999999", current_pin=PIN)


def test_a_record_asking_for_absurd_cost_is_damaged_not_obeyed(lock, tmp_path):
    lock.set_pin(PIN)
    record = json.loads(SqlitePinStore(tmp_path / DATABASE_FILE_NAME).read().secret or "")
    record["n"] = 2 ** 30  # would allocate 128 GiB
    write_secret(tmp_path, json.dumps(record))
    assert lock.damaged and not lock.check(PIN).allowed


def test_a_tampered_column_keeps_the_lock_closed(lock, tmp_path):
    lock.set_pin(PIN)
    with sqlite3.connect(tmp_path / DATABASE_FILE_NAME) as conn:
        # SQLite's column types are advisory: a hand-edited row can hold text where numbers belong.
        conn.execute(f"UPDATE {ADMIN_TABLE} SET locked_until = 'soon'")
    assert lock.enabled and lock.damaged and not lock.check(PIN).allowed


def test_an_unreadable_database_keeps_the_lock_closed(lock, tmp_path):
    (tmp_path / DATABASE_FILE_NAME).write_bytes(b"this is not an SQLite database" * 100)
    verdict = lock.check(PIN)
    assert lock.enabled and not verdict.allowed
    assert refusal_text(verdict).startswith("the admin PIN cannot be checked, so the lock stays closed: ")


def test_a_pin_changed_meanwhile_keeps_its_own_record(lock, tmp_path, clock):
    lock.set_pin(PIN)
    other_process = AdminLock(tmp_path, clock, cost=CHEAP)
    other_process.set_pin("999999", current_pin=PIN)
    assert not lock.check(PIN).allowed and lock.check("999999").allowed


def test_an_old_hash_is_upgraded_to_the_current_cost_by_the_right_pin(tmp_path, clock):
    old = AdminLock(tmp_path, clock, cost=CHEAP)
    old.set_pin(PIN)
    stronger = ScryptCost(n=2 ** 11, r=2, p=1)
    lock = AdminLock(tmp_path, clock, cost=stronger)
    assert not lock.check("000000").allowed
    assert PinHash.from_text(lock.store.read().secret or "").cost == CHEAP  # a wrong PIN changes nothing
    assert lock.check(PIN).allowed
    assert PinHash.from_text(lock.store.read().secret or "").cost == stronger
    assert lock.check(PIN).allowed


def test_the_store_deletes_the_record_and_creates_a_private_file(tmp_path):
    store = SqlitePinStore(tmp_path / "new" / DATABASE_FILE_NAME)
    assert store.read() == NO_PIN
    before, after = store.update(lambda _old: PinRecord("x", 2, 5.0))
    assert before == NO_PIN and after == store.read() == PinRecord("x", 2, 5.0)
    assert (tmp_path / "new" / DATABASE_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    store.update(lambda _old: NO_PIN)
    assert store.read() == NO_PIN


def test_a_failing_change_leaves_the_record_as_it_was(tmp_path):
    store = SqlitePinStore(tmp_path / DATABASE_FILE_NAME)
    store.update(lambda _old: PinRecord("x", 1, 0.0))

    def explode(_record: PinRecord) -> PinRecord:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.update(explode)
    assert store.read() == PinRecord("x", 1, 0.0)
    store.update(lambda old: PinRecord(old.secret, old.failures + 1, 0.0))  # the lock was released
    assert store.read().failures == 2
