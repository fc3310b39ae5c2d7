"""Enroll a person from the current camera frame or from image files.

The plain-Python part (find faces, quality checks, write to the gallery) is at the top and
runs in pool threads; the dialog only shows what it returns.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ...service import enrollment
from ...service.enrollment import EnrollReport, Photo
from ..core.context import AppContext
from ..core.tasks import TaskRunner
from ..drawing import bgr_to_qimage
from ..widgets.file_drop import FileDropTarget
from ..core.problems import image_problem_text, refusal_text
from ..core.text import arg
PREVIEW_SIZE = 224


def analyze_file(recognizer, path: Path) -> Photo:
    return enrollment.analyze_file(recognizer.engine, recognizer.settings, Path(path))


def analyze_frame(recognizer, frame: np.ndarray) -> Photo:
    return enrollment.analyze_frame(recognizer.engine, recognizer.settings, frame)


def enroll_photos(recognizer, thumbnails, name: str, photos: list[Photo]) -> EnrollReport:
    """Runs in a worker: append each chosen face to the database and index."""
    return enrollment.enroll_photos(recognizer.gallery, thumbnails, name, photos, recognizer.settings)


def chip_pixmap(chip: np.ndarray, size: int) -> QPixmap:
    return QPixmap.fromImage(bgr_to_qimage(chip)).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


class EnrollDialog(FileDropTarget, QDialog):
    enrolled = Signal(object)
    """EnrollReport, after the gallery was written."""
    photoAnalyzed = Signal(object)
    """Photo, once its faces were found."""
    refused = Signal(str)
    """The message shown when the input is refused."""

    def __init__(self, context: AppContext, names=(), frame_provider=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enroll person"))
        self.setObjectName("enrollDialog")
        self.setAcceptDrops(True)
        self.resize(720, 480)
        self.context = context
        self.frame_provider = frame_provider or (lambda: None)
        self.tasks = TaskRunner(max_threads=1, parent=self)
        self.photos: list[Photo] = []
        self._pending = 0

        self.capture_button = QPushButton(self.tr("Capture from camera"))
        self.capture_button.setToolTip(self.tr("Use the frame the live view shows now"))
        self.files_button = QPushButton(self.tr("Add photos…"))
        self.remove_button = QPushButton(self.tr("Remove photo"))
        hint = QLabel(self.tr("…or drop image files here"))
        hint.setStyleSheet("color: gray")
        sources = QHBoxLayout()
        for widget in (self.capture_button, self.files_button, self.remove_button):
            sources.addWidget(widget)
        sources.addWidget(hint, 1)

        self.photo_list = QListWidget()
        self.photo_list.setObjectName("enrollPhotos")
        self.photo_list.setIconSize(QSize(40, 40))
        self.preview = QLabel(self.tr("No photo yet"))
        self.preview.setObjectName("enrollPreview")
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #202020; color: #bbbbbb")
        self.face_picker = QListWidget()
        self.face_picker.setObjectName("enrollFacePicker")
        self.face_picker.setViewMode(QListWidget.ViewMode.IconMode)
        self.face_picker.setIconSize(QSize(56, 56))
        self.face_picker.setFixedHeight(84)
        self.face_picker.setFlow(QListWidget.Flow.LeftToRight)
        self.face_picker.setWrapping(False)
        self.warning = QLabel()
        self.warning.setObjectName("enrollWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b26a00")
        right = QVBoxLayout()
        right.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(QLabel(self.tr("Faces in this photo (click to choose):")))
        right.addWidget(self.face_picker)
        right.addWidget(self.warning)
        right.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.photo_list, 1)
        middle.addLayout(right)
        # The preview, the label under it, the faces and the warning each keep their own room.
        right.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)

        self.name = QComboBox()
        self.name.setObjectName("enrollName")
        self.name.setEditable(True)
        self.name.addItems(sorted(names, key=str.casefold))
        self.name.setCurrentText("")
        self.name.lineEdit().setPlaceholderText(self.tr("New name, or pick someone to add photos to"))
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        self.message = QLabel()
        self.message.setObjectName("enrollMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.enroll_button = self.buttons.addButton(self.tr("Enroll"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.enroll_button.clicked.connect(self.enroll)

        layout = QVBoxLayout(self)
        layout.addLayout(sources)
        layout.addLayout(middle, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.capture_button.clicked.connect(self.capture)
        self.files_button.clicked.connect(self._pick_files)
        self.remove_button.clicked.connect(self.remove_current_photo)
        self.photo_list.currentRowChanged.connect(self._show_photo)
        self.photo_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self._update_buttons()
        self.face_picker.currentRowChanged.connect(self.choose_face)

    # -- sources -------------------------------------------------------------
    def capture(self) -> None:
        frame = self.frame_provider()
        if frame is None:
            self._set_message(self.tr("The camera is not streaming: start it first, or add photo files."), error=True)
            return
        self._analyze(analyze_frame, self.context.recognizer, frame.copy())

    def _pick_files(self) -> None:
        self.add_files(self.context.file_dialogs.open_files(self, self.tr("Photos of the person")))

    def add_files(self, paths) -> None:
        for path in paths:
            self._analyze(analyze_file, self.context.recognizer, Path(path))

    def _analyze(self, fn, *args) -> None:
        self._pending += 1
        self._update_buttons()
        self._set_message(self.tr("Looking for faces…"))
        self.tasks.start(fn, *args, on_done=self._add_photo, on_failed=self._analysis_failed)

    def _analysis_failed(self, message: str) -> None:
        self._pending -= 1
        self._update_buttons()
        self._set_message(arg(self.tr("Could not look for faces: %1"), message), error=True)

    def _add_photo(self, photo: Photo) -> None:
        self._pending -= 1
        self.photos.append(photo)
        item = QListWidgetItem(self._photo_text(photo))
        if photo.face is not None:
            item.setIcon(QIcon(chip_pixmap(photo.face.chip, 40)))
        self.photo_list.addItem(item)
        self.photo_list.setCurrentRow(len(self.photos) - 1)
        self._update_buttons()
        self._set_message("" if self._pending else self.tr("Enter the name, then press Enroll."))
        self.photoAnalyzed.emit(photo)

    def _photo_text(self, photo: Photo) -> str:
        if photo.error:
            return f"✗ {photo.label}: {image_problem_text(photo.error)}"
        extra = arg(self.tr(" (%n faces, #%1 chosen)", "", len(photo.faces)), photo.chosen + 1) \
            if len(photo.faces) > 1 else ""
        return f"{photo.label}{extra}"

    def remove_current_photo(self) -> None:
        row = self.photo_list.currentRow()
        if 0 <= row < len(self.photos):
            del self.photos[row]
            self.photo_list.takeItem(row)
            if not self.photos:
                self._show_photo(-1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        """Enroll needs photos and no analysis running; Remove photo needs one selected."""
        self.enroll_button.setEnabled(bool(self.photos) and self._pending == 0)
        self.remove_button.setEnabled(0 <= self.photo_list.currentRow() < len(self.photos))

    def files_dropped(self, paths) -> None:
        self.add_files(paths)

    # -- preview -------------------------------------------------------------
    def _show_photo(self, row: int) -> None:
        self.face_picker.blockSignals(True)
        self.face_picker.clear()
        self.face_picker.blockSignals(False)
        if not 0 <= row < len(self.photos):
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("No photo yet"))
            self.warning.clear()
            return
        photo = self.photos[row]
        self.face_picker.blockSignals(True)
        for i, face in enumerate(photo.faces):
            item = QListWidgetItem(QIcon(chip_pixmap(face.chip, 56)), f"{i + 1}")
            item.setToolTip(arg(self.tr("%1 px wide, sharpness %2"), f"{face.width:.0f}", f"{face.sharpness:.0f}"))
            self.face_picker.addItem(item)
        self.face_picker.setCurrentRow(photo.chosen if photo.faces else -1)
        self.face_picker.blockSignals(False)
        self._update_preview(photo)

    def _update_preview(self, photo: Photo) -> None:
        if photo.face is None:
            self.preview.setPixmap(QPixmap())
            if photo.faces or not photo.error or "no face" in photo.error:
                self.preview.setText(self.tr("No face"))
                self.warning.setText(arg(self.tr("No face found in %1: remove it and add another photo."),
                                         photo.label))
            else:  # not a picture at all (cannot be decoded, too large, not a file): say that, not "no face"
                self.preview.setText(self.tr("Not usable"))
                self.warning.setText(arg(self.tr("%1: %2 — remove it and add another photo."), photo.label,
                                         image_problem_text(photo.error)))
            return
        self.preview.setPixmap(chip_pixmap(photo.face.chip, PREVIEW_SIZE))
        lines = [arg(self.tr("Warning: %1."), photo.warning)] if photo.warning and photo.chosen == 0 else []
        if len(photo.faces) > 1:
            lines.append(arg(self.tr("%n faces found in %1; face #%2 (the largest confident one) will be enrolled. "
                                     "Click another face above to choose it.", "", len(photo.faces))
                             if photo.chosen == 0 else
                             self.tr("%n faces found in %1; face #%2 (your choice) will be enrolled. "
                                     "Click another face above to choose it.", "", len(photo.faces)),
                             photo.label, photo.chosen + 1))
        self.warning.setText(" ".join(lines))

    def choose_face(self, index: int) -> None:
        row = self.photo_list.currentRow()
        if not 0 <= row < len(self.photos):
            return
        photo = self.photos[row]
        if 0 <= index < len(photo.faces):
            photo.chosen = index
            self.photo_list.item(row).setText(self._photo_text(photo))
            self.photo_list.item(row).setIcon(QIcon(chip_pixmap(photo.face.chip, 40)))
            self._update_preview(photo)

    # -- enrolling -----------------------------------------------------------
    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828" if error else "")
        self.message.setText(text)

    def _refuse(self, text: str) -> None:
        self._set_message(text, error=True)
        self.refused.emit(text)

    def enroll(self) -> None:
        name = self.name.currentText().strip()
        if not name:
            self._refuse(self.tr("Enter the person's name: it cannot be empty."))
            return
        if not self.photos:
            self._refuse(self.tr("Add a photo first: capture the camera frame or choose image files."))
            return
        if self._pending:
            self._refuse(self.tr("Still looking for faces; try again in a moment."))
            return
        settings = self.context.settings
        problems = enrollment.quality_problems(self.photos, settings)
        if problems:
            self._refuse(self.tr("Cannot enroll:") + "\n" + "\n".join(
                refusal_text(problem) + (self.tr(" — remove it or add another photo")
                                         if problem.problem.rule in (enrollment.NO_FACE, enrollment.UNREADABLE) else "")
                for problem in problems))
            return
        self.enroll_button.setEnabled(False)
        self._set_message(arg(self.tr("Enrolling %1…"), name))
        self.tasks.start(enroll_photos, self.context.recognizer, self.context.thumbnails, name, list(self.photos),
                         on_done=self._enrolled, on_failed=self._enroll_failed)

    def _enrolled(self, report: EnrollReport) -> None:
        text = arg(self.tr("Enrolled %n photo(s) of %1.", "", report.enrolled), report.name)
        if report.skipped:
            text += " " + arg(self.tr("Skipped %1."), self.tr("; ").join(refusal_text(r) for r in report.skipped))
        self._set_message(text)
        self.photos.clear()
        self.photo_list.clear()
        self._show_photo(-1)
        self._update_buttons()
        if self.name.findText(report.name) < 0:
            self.name.addItem(report.name)
        self.enrolled.emit(report)

    def _enroll_failed(self, message: str) -> None:
        self._update_buttons()
        self._refuse(arg(self.tr("Enrollment failed: %1"), message))

    def done(self, result: int) -> None:
        self.tasks.wait(5000)
        super().done(result)
