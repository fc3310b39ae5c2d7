"""An optional admin PIN that guards the actions a kiosk user must not take.

The PIN lives with the data it guards: one record in the data folder's database (see
``facegui.storage.admin_store``), stored only as a salted scrypt hash together with the scrypt
parameters that made it, so a hash made with older, cheaper parameters still verifies (and is
re-hashed with the current ones the next time the right PIN is entered).

Guessing is rate-limited across processes and restarts: every attempt is counted *before* its PIN is
checked, in one database transaction, so parallel guesses cannot share a free attempt. After
``FREE_ATTEMPTS`` failures every attempt waits, twice as long after each further failure (capped at
``MAX_DELAY_S``); an attempt made while waiting is refused unchecked, and still counted.

A record that cannot be read (tampered, truncated, of an unknown kind) keeps the lock closed: no
PIN opens it until the admin removes the record with file access (docs/security.md).
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings, user_config_dir
from ..storage import DATABASE_FILE_NAME, StorageError
from ..storage.admin_store import DAMAGED, NO_PIN, PinRecord, PinStore, SqlitePinStore, pin_store_for

log = logging.getLogger(__name__)

LEGACY_ADMIN_FILE = "admin.json"
"""Where the PIN lived before it moved into the data folder: beside the settings file."""
MIN_PIN_LENGTH = 6
MAX_PIN_LENGTH = 32
FREE_ATTEMPTS = 3
FIRST_DELAY_S = 30.0
MAX_DELAY_S = 3600.0

GUARDED_ACTIONS = {
    "enroll": "enroll a person",
    "remove": "remove a person or a record",
    "settings": "change the settings",
    "export": "export the attendance history",
    "exit_kiosk": "leave kiosk mode",
    "stop_camera": "stop the camera in kiosk mode",
    "export_data": "export all face data",
    "delete_data": "delete all face data",
    "open_data_folder": "open the data folder",
    "problems_log": "read the problems log",
}
"""Everything the admin PIN protects, by name, with how the PIN prompt calls it."""


class AdminLockError(RuntimeError):
    """A wrong PIN, a PIN asked too soon after failures, or an unusable new PIN."""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: float = 0.0
    """When not allowed because of rate limiting: seconds until the next attempt is accepted."""
    problem: str = ""
    """When refused whatever the PIN: why (a damaged record, an unreadable database)."""


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors; memory per check is 128 * r * n bytes."""

    n: int
    r: int
    p: int

    @property
    def maxmem(self) -> int:
        return 2 * 128 * self.r * self.n * self.p + (1 << 20)

    def is_sane(self) -> bool:
        """Bounds for parameters read back from storage: a tampered record must not make a check
        allocate gigabytes or run for minutes."""
        return (2 ** 10 <= self.n <= 2 ** 20 and self.n & (self.n - 1) == 0
                and 1 <= self.r <= 32 and 1 <= self.p <= 16)


SCRYPT_COST = ScryptCost(n=2 ** 17, r=10, p=1)
"""About 0.35-0.4 s and 160 MiB per check on the development machine (docs/security.md)."""
LEGACY_SCRYPT_COST = ScryptCost(n=2 ** 14, r=8, p=1)
"""What admin.json hashes were made with (about 50 ms a check): they still verify."""
DAMAGED_RECORD = ("the admin PIN record is damaged, so no PIN opens the lock; "
                  "docs/security.md (Forgotten or damaged PIN) says how the admin removes it")
_SALT_BYTES = 16
_HASH_BYTES = 32


