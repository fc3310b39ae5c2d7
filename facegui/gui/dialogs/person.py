"""One person, opened by a double-click in the People page: rename them, see and prune their photos, and
open their attendance. Every change asks for the admin PIN; the rules are the service's (service/people.py)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from ...service.enrollment import photos_unlike_the_rest
from ...service.people import PeopleError, delete_photo, person_photos, rename_person
from ..core.context import AppContext
from ..core.text import arg, number_text
from ..core.thumbnails import THUMBNAIL_SIZE, enrolled_face
from ..drawing import bgr_to_qimage

RENAME = "rename a person"
"""The PIN prompt's words for a rename."""
PHOTO_ICON = 56
"""Each photo is shown as the face enrollment took from it, big enough to spot a blurred or wrong one."""


def photo_faces(workspace, records) -> dict[int, QImage]:
    """Runs in a pool thread: {embedding id: the face enrolled from that photo} for photos still on this computer
    (a camera frame or an unknown face keeps no file; the person's thumbnail stands in for it)."""
    faces = {}
    for record in records:
        chip = enrolled_face(workspace, Path(record.source_path)) if record.source_path else None
        if chip is not None:
            faces[record.embedding_id] = bgr_to_qimage(chip).copy()
    return faces


class PersonDialog(QDialog):
    attendanceRequested = Signal(str)
    """The person's attendance (the history filtered to them) was asked for."""
    changed = Signal()
    """Renamed, or a photo deleted (after the service did it)."""
    facesShown = Signal(object)
    """{embedding id: QImage} of the photos whose face could be found again in their file."""
    unlikeShown = Signal(object)
    """{embedding id: best similarity} of the photos marked as unlike the person's others."""

    def __init__(self, context: AppContext, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.person = context, name
        self.setObjectName("personDialog")
        self.resize(520, 440)
        self.photo = QLabel()
        self.photo.setFixedSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
        self.name = QLineEdit(name)
        self.name.setObjectName("personName")
        self.rename_button = QPushButton(self.tr("Rename"))
        self.name.returnPressed.connect(self.rename)
        self.rename_button.clicked.connect(self.rename)
        top = QHBoxLayout()
        top.addWidget(self.photo)
        top.addWidget(self.name, 1)
        top.addWidget(self.rename_button)
        self.photos = QListWidget()
        self.photos.setObjectName("personPhotos")
        self.photos.setIconSize(QSize(PHOTO_ICON, PHOTO_ICON))
        self.delete_button = QPushButton(self.tr("Delete photo"))
        self.delete_button.setToolTip(self.tr("A bad photo (blurred, someone else) makes recognition worse"))
        self.delete_button.clicked.connect(self.delete_selected_photo)
        self.photos.currentRowChanged.connect(lambda row: self.delete_button.setEnabled(row >= 0))
        attendance = QPushButton(self.tr("Attendance…"))
        attendance.clicked.connect(lambda: self.attendanceRequested.emit(self.person))
        row = QHBoxLayout()
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(attendance)
        self.message = QLabel()
        self.message.setObjectName("personMessage")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(self.tr("Photos this person was enrolled from:")))
        layout.addWidget(self.photos, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.setWindowTitle(self.person)
        self.photo.setPixmap(self.context.thumbnails.icon(self.person).pixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.records = person_photos(self.context.recognizer.gallery, self.person)
        self.photos.clear()
        placeholder = self.context.thumbnails.icon(self.person)
        for record in self.records:
            source = Path(record.source_path).name if record.source_path else self.tr("camera or unknown face")
            item = QListWidgetItem(placeholder, f"{record.enrolled_at}  ·  {source}")
            item.setToolTip(record.source_path or "")
            item.setData(Qt.ItemDataRole.UserRole, record.embedding_id)
            self.photos.addItem(item)
        self.delete_button.setEnabled(self.photos.currentRow() >= 0)
        self.context.tasks.start(photo_faces, self.context.workspace, list(self.records), on_done=self._show_faces)
        self.context.tasks.start(photos_unlike_the_rest, self.context.recognizer.gallery, self.person,
                                 self.context.settings.enroll_min_own_similarity, on_done=self._mark_unlike)

    def _mark_unlike(self, unlike: dict[int, float]) -> None:
        """Photos whose face looks like none of the person's other photos: likely somebody else's, which
        would have the station greet that somebody as this person."""
        for row in range(self.photos.count()):
            item = self.photos.item(row)
            best = unlike.get(item.data(Qt.ItemDataRole.UserRole))
            if best is not None:
                item.setText(item.text() + "  ·  " + arg(self.tr("⚠ unlike the other photos (%1)"), number_text(best)))
                item.setForeground(Qt.GlobalColor.darkRed)
        if unlike:
            self.message.setText(self.tr("%n photo(s) look like none of this person's other photos and may be "
                                         "somebody else's: delete such a photo, or the station may greet that "
                                         "somebody by this name.", "", len(unlike)))
        self.unlikeShown.emit(unlike)

    def _show_faces(self, faces: dict[int, QImage]) -> None:
        """Each photo's face, found again off the GUI thread (the list may have been reloaded meanwhile)."""
        for row in range(self.photos.count()):
            item = self.photos.item(row)
            face = faces.get(item.data(Qt.ItemDataRole.UserRole))
            if face is not None:
                item.setIcon(QIcon(QPixmap.fromImage(face)))
        self.facesShown.emit(faces)

    def rename(self) -> bool:
        new = self.name.text().strip()
        if new == self.person:
            return False
        if not self.context.guard.allow(RENAME):
            self.name.setText(self.person)
            return False
        old = self.person
        try:
            renamed = rename_person(self.context.recognizer.gallery, old, new)
        except PeopleError as exc:
            self.message.setText(str(exc))
            self.name.setText(old)
            return False
        self.context.thumbnails.rename(old, renamed)
        self.person = renamed
        self.name.setText(renamed)
        self.message.setText(arg(self.tr("Renamed %1 to %2: photos and attendance follow."), old, renamed))
        self.reload()
        self.changed.emit()
        self.context.peopleChanged.emit()
        return True

    def delete_selected_photo(self) -> bool:
        item = self.photos.currentItem()
        if item is None or not self.context.guard.allow("remove"):
            return False
        try:
            delete_photo(self.context.recognizer.gallery, self.person, item.data(Qt.ItemDataRole.UserRole))
        except PeopleError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText(self.tr("Photo deleted."))
        self.reload()
        self.changed.emit()
        self.context.peopleChanged.emit()
        return True
