"""Five-point alignment to the ArcFace 112x112 template, as pure functions."""
from __future__ import annotations

import cv2
import numpy as np

from .face import Face

CHIP_SIZE = 112
# The standard ArcFace template (insightface), for a 112x112 chip.
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)


ARCFACE_TEMPLATE.setflags(write=False)


def similarity_transform(landmarks: np.ndarray, chip_size: int = CHIP_SIZE) -> np.ndarray:
    """2x3 rotation + uniform scale + shift mapping the landmarks onto the template."""
    # Once per face and frame: no copies where the landmarks and the chip are already as needed.
    template = ARCFACE_TEMPLATE if chip_size == CHIP_SIZE else ARCFACE_TEMPLATE * (chip_size / CHIP_SIZE)
    points = landmarks if landmarks.dtype == np.float32 and landmarks.flags.c_contiguous else \
        np.ascontiguousarray(landmarks, np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(points, template, method=cv2.LMEDS)
    if matrix is None:  # degenerate landmarks (all on one point)
        raise ValueError("cannot align a face whose landmarks coincide")
    return matrix


def align_face(image: np.ndarray, landmarks: np.ndarray, chip_size: int = CHIP_SIZE) -> np.ndarray:
    return cv2.warpAffine(image, similarity_transform(landmarks, chip_size), (chip_size, chip_size),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def align_faces(image: np.ndarray, faces: list[Face], chip_size: int = CHIP_SIZE) -> list[np.ndarray]:
    return [align_face(image, face.landmarks, chip_size) for face in faces]
