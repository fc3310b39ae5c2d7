"""Choose the camera source: a device index, a video file or a URL."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGridLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout)

from ...engine.video import parse_source
from ...service.sources import source_problem
from ..core.problems import video_source_problem_text
from ..core.file_dialogs import VIDEO_FILTER, FileDialogs
from ..core.text import arg


class SourceDialog(QDialog):
    refused = Signal(str)
    """The service's one-line reason a chosen video file was not accepted."""

    def __init__(self, current: str, file_dialogs: FileDialogs, parent=None):
        super().__init__(parent)
        self.file_dialogs = file_dialogs
        self.setWindowTitle(self.tr("Camera source"))
        self.device_radio = QRadioButton(self.tr("Camera device"))
        self.file_radio = QRadioButton(self.tr("Video file"))
        self.url_radio = QRadioButton(self.tr("Stream URL"))
        group = QButtonGroup(self)
        for radio in (self.device_radio, self.file_radio, self.url_radio):
            group.addButton(radio)
        self.device = QSpinBox()
        self.device.setRange(0, 63)
        self.file = QLineEdit()
        self.file.setPlaceholderText(self.tr("path/to/video.mp4"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.url = QLineEdit()
        self.url.setPlaceholderText(self.tr("rtsp://camera.local/stream or http://…"))
        grid = QGridLayout()
        grid.addWidget(self.device_radio, 0, 0)
        grid.addWidget(self.device, 0, 1)
        grid.addWidget(self.file_radio, 1, 0)
        grid.addWidget(self.file, 1, 1)
        grid.addWidget(browse, 1, 2)
        grid.addWidget(self.url_radio, 2, 0)
        grid.addWidget(self.url, 2, 1, 1, 2)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.device.valueChanged.connect(lambda: self.device_radio.setChecked(True))
        self.file.textEdited.connect(lambda: self.file_radio.setChecked(True))
        self.url.textEdited.connect(lambda: self.url_radio.setChecked(True))
        self.set_source(current)

    def set_source(self, source: str) -> None:
        parsed = parse_source(source or "0")
        if isinstance(parsed, int):
            self.device.setValue(parsed)
            self.device_radio.setChecked(True)
        elif "://" in parsed:
            self.url.setText(parsed)
            self.url_radio.setChecked(True)
        else:
            self.file.setText(parsed)
            self.file_radio.setChecked(True)

    def source(self) -> str:
        if self.device_radio.isChecked():
            return str(self.device.value())
        if self.file_radio.isChecked():
            return self.file.text().strip()
        return self.url.text().strip()

    def _browse(self) -> None:
        path = self.file_dialogs.open_file(self, self.tr("Video file"), VIDEO_FILTER)
        if path:
            self.file.setText(path)
            self.file_radio.setChecked(True)

    def _accept(self) -> None:
        source = self.source()
        if not source:
            self.error.setText(self.tr("Enter a video file or a URL."))
            return
        problem = source_problem(source) if self.file_radio.isChecked() else None
        if problem:
            # Checked now (it exists and a frame can be read from it), not retried every few seconds for ever
            # and not kept in Recent sources. The reason is the service's, with the file name in it.
            self.error.setText(arg(self.tr("Cannot use this video file: %1"), video_source_problem_text(problem)))
            self.refused.emit(str(problem))
            return
        if self.url_radio.isChecked() and "://" not in source:
            self.error.setText(self.tr("A URL needs a scheme, e.g. rtsp:// or http://."))
            return
        self.accept()
