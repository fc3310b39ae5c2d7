"""The enrolled-people list (thumbnail, name, photo count, remove) and its thumbnail store.

People enrolled in the window get their thumbnail at enrollment; for people enrolled with
the CLI, ``make_missing_thumbnails`` (run on the pool) finds the face again in the photo the
database remembers (``FaceDatabase.first_source``).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from ..engine import ImageError
from ..files import atomic_write, make_private_dir
from ..service.enrollment import choose_and_align
from ..engine.imageio import load_image

THUMBNAIL_DIR = "thumbnails"
THUMBNAIL_SIZE = 64


class ThumbnailStore:
    """One PNG of an enrollment face per person, kept next to the database (owner-only)."""

    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / THUMBNAIL_DIR

    def path_for(self, name: str) -> Path:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{digest}.png"

    def has(self, name: str) -> bool:
        return self.path_for(name).is_file()

    def save(self, name: str, chip_bgr: np.ndarray) -> None:
        """Safe in a worker thread (no QPixmap)."""
        make_private_dir(self.folder)
        ok, png = cv2.imencode(".png", chip_bgr)
        if ok:
            atomic_write(self.path_for(name), png.tobytes())  # 0600 whatever the umask

    def remove(self, name: str) -> None:
        self.path_for(name).unlink(missing_ok=True)

    def icon(self, name: str) -> QIcon:
        """GUI thread only (QPixmap)."""
        path = self.path_for(name)
        if path.is_file():
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                return QIcon(pixmap)
        return QIcon(placeholder(name))


def make_missing_thumbnails(engine, database, thumbnails: ThumbnailStore, names, max_image_pixels: int) -> list[str]:
    """Runs in a pool thread: a thumbnail for each named person who has none, from the photo of their first
    enrollment (detect, choose the face and align it as enrollment does). Returns the names that got one;
    a photo that is gone, unreadable or without a face is skipped (the placeholder stays)."""
    made = []
    for name in names:
        if thumbnails.has(name):
            continue
        source = database.first_source(name)
        if source is None:
            continue
        try:
            image = load_image(Path(source), max_image_pixels, engine.settings.max_image_bytes)
        except (ImageError, OSError):
            continue
        chosen = choose_and_align(engine, image, engine.settings.enroll_min_score)
        if chosen is None:
            continue
        thumbnails.save(name, chosen.chip)
        made.append(name)
    return made


def placeholder(name: str) -> QPixmap:
    """A coloured square with the name's first letter, for people without a thumbnail."""
    image = QImage(THUMBNAIL_SIZE, THUMBNAIL_SIZE, QImage.Format.Format_RGB32)
    hue = int(hashlib.md5(name.encode("utf-8")).hexdigest()[:4], 16) % 360
    image.fill(QColor.fromHsv(hue, 90, 170))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(34)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, (name[:1] or "?").upper())
    painter.end()
    return QPixmap.fromImage(image)


class PeoplePanel(QWidget):
    """Lists PersonRecords; asks for confirmation before emitting ``removeRequested``."""

    removeRequested = Signal(str)
    enrollRequested = Signal()

    def __init__(self, thumbnails: ThumbnailStore, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.title = QLabel("<b>Enrolled people</b>")
        self.list = QListWidget()
        self.list.setObjectName("peopleList")
        self.list.setIconSize(QSize(48, 48))
        self.list.setUniformItemSizes(True)
        self.enroll_button = QPushButton("Enroll…")
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.enroll_button.clicked.connect(self.enrollRequested)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentItemChanged.connect(lambda item, _prev: self.remove_button.setEnabled(item is not None))

    def set_people(self, people) -> None:
        selected = self.selected_name()
        self.list.clear()
        for person in people:
            photos = "photo" if person.embedding_count == 1 else "photos"
            item = QListWidgetItem(self.thumbnails.icon(person.name), f"{person.name}\n{person.embedding_count} {photos}")
            item.setData(Qt.ItemDataRole.UserRole, person.name)
            item.setToolTip(f"{person.name}: {person.embedding_count} {photos}, first enrolled "
                            f"{person.first_enrolled_at or '?'}")
            self.list.addItem(item)
            if person.name == selected:
                self.list.setCurrentItem(item)
        self.title.setText(f"<b>Enrolled people</b> ({len(people)})")

    def refresh_icons(self, names) -> None:
        """Reload the thumbnails of ``names`` (made after the list was filled)."""
        wanted = set(names)
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            if name in wanted:
                item.setIcon(self.thumbnails.icon(name))

    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        answer = QMessageBox.question(
            self, "Remove person",
            f"Remove {name} and all their enrolled photos?\nTheir attendance history (check-ins, sightings and "
            "snapshots) is deleted too.\nThis cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.removeRequested.emit(name)
