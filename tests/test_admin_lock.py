"""The admin PIN: salted scrypt hash only, rate-limited guessing that survives a restart."""
from __future__ import annotations

import json

import pytest

from facegui.service.admin_lock import FIRST_DELAY_S, FREE_ATTEMPTS, AdminLock, AdminLockError


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_no_pin_allows_everything(tmp_path):
    lock = AdminLock(tmp_path)
    assert not lock.enabled and lock.check("").allowed


def test_pin_is_stored_only_as_a_salted_hash(tmp_path):
    AdminLock(tmp_path).set_pin("4711")
    other = tmp_path / "other"
    AdminLock(other).set_pin("4711")
    stored = json.loads((tmp_path / "admin.json").read_text())
    assert "4711" not in (tmp_path / "admin.json").read_text()
    assert stored["salt"] != json.loads((other / "admin.json").read_text())["salt"]
    assert stored["hash"] != json.loads((other / "admin.json").read_text())["hash"]


def test_right_and_wrong_pins(tmp_path):
    lock = AdminLock(tmp_path, Clock())
    lock.set_pin("4711")
    assert lock.enabled
    assert lock.check("4711").allowed
    assert not lock.check("1234").allowed
    assert lock.check("4711").allowed


def test_wrong_pins_are_rate_limited_across_restarts(tmp_path):
    clock = Clock()
    lock = AdminLock(tmp_path, clock)
    lock.set_pin("4711")
    for _ in range(FREE_ATTEMPTS):
        assert not lock.check("0000").allowed
    verdict = AdminLock(tmp_path, clock).check("4711")  # a restart does not reset the count
    assert not verdict.allowed and verdict.retry_after_s == pytest.approx(FIRST_DELAY_S)
    clock.now += FIRST_DELAY_S + 1
    verdict = lock.check("0000")  # another failure doubles the wait
    assert not verdict.allowed and verdict.retry_after_s == pytest.approx(2 * FIRST_DELAY_S)
    clock.now += 2 * FIRST_DELAY_S + 1
    assert lock.check("4711").allowed
    assert not lock.check("0000").allowed and lock.check("4711").allowed  # the count was reset


def test_changing_or_clearing_needs_the_current_pin(tmp_path):
    lock = AdminLock(tmp_path, Clock())
    lock.set_pin("4711")
    with pytest.raises(AdminLockError):
        lock.set_pin("9999", current_pin="1111")
    lock.set_pin("9999", current_pin="4711")
    assert lock.check("9999").allowed
    with pytest.raises(AdminLockError):
        lock.clear_pin("4711")
    lock.clear_pin("9999")
    assert not lock.enabled


def test_short_or_non_numeric_pins_are_refused(tmp_path):
    for bad in ("12", "abcd", ""):
        with pytest.raises(AdminLockError):
            AdminLock(tmp_path).set_pin(bad)


def test_a_damaged_admin_file_keeps_the_lock_closed(tmp_path):
    lock = AdminLock(tmp_path, Clock())
    lock.set_pin("4711")
    (tmp_path / "admin.json").write_text("{not json")
    assert lock.enabled and not lock.check("4711").allowed
