"""Identify photos: name every face in chosen or dropped images, and show the annotated results."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSizePolicy,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...engine import ImageError
from ...service.inputs import expand_image_paths
from ..core.context import AppContext
from ..core.problems import image_problem_text
from ..drawing import FaceResult, annotated
from ..core.text import arg, number_text

@dataclass(frozen=True)
class IdentifyResult:
    path: Path
    image: QImage | None = None
    faces: list[FaceResult] = field(default_factory=list)
    error: str | None = None

    @property
    def names_left_to_right(self) -> list[str]:
        return [f.name for f in sorted(self.faces, key=lambda f: f.bbox[0])]


def identify_paths(recognizer, paths, report=lambda result: None) -> list[IdentifyResult]:
    """Runs in a worker: every face of every image; bad files become error results."""
    results = []
    selection = expand_image_paths(paths)
    no_images = QCoreApplication.translate("Identifier", "no images found")
    # A row of its own for each, as a file that cannot be read gets (nothing given at all: one row too).
    for folder in selection.empty_folders if paths else [Path(".")]:
        results.append(IdentifyResult(folder, error=no_images))
        report(results[-1])
    for path in selection.files:
        try:
            image = recognizer.load(path)
            faces = [FaceResult.from_recognition(r) for r in recognizer.identify(image)]
            result = IdentifyResult(path, annotated(image, faces), faces)
        except ImageError as exc:
            result = IdentifyResult(path, error=image_problem_text(exc.reason))
        except Exception as exc:  # anything else about one file must not stop the others
            result = IdentifyResult(path, error=arg(QCoreApplication.translate("Identifier", "cannot be identified (%1)"), exc))
        results.append(result)
        report(result)
    return results


class _ImageLabel(QLabel):
    """Shows a QImage scaled to fit, keeping its aspect."""

    def __init__(self):
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None

    def set_image(self, image: QImage | None, text: str = "") -> None:
        self._image = image
        if image is None:
            self.setPixmap(QPixmap())
            self.setText(text)
        self._rescale()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self):
        if self._image is not None:
            self.setPixmap(QPixmap.fromImage(self._image).scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))


class IdentifyResultsDialog(QDialog):
    """Files on the left; the selected file's annotated image and faces on the right."""

    resultAdded = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Identification results"))
        self.setObjectName("identifyResults")
        self.resize(980, 600)
        self.results: list[IdentifyResult] = []
        self.files = QListWidget()
        self.files.setObjectName("identifyFiles")
        self.files.setWordWrap(True)
        self.image = _ImageLabel()
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("identifyFaces")
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Similarity")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(150)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.image, 1)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.table)
        splitter = QSplitter()
        splitter.addWidget(self.files)
        splitter.addWidget(right)
        splitter.setSizes([300, 680])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        self.files.currentRowChanged.connect(self._show)

    def clear(self) -> None:
        self.results.clear()
        self.files.clear()
        self.table.setRowCount(0)
        self.image.set_image(None, "")
        self.summary.clear()

    def add_result(self, result: IdentifyResult) -> None:
        self.results.append(result)
        if result.error:
            item = QListWidgetItem(f"✗ {result.path.name}: {result.error}")
            item.setForeground(QColor(200, 30, 30))
        else:
            names = ", ".join(f.shown_name for f in sorted(result.faces, key=lambda f: f.bbox[0])) or self.tr("no face")
            item = QListWidgetItem(f"{result.path.name}: {names}")
        item.setToolTip(str(result.path))
        self.files.addItem(item)
        if self.files.currentRow() < 0 or (self.results[self.files.currentRow()].error and not result.error):
            self.files.setCurrentRow(len(self.results) - 1)
        self.resultAdded.emit(result)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            return
        result = self.results[row]
        if result.error:
            self.image.set_image(None, f"{result.path.name}\n\n{result.error}")
            self.summary.setText(f"<b>{result.path}</b>: {result.error}")
            self.table.setRowCount(0)
            return
        self.image.set_image(result.image)
        faces = sorted(result.faces, key=lambda f: f.bbox[0])
        self.summary.setText(f"<b>{result.path.name}</b>: " + self.tr("%n face(s), left to right", "", len(faces)))
        self.table.setRowCount(len(faces))
        for i, face in enumerate(faces):
            name = QTableWidgetItem(face.shown_name)
            if not face.is_known:
                name.setForeground(QColor(200, 30, 30))
            self.table.setItem(i, 0, name)
            self.table.setItem(i, 1, QTableWidgetItem(number_text(face.similarity, 3)))


class Identifier(QObject):
    """Runs identification on the context's pool and shows the results in one reused dialog."""

    finished = Signal(object)
    """list[IdentifyResult] of one drop or "Identify photos" action."""

    def __init__(self, context: AppContext, parent_window: QWidget):
        super().__init__(parent_window)
        self.context, self.parent_window = context, parent_window
        self.results_dialog: IdentifyResultsDialog | None = None

    def choose_files(self) -> None:
        paths = self.context.file_dialogs.open_files(self.parent_window, self.tr("Identify photos"))
        if paths:
            self.identify_files(paths)

    def identify_files(self, paths) -> None:
        if self.results_dialog is None:
            self.results_dialog = IdentifyResultsDialog(self.parent_window)
        dialog = self.results_dialog
        dialog.clear()
        dialog.setWindowTitle(self.tr("Identification results — %n item(s)", "", len(paths)))
        dialog.show()
        dialog.raise_()
        self.context.notice.emit(self.tr("Identifying…"), 0)

        def done(results):
            failed = sum(1 for r in results if r.error)
            faces = sum(len(r.faces) for r in results)
            text = arg(self.tr("Identified %n face(s) in %1", "", faces),
                       self.tr("%n image(s)", "", len(results) - failed))
            if failed:
                text += self.tr("; %n file(s) could not be read", "", failed)
            self.context.notice.emit(text, 8000)
            self.finished.emit(results)

        def failed(message):
            self.context.problem.emit(self.tr("Identify photos"), message)
            self.finished.emit([])

        self.context.tasks.start(identify_paths, self.context.recognizer, list(paths),
                                 on_progress=dialog.add_result, on_done=done, on_failed=failed)
