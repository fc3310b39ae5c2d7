"""The face record that travels through the pipeline: detect → align → embed → match."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Face:
    bbox: np.ndarray
    """(x1, y1, x2, y2) in original image pixels, float32."""
    landmarks: np.ndarray
    """(5, 2): left eye, right eye, nose, left and right mouth corner, image pixels."""
    score: float
    embedding: np.ndarray | None = None
    """L2-normalised, set by the embedder."""

    @property
    def width(self) -> float:
        return float(self.bbox[2] - self.bbox[0])

    @property
    def height(self) -> float:
        return float(self.bbox[3] - self.bbox[1])

    @property
    def area(self) -> float:
        return max(self.width, 0.0) * max(self.height, 0.0)

    def with_embedding(self, embedding: np.ndarray) -> "Face":
        # What dataclasses.replace would give, in a fraction of its time (once per face and frame).
        return type(self)(self.bbox, self.landmarks, self.score, embedding)

    def require_embedding(self) -> np.ndarray:
        """The embedding of a face the embedder has seen; a face straight from the detector has none."""
        if self.embedding is None:
            raise ValueError("this face was detected but never embedded")
        return self.embedding

    def box_ints(self) -> tuple[int, int, int, int]:
        x1, y1, x2, y2 = np.round(self.bbox).astype(int)
        return int(x1), int(y1), int(x2), int(y2)


def largest(faces: list[Face]) -> Face | None:
    return max(faces, key=lambda f: f.area, default=None)
