"""An optional admin PIN that guards the actions a kiosk user must not take.

The PIN is stored only as a salted scrypt hash in ``admin.json`` in the user config folder. Wrong
PINs are rate-limited: after ``FREE_ATTEMPTS`` failures each further attempt must wait twice as long
as the previous one (capped), and the failure count survives a restart, so guessing a 4-digit PIN
takes days, not minutes.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write

ADMIN_FILE = "admin.json"
MIN_PIN_LENGTH = 4
FREE_ATTEMPTS = 3
FIRST_DELAY_S = 30.0
MAX_DELAY_S = 3600.0
# scrypt cost: ~50 ms per check here, too slow for brute force on a stolen file, quick for a person.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}

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
}
"""Everything the admin PIN protects, by name, with how the PIN prompt calls it."""


class AdminLockError(RuntimeError):
    """A wrong PIN, a PIN asked too soon after failures, or an unusable new PIN."""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: float = 0.0
    """When not allowed because of rate limiting: seconds until the next attempt is accepted."""


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, **_SCRYPT)


class AdminLock:
    def __init__(self, config_dir: Path, clock: Callable[[], float] = time.time):
        self.path = Path(config_dir) / ADMIN_FILE
        self._clock = clock
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------
    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A damaged file must not unlock the kiosk: treat it as a PIN nobody knows.
            return {"salt": "", "hash": "", "failures": 0, "locked_until": 0.0}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(self.path, json.dumps(data).encode("utf-8"))

    @property
    def enabled(self) -> bool:
        return "hash" in self._load()

    # -- use -----------------------------------------------------------------
    def set_pin(self, new_pin: str, current_pin: str | None = None) -> None:
        """Set or change the PIN; changing one needs the current PIN."""
        if len(new_pin) < MIN_PIN_LENGTH or not new_pin.isdigit():
            raise AdminLockError(f"the PIN must be at least {MIN_PIN_LENGTH} digits")
        if self.enabled and not self.check(current_pin or "").allowed:
            raise AdminLockError("the current PIN is wrong")
        salt = os.urandom(16)
        with self._lock:
            self._save({"salt": salt.hex(), "hash": _hash(new_pin, salt).hex(), "failures": 0, "locked_until": 0.0})

    def clear_pin(self, current_pin: str) -> None:
        if not self.check(current_pin).allowed:
            raise AdminLockError("the PIN is wrong")
        with self._lock:
            self.path.unlink(missing_ok=True)

    def check(self, pin: str) -> Verdict:
        """Whether ``pin`` unlocks; always allowed when no PIN is set."""
        with self._lock:
            data = self._load()
            if "hash" not in data:
                return Verdict(True)
            now = self._clock()
            if now < data.get("locked_until", 0.0):
                return Verdict(False, data["locked_until"] - now)
            try:
                ok = hmac.compare_digest(_hash(pin, bytes.fromhex(data["salt"])), bytes.fromhex(data["hash"]))
            except ValueError:
                ok = False
            if ok:
                data.update(failures=0, locked_until=0.0)
            else:
                data["failures"] = data.get("failures", 0) + 1
                excess = data["failures"] - FREE_ATTEMPTS
                if excess >= 0:
                    data["locked_until"] = now + min(FIRST_DELAY_S * 2 ** excess, MAX_DELAY_S)
            self._save(data)
            return Verdict(ok, 0.0 if ok else max(data.get("locked_until", 0.0) - now, 0.0))
