"""Boxes, names and similarities painted with QPainter: the window's overlay and the CLI's files.

Plain functions on QImage: safe in worker threads (QImage, unlike QPixmap, is not tied to the
GUI thread). The same call gives the same pixels wherever it runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPen

from ..engine.matcher import Recognition
from .fonts import displayable_name, label_font
from .headless import ensure_gui_application
from .images import as_bgr, wrap_bgr

KNOWN_COLOUR = QColor(60, 200, 80)
UNKNOWN_COLOUR = QColor(230, 40, 40)
TEXT_COLOUR = QColor(255, 255, 255)
LINE_WIDTH_DIVISOR = 320
"""The box line is the image's long side / this, at least MIN_LINE_WIDTH pixels."""
MIN_LINE_WIDTH = 2.0
TEXT_SIZE_DIVISOR = 45
"""The label text is the image's long side / this, at least MIN_TEXT_PIXELS high."""
MIN_TEXT_PIXELS = 12


@dataclass(frozen=True)
class FaceLabel:
    """What is drawn for one face."""

    name: str
    similarity: float
    box: tuple[float, float, float, float]
    """x1, y1, x2, y2 in image pixels."""
    is_known: bool

    @classmethod
    def from_recognition(cls, recognition: Recognition) -> "FaceLabel":
        x1, y1, x2, y2 = (float(v) for v in recognition.face.bbox)
        return cls(recognition.name, float(recognition.similarity), (x1, y1, x2, y2), bool(recognition.is_known))


def label_text(name: str, similarity: float) -> str:
    """The tag's text: the name as the fonts can draw it, and the similarity."""
    shown = displayable_name(name)
    return f"{shown} {similarity:.2f}" if shown else f"{similarity:.2f}"


def draw_labels(image: QImage, labels: Iterable[FaceLabel]) -> QImage:
    """Paint every face onto ``image`` in place and return it.

    Known faces: solid green box, name and similarity on a green tag.
    Unknown faces: dashed red box, "unknown" and the best similarity on a red tag.
    """
    labels = list(labels)
    if not labels:
        return image
    long_side = max(image.width(), image.height())
    thickness = max(MIN_LINE_WIDTH, long_side / LINE_WIDTH_DIVISOR)
    font = label_font(max(MIN_TEXT_PIXELS, round(long_side / TEXT_SIZE_DIVISOR)))
    metrics = QFontMetricsF(font)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(font)
        for face in labels:
            colour = KNOWN_COLOUR if face.is_known else UNKNOWN_COLOUR
            pen = QPen(colour, thickness)
            if not face.is_known:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            x1, y1, x2, y2 = face.box
            painter.drawRect(QRectF(x1, y1, x2 - x1, y2 - y1))
            text = label_text(face.name, face.similarity)
            pad = thickness
            width = metrics.horizontalAdvance(text) + 2 * pad
            height = metrics.height() + pad
            top = y1 - height if y1 - height >= 0 else y2  # above the box, else below it
            left = min(max(x1 - thickness / 2, 0), max(image.width() - width, 0))
            tag = QRectF(left, top, width, height)
            painter.fillRect(tag, colour)
            painter.setPen(TEXT_COLOUR)
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return image


def annotated_copy(image_bgr: np.ndarray, recognitions: Iterable[Recognition]) -> np.ndarray:
    """A BGR copy of ``image_bgr`` with every recognition drawn: the CLI's annotated files."""
    ensure_gui_application()
    canvas = as_bgr(image_bgr)
    if np.may_share_memory(canvas, image_bgr):
        canvas = canvas.copy()
    draw_labels(wrap_bgr(canvas), [FaceLabel.from_recognition(r) for r in recognitions])  # paints into canvas
    return canvas
