"""The admin PIN in the window: ``Guard`` (plain logic, no dialogs of its own) and the two small PIN dialogs.

``Guard.allow(action)`` is asked before every guarded action. With no PIN set it says yes without asking;
otherwise it asks for the PIN through ``prompt`` (a callable: label → PIN text, or None when cancelled) and
checks it with ``AdminLock.check``; a refusal reaches the user through ``notify`` as "Wrong PIN" or, when
rate-limited, "Too many wrong PINs; try again in N s". Tests replace ``prompt`` and ``notify``; the window
uses ``ask_pin`` (a password dialog) and a message box.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel, QLineEdit,
                               QVBoxLayout)

from ..service.admin_lock import GUARDED_ACTIONS, MIN_PIN_LENGTH, AdminLock, AdminLockError, Verdict

WRONG_PIN = "Wrong PIN"


def refusal_message(verdict: Verdict) -> str:
    if verdict.retry_after_s > 0:
        return f"Too many wrong PINs; try again in {math.ceil(verdict.retry_after_s)} s"
    return WRONG_PIN


class Guard:
    """Decides whether a guarded action may run; asks for the PIN only when one is set."""

    def __init__(self, lock: AdminLock, prompt: Callable[[str], str | None] | None = None,
                 notify: Callable[[str], None] | None = None):
        self.lock = lock
        self.prompt = prompt or (lambda _label: None)
        self.notify = notify or (lambda _message: None)
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
        verdict = self.lock.check(pin)
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
            verdict = self.lock.check(current or "")
            if not verdict.allowed:
                message = refusal_message(verdict)
                self.last_message = message
                raise AdminLockError(message)
            if clear:
                self.lock.clear_pin(current or "")
                return "Admin PIN cleared: every action is open to anyone at this computer"
        elif clear:
            return "No admin PIN is set"
        if new != repeat:
            raise AdminLockError("The two new PINs differ")
        self.lock.set_pin(new, current)
        return "Admin PIN set"


def ask_pin(parent, label: str) -> str | None:
    """A password field: the PIN, or None when cancelled."""
    pin, ok = QInputDialog.getText(parent, "Admin PIN", f"Enter the admin PIN to {label}:",
                                   QLineEdit.EchoMode.Password)
    return pin if ok else None


class SetPinDialog(QDialog):
    """First time: the new PIN twice. Later: the current PIN, then the new one twice, or "clear"."""

    def __init__(self, guard: Guard, parent=None):
        super().__init__(parent)
        self.guard = guard
        self.result_message = ""
        self.setWindowTitle("Admin PIN")
        self.setObjectName("setPinDialog")
        enabled = guard.enabled
        self.current = self._pin_field()
        self.new = self._pin_field()
        self.repeat = self._pin_field()
        self.clear = QCheckBox("Clear the PIN (no more protection)")
        self.clear.toggled.connect(lambda on: (self.new.setEnabled(not on), self.repeat.setEnabled(not on)))
        form = QFormLayout()
        if enabled:
            form.addRow("Current PIN:", self.current)
        form.addRow("New PIN:", self.new)
        form.addRow("New PIN again:", self.repeat)
        if enabled:
            form.addRow(self.clear)
        intro = QLabel(f"The admin PIN ({MIN_PIN_LENGTH} or more digits) guards enrolling, removing, the settings, "
                       "exports, deleting face data and leaving kiosk mode.")
        intro.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("pinError")
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @staticmethod
    def _pin_field() -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def submit(self) -> bool:
        try:
            self.result_message = self.guard.change_pin(
                self.current.text() if self.guard.enabled else None, self.new.text(), self.repeat.text(),
                clear=self.clear.isChecked())
        except AdminLockError as exc:
            text = str(exc)
            self.error.setText(text[:1].upper() + text[1:])
            return False
        self.accept()
        return True
