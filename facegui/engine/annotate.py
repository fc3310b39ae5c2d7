"""Drawing boxes, names and similarities onto a BGR frame (CLI output, video files)."""
from __future__ import annotations

import cv2
import numpy as np

from .matcher import Recognition

KNOWN_COLOUR = (80, 200, 60)
UNKNOWN_COLOUR = (40, 40, 230)


def label(recognition: Recognition) -> str:
    return f"{recognition.name} {recognition.similarity:.2f}"


def draw_recognitions(image: np.ndarray, recognitions: list[Recognition]) -> np.ndarray:
    """A copy of ``image`` with each face boxed; names OpenCV cannot draw become '?'."""
    canvas = image.copy()
    thickness = max(1, round(max(image.shape[:2]) / 400))
    font_scale = max(0.45, max(image.shape[:2]) / 1400)
    for rec in recognitions:
        colour = KNOWN_COLOUR if rec.is_known else UNKNOWN_COLOUR
        x1, y1, x2, y2 = rec.face.box_ints()
        cv2.rectangle(canvas, (x1, y1), (x2, y2), colour, thickness)
        text = label(rec).encode("ascii", "replace").decode("ascii")
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
        top = max(y1 - th - base - 4, 0)
        cv2.rectangle(canvas, (x1, top), (x1 + tw + 4, top + th + base + 4), colour, cv2.FILLED)
        cv2.putText(canvas, text, (x1 + 2, top + th + 2), cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                    (255, 255, 255), thickness, cv2.LINE_AA)
    return canvas
