"""The two small PIN dialogs: asking for the admin PIN, and setting, changing or clearing it."""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel, QLineEdit,
                               QVBoxLayout)

from ...service.admin_lock import MIN_PIN_LENGTH, AdminLockError
from ..core.guard import Guard


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
