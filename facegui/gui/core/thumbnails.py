"""One small picture of each enrolled person's face, kept next to the database (owner-only).

People enrolled in the window get theirs at enrollment; for people enrolled with the CLI,
``make_missing_thumbnails`` (run on the pool) finds the face again in the photo the database remembers.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap

from ...engine import ImageError
from ...engine.imageio import load_image
from ...files import atomic_write, make_private_dir
from ...service.enrollment import choose_and_align

THUMBNAIL_DIR = "thumbnails"
THUMBNAIL_SIZE = 64


class ThumbnailStore:
    """One PNG of an enrollment face per person, in ``data_dir/thumbnails`` (0700)."""

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

    def rename(self, old: str, new: str) -> None:
        """The picture follows a renamed person (kept if the new name has one already)."""
        source, target = self.path_for(old), self.path_for(new)
        if source.is_file() and not target.exists():
            source.replace(target)

    def icon(self, name: str) -> QIcon:
        """GUI thread only (QPixmap)."""
        path = self.path_for(name)
        if path.is_file():
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                return QIcon(pixmap)
        return QIcon(placeholder(name))


def make_missing_thumbnails(workspace, thumbnails: ThumbnailStore, names) -> list[str]:
    """Runs in a pool thread: a thumbnail for each named person who has none, from the photo of their first
    enrollment (detect, choose the face and align it as enrollment does). Returns the names that got one;
    a photo that is gone, unreadable or without a face is skipped (the placeholder stays)."""
    made = []
    for name in names:
        if thumbnails.has(name):
            continue
        source = workspace.first_enrollment_photo(name)
        chip = None if source is None else enrolled_face(workspace, source)
        if chip is None:
            continue
        thumbnails.save(name, chip)
        made.append(name)
    return made


def enrolled_face(workspace, source: Path) -> np.ndarray | None:
    """Runs in a pool thread: the aligned face enrollment takes from the photo ``source`` (detect, choose,
    align as enrollment does), or None when the photo is gone, unreadable or has no face."""
    settings = workspace.settings
    try:
        image = load_image(source, settings.max_image_pixels, settings.max_image_bytes)
    except (ImageError, OSError):
        return None
    chosen = choose_and_align(workspace.recognizer.engine, image, settings.enroll_min_score)
    return None if chosen is None else chosen.chip


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