@dataclass(frozen=True)
class PinHash:
    """A PIN's salted hash with the parameters that made it, as stored in the record's secret."""

    cost: ScryptCost
    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, pin: str, cost: ScryptCost) -> PinHash:
        salt = os.urandom(_SALT_BYTES)
        return cls(cost, salt, _scrypt(pin, salt, cost))

    def matches(self, pin: str) -> bool:
        return hmac.compare_digest(_scrypt(pin, self.salt, self.cost), self.digest)

    def to_text(self) -> str:
        return json.dumps({"kdf": "scrypt", "n": self.cost.n, "r": self.cost.r, "p": self.cost.p,
                           "salt": self.salt.hex(), "hash": self.digest.hex()})

    @classmethod
    def from_text(cls, text: str) -> PinHash | None:
        """The hash in a stored secret, or None when the secret is damaged or of an unknown kind."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("kdf") != "scrypt":
                return None
            cost = ScryptCost(int(data["n"]), int(data["r"]), int(data["p"]))
            salt, digest = bytes.fromhex(data["salt"]), bytes.fromhex(data["hash"])
        except (ValueError, KeyError, TypeError):
            return None
        if not cost.is_sane() or len(salt) < _SALT_BYTES or len(digest) != _HASH_BYTES:
            return None
        return cls(cost, salt, digest)


def _scrypt(pin: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p,
                          maxmem=cost.maxmem, dklen=_HASH_BYTES)


def validate_new_pin(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH):
        raise AdminLockError(f"the PIN must be at least {MIN_PIN_LENGTH} digits (at most {MAX_PIN_LENGTH})")


def refusal_text(verdict: Verdict) -> str:
    """What to tell whoever gave a refused PIN."""
    if verdict.problem:
        return verdict.problem
    if verdict.retry_after_s > 0:
        return f"too many wrong admin PINs; try again in {math.ceil(verdict.retry_after_s)} s"
    return "wrong admin PIN"


def lockout_s(failures: int) -> float:
    """How long attempts wait after ``failures`` failures in a row (0 while attempts are free)."""
    excess = failures - FREE_ATTEMPTS
    return 0.0 if excess < 0 else min(FIRST_DELAY_S * 2.0 ** min(excess, 32), MAX_DELAY_S)


class AdminLock:
    """The admin PIN of one data folder; every method is safe across threads and processes."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time, *,
                 legacy_config_dir: Path | None = None, store: PinStore | None = None,
                 cost: ScryptCost = SCRYPT_COST):
        self.data_dir = Path(data_dir)
        self.store: PinStore = store if store is not None else SqlitePinStore(self.data_dir / DATABASE_FILE_NAME)
        self._clock = clock
        self._cost = cost
        if legacy_config_dir is not None:
            self._adopt_legacy_file(Path(legacy_config_dir) / LEGACY_ADMIN_FILE)

    @classmethod
    def for_settings(cls, settings: Settings, config_file: Path | str | None = None) -> AdminLock:
        """The lock of ``settings.data_dir``; a PIN still beside the settings file moves in once."""
        legacy_dir = Path(config_file).parent if config_file is not None else user_config_dir()
        store = pin_store_for(Path(settings.data_dir) / DATABASE_FILE_NAME, settings.database_url)
        return cls(settings.data_dir, legacy_config_dir=legacy_dir, store=store)

    # -- state ---------------------------------------------------------------
    def _record(self) -> PinRecord:
        try:
            return self.store.read()
        except StorageError as error:
            log.warning("admin PIN record unreadable, so the lock stays closed: %s", error)
            return DAMAGED

    def unreadable(self) -> str | None:
        """Why the PIN record cannot be read (the database cannot be opened, the disk is full …), so that
        nothing can say whether a PIN is set; None when it can be read."""
        try:
            self.store.read()
        except StorageError as error:
            return str(error)
        return None

    @property
    def enabled(self) -> bool:
        return self._record().secret is not None

    @property
    def damaged(self) -> bool:
        """A PIN record exists but cannot be read: nothing opens the lock."""
        secret = self._record().secret
        return secret is not None and PinHash.from_text(secret) is None

    # -- use -----------------------------------------------------------------
    def set_pin(self, new_pin: str, current_pin: str | None = None) -> None:
        """Set or change the PIN; changing one needs the current PIN."""
        validate_new_pin(new_pin)
        if self.enabled and not self.check(current_pin or "").allowed:
            raise AdminLockError("the current PIN is wrong")
        secret = PinHash.of(new_pin, self._cost).to_text()
        self.store.update(lambda _old: PinRecord(secret))

    def clear_pin(self, current_pin: str) -> None:
        if not self.check(current_pin).allowed:
            raise AdminLockError("the PIN is wrong")
        self.store.update(lambda _old: NO_PIN)

    def check(self, pin: str) -> Verdict:
        """Whether ``pin`` unlocks; always allowed when no PIN is set. Every attempt counts."""
        if self._record().secret is None:  # no PIN: nothing to count, and no database to create
            return Verdict(True)
        now = self._clock()
        try:
            before, after = self.store.update(lambda record: _count_attempt(record, now))
        except StorageError as error:
            log.warning("admin PIN not checked: %s", error)
            return Verdict(False, problem=f"the admin PIN cannot be checked, so the lock stays closed: {error}")
        if before.secret is None:
            return Verdict(True)
        if now < before.locked_until:
            return Verdict(False, before.locked_until - now)
        stored = PinHash.from_text(before.secret)
        if stored is None:
            return Verdict(False, max(after.locked_until - now, 0.0), DAMAGED_RECORD)
        if not stored.matches(pin):
            return Verdict(False, max(after.locked_until - now, 0.0))
        upgraded = PinHash.of(pin, self._cost).to_text() if stored.cost != self._cost else before.secret
        # Only the record that was checked is reset: a PIN changed meanwhile keeps its own count.
        self.store.update(lambda record: PinRecord(upgraded) if record.secret == before.secret else record)
        return Verdict(True)

    # -- the PIN file of earlier versions ---------------------------------------
    def _adopt_legacy_file(self, path: Path) -> None:
        """Move a PIN from ``admin.json`` beside the settings into the data folder, once.

        The file is removed after the move: it would keep the PIN crackable at the old, cheap cost.
        A damaged file moves in as a damaged (closed) record. When the data folder already has a PIN
        the file is left alone: it may belong to another data folder.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as error:
            text = ""
            log.warning("%s cannot be read (%s); the admin PIN it held stays locked", path, error)
        adopted = _legacy_record(text)
        try:
            before, _after = self.store.update(lambda record: adopted if record.secret is None else record)
        except StorageError as error:
            log.warning("admin PIN in %s not moved into the data folder: %s", path, error)
            return
        if before.secret is None:
            path.unlink(missing_ok=True)
            log.info("admin PIN moved from %s into %s", path, self.data_dir)


def _count_attempt(record: PinRecord, now: float) -> PinRecord:
    """The record after one more attempt, counted before the PIN is checked."""
    if record.secret is None:
        return record
    failures = record.failures + 1
    if now < record.locked_until:  # refused unchecked; it counts, but does not extend this wait
        return dataclasses.replace(record, failures=failures)
    delay = lockout_s(failures)
    return PinRecord(record.secret, failures, now + delay if delay else record.locked_until)


def _legacy_record(text: str) -> PinRecord:
    """admin.json of earlier versions: {"salt", "hash", "failures", "locked_until"}, scrypt at N=2^14."""
    try:
        data = json.loads(text)
        salt, digest = bytes.fromhex(data["salt"]), bytes.fromhex(data["hash"])
        failures, locked_until = int(data.get("failures", 0)), float(data.get("locked_until", 0.0))
    except (ValueError, KeyError, TypeError, AttributeError):
        return DAMAGED
    if len(salt) < _SALT_BYTES or len(digest) != _HASH_BYTES or failures < 0:
        return DAMAGED
    return PinRecord(PinHash(LEGACY_SCRYPT_COST, salt, digest).to_text(), failures, locked_until)
