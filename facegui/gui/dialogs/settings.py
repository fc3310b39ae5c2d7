"""The settings dialog: the Settings page with OK, Apply and Cancel; a valid change goes to the context."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from ...config import SettingsError
from ..core.context import AppContext
from ..core.text import arg
from ..pages.settings import SettingsPage


class SettingsDialog(QDialog):
    applied = Signal(object, object)
    """(Settings, GuiPreferences), on Apply or OK once validated."""

    def __init__(self, context: AppContext, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setObjectName("settingsDialog")
        self.context = context
        self.settings, self.prefs = context.settings, context.prefs
        self.page = SettingsPage(choose_source=self._choose_source, engine=context.engine)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        layout.addWidget(buttons)
        self.page.load(self.settings, self.prefs)

    def apply(self) -> bool:
        try:
            settings, prefs = self.page.values(self.settings, self.prefs)
        except SettingsError as exc:
            self.error.setText(arg(self.tr("Not applied: %1"), exc))
            return False
        self.error.clear()
        self.settings, self.prefs = settings, prefs
        self.applied.emit(settings, prefs)
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def _choose_source(self, field: QLineEdit) -> None:
        from .source import SourceDialog

        dialog = SourceDialog(field.text(), self.context.file_dialogs, self)
        if dialog.exec():
            field.setText(dialog.source())
