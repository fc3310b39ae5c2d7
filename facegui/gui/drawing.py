"""Boxes, names and similarities painted with QPainter, so any Unicode name renders.

Plain functions on QImage: safe in worker threads (QImage, unlike QPixmap, is not tied
to the GUI thread).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

KNOWN_COLOUR = QColor(60, 200, 80)
UNKNOWN_COLOUR = QColor(230, 40, 40)


@dataclass(frozen=True)
class FaceResult:
    """One face as the GUI sees it: plain data, no embeddings."""

    name: str
    similarity: float
    bbox: tuple[float, float, float, float]
    score: float
    is_known: bool
    track_id: int | None = None
    """The tracker's id of this face, the same from frame to frame while it stays in view (None without
    tracking)."""

    @classmethod
    def from_recognition(cls, rec, track_id: int | None = None) -> "FaceResult":
        return cls(rec.name, float(rec.similarity), tuple(float(v) for v in rec.face.bbox),
                   float(rec.face.score), bool(rec.is_known), track_id)

    @property
    def label(self) -> str:
        return f"{self.name} {self.similarity:.2f}"


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A QImage that owns a copy of a BGR (or grey) uint8 array."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    rgb = np.ascontiguousarray(image[:, :, 2::-1])
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888).copy()


def draw_faces(image: QImage, faces: list[FaceResult]) -> QImage:
    """Paint every face onto ``image`` in place and return it.

    Known faces: solid green box, name and similarity on a green tag.
    Unknown faces: dashed red box, "unknown" and the best similarity on a red tag.
    """
    if not faces:
        return image
    long_side = max(image.width(), image.height())
    thickness = max(2.0, long_side / 320)
    font = QFont()
    font.setPixelSize(max(12, round(long_side / 45)))
    font.setBold(True)
    metrics = QFontMetricsF(font)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(font)
        for face in faces:
            colour = KNOWN_COLOUR if face.is_known else UNKNOWN_COLOUR
            pen = QPen(colour, thickness)
            if not face.is_known:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            x1, y1, x2, y2 = face.bbox
            painter.drawRect(QRectF(x1, y1, x2 - x1, y2 - y1))
            text = face.label
            pad = thickness
            width = metrics.horizontalAdvance(text) + 2 * pad
            height = metrics.height() + pad
            top = y1 - height if y1 - height >= 0 else y2  # above the box, else below it
            left = min(max(x1 - thickness / 2, 0), max(image.width() - width, 0))
            tag = QRectF(left, top, width, height)
            painter.fillRect(tag, colour)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return image


def annotated(image_bgr: np.ndarray, faces: list[FaceResult]) -> QImage:
    return draw_faces(bgr_to_qimage(image_bgr), faces)
