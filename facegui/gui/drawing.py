"""The window's faces as plain data, painted by facegui.render (any Unicode name renders)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from ..render import FaceLabel, bgr_to_qimage, draw_labels, label_text


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
    fresh: bool = True
    """Embedded in this frame; False when the tracker holds the name of an earlier frame."""

    @classmethod
    def from_recognition(cls, rec, track_id: int | None = None, fresh: bool = True) -> "FaceResult":
        return cls(rec.name, float(rec.similarity), tuple(float(v) for v in rec.face.bbox),
                   float(rec.face.score), bool(rec.is_known), track_id, fresh)

    @property
    def shown_name(self) -> str:
        """The name as the window shows it: an unknown face's tag in the window's language (陌生人)."""
        return self.name if self.is_known else unknown_name()

    @property
    def label(self) -> str:
        return label_text(self.shown_name, self.similarity)


def unknown_name() -> str:
    """What the window calls a face nobody matches; the engine's ``UNKNOWN`` stays the data's word (and the CLI's)."""
    return QCoreApplication.translate("FaceOverlay", "unknown")


def draw_faces(image: QImage, faces: list[FaceResult]) -> QImage:
    """Paint every face onto ``image`` in place and return it, with the renderer the CLI's files use."""
    return draw_labels(image, [FaceLabel(f.shown_name, f.similarity, f.bbox, f.is_known) for f in faces])


def annotated(image_bgr: np.ndarray, faces: list[FaceResult]) -> QImage:
    return draw_faces(bgr_to_qimage(image_bgr), faces)
