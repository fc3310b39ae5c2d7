"""Help ▸ Problems log: the last lines of the problems log, for an admin asking what happened overnight."""
from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from ...config import Settings
from ...service.diagnostics import log_path, recent_lines
from ..core.text import arg


class ProblemsLogDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Problems log"))
        self.resize(900, 500)
        path = log_path(settings)
        try:
            lines = recent_lines(settings)
            problem = ""
        except OSError as exc:
            lines, problem = [], exc.strerror or str(exc)
        if problem:
            heading = arg(self.tr("%1 cannot be read: %2"), str(path), problem)
        elif lines:
            heading = arg(self.tr("Warnings and unexpected errors of this data folder, newest last (%1):"), str(path))
        else:
            heading = arg(self.tr("Nothing has gone wrong here: %1 holds no problems."), str(path))
        self.lines = lines
        """What the dialog shows: the lines the admin has now seen."""
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy = buttons.addButton(self.tr("Copy all"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setEnabled(bool(lines))
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
