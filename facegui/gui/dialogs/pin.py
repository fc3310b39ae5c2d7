"""The two small PIN dialogs: asking for the admin PIN, and setting, changing or clearing it."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel, QLineEdit,
                               QVBoxLayout)

from ...service.admin_lock import MIN_PIN_LENGTH, AdminLockError
from ..core.guard import Guard
from ..core.text import arg

translate = QCoreApplication.translate
ACTION_WORDS = (
    # GUARDED_ACTIONS' words (service/admin_lock.py) and the history's, as the PIN prompt says them.
    QT_TRANSLATE_NOOP("PinPrompt", "enroll a person"),
    QT_TRANSLATE_NOOP("PinPrompt", "remove a person or a record"),
    QT_TRANSLATE_NOOP("PinPrompt", "change the settings"),
    QT_TRANSLATE_NOOP("PinPrompt", "export the attendance history"),
    QT_TRANSLATE_NOOP("PinPrompt", "leave kiosk mode"),
    QT_TRANSLATE_NOOP("PinPrompt", "stop the camera in kiosk mode"),
    QT_TRANSLATE_NOOP("PinPrompt", "export all face data"),
    QT_TRANSLATE_NOOP("PinPrompt", "delete all face data"),
    QT_TRANSLATE_NOOP("PinPrompt", "open the data folder"),
    QT_TRANSLATE_NOOP("PinPrompt", "read the problems log"),
    QT_TRANSLATE_NOOP("PinPrompt", "view the attendance history"),
)
SERVICE_ERRORS = (
    # AdminLockError texts without a value in them; others are shown as the service wrote them.
    QT_TRANSLATE_NOOP("PinPrompt", "the current PIN is wrong"),
    QT_TRANSLATE_NOOP("PinPrompt", "the PIN is wrong"),
)


def ask_pin(parent, label: str) -> str | None:
    """A password field: the PIN, or None when cancelled."""
    pin, ok = QInputDialog.getText(parent, translate("PinPrompt", "Administrator PIN"),
                                   arg(translate("PinPrompt", "Enter the admin PIN to %1:"), translate("PinPrompt", label)),
                                   QLineEdit.EchoMode.Password)
    return pin if ok else None


class SetPinDialog(QDialog):
    """First time: the new PIN twice. Later: the current PIN, then the new one twice, or "clear"."""

    def __init__(self, guard: Guard, parent=None):
        super().__init__(parent)
        self.guard = guard
        self.result_message = ""
        self.setWindowTitle(self.tr("Administrator PIN"))
        self.setObjectName("setPinDialog")
        enabled = guard.enabled
        self.current = self._pin_field()
        self.new = self._pin_field()
        self.repeat = self._pin_field()
        self.clear = QCheckBox(self.tr("Clear the PIN (no more protection)"))
        self.clear.toggled.connect(lambda on: (self.new.setEnabled(not on), self.repeat.setEnabled(not on)))
        form = QFormLayout()
        if enabled:
            form.addRow(self.tr("Current PIN:"), self.current)
        form.addRow(self.tr("New PIN:"), self.new)
        form.addRow(self.tr("New PIN again:"), self.repeat)
        if enabled:
            form.addRow(self.clear)
        intro = QLabel(self.tr("The admin PIN (%n or more digits) guards enrolling, removing, the settings, "
                               "exports, deleting face data and leaving kiosk mode.", "", MIN_PIN_LENGTH))
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
            text = translate("PinPrompt", str(exc))
            self.error.setText(text[:1].upper() + text[1:])
            return False
        self.accept()
        return True
