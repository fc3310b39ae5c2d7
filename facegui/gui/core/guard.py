"""The admin PIN in the window: ``Guard``, plain logic with no dialog of its own (``dialogs/pin.py`` has them).

``Guard.allow(action)`` is asked before every guarded action. With no PIN set it says yes without asking;
otherwise it asks for the PIN through ``prompt`` (a callable: label → PIN text, or None when cancelled) and
checks it with ``AdminLock.check``; a refusal reaches the user through ``notify`` as "Wrong PIN" or, when
rate-limited, "Too many wrong PINs; try again in N s". Tests replace ``prompt`` and ``notify``; the window
uses ``ask_pin`` (a password dialog) and a message box.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ...service.admin_lock import GUARDED_ACTIONS, AdminLock, AdminLockError, Verdict

from .text import arg

translate = QCoreApplication.translate
WRONG_PIN = QT_TRANSLATE_NOOP("Guard", "Wrong PIN")


def refusal_message(verdict: Verdict) -> str:
    if verdict.problem:  # no PIN would do: saying "Wrong PIN" would send the admin guessing
        return translate("Guard", "The admin PIN record is damaged or cannot be read, so no PIN opens the "
                                  "lock; docs/security.md says how to remove it")
    if verdict.retry_after_s > 0:
        return arg(translate("Guard", "Too many wrong PINs; try again in %1 s"), math.ceil(verdict.retry_after_s))
    return translate("Guard", WRONG_PIN)


class Guard:
    """Decides whether a guarded action may run; asks for the PIN only when one is set."""

    def __init__(self, lock: AdminLock, prompt: Callable[[str], str | None] | None = None,
                 notify: Callable[[str], None] | None = None,
                 run: Callable[[Callable[[], Any]], Any] | None = None):
        self.lock = lock
        self.prompt = prompt or (lambda _label: None)
        self.notify = notify or (lambda _message: None)
        self.run = run or (lambda fn: fn())
        """How the slow PIN checks run: the window shows the wait cursor meanwhile (``tasks.with_busy_cursor``)."""
        self.last_message = ""

    @property
    def enabled(self) -> bool:
        return self.lock.enabled

    def allow(self, action: str) -> bool:
        if not self.lock.enabled:
            return True
        pin = self.prompt(GUARDED_ACTIONS.get(action, action))
        if pin is None:  # cancelled: refused, without a message
            return False
        verdict = self.run(lambda: self.lock.check(pin))
        if verdict.allowed:
            return True
        self._refuse(refusal_message(verdict))
        return False

    def _refuse(self, message: str) -> None:
        self.last_message = message
        self.notify(message)

    def change_pin(self, current: str | None, new: str, repeat: str, clear: bool = False) -> str:
        """Set, change or clear the PIN; returns what happened, raises AdminLockError with a message to show."""
        if self.lock.enabled:
            verdict = self.run(lambda: self.lock.check(current or ""))
            if not verdict.allowed:
                message = refusal_message(verdict)
                self.last_message = message
                raise AdminLockError(message)
            if clear:
                self.run(lambda: self.lock.clear_pin(current or ""))
                return translate("Guard", "Admin PIN cleared: every action is open to anyone at this computer")
        elif clear:
            return translate("Guard", "No admin PIN is set")
        if new != repeat:
            raise AdminLockError(translate("Guard", "The two new PINs differ"))
        self.run(lambda: self.lock.set_pin(new, current))
        return translate("Guard", "Admin PIN set")
