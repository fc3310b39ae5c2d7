"""RetinaFace (mobilenet0.25): boxes, five landmarks and a score per face."""
from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from ..config import Settings
from .face import Face
from .model_contracts import check_detector
from .session import OnnxModel

# The network's training contract (biubug6/Pytorch_Retinaface, see SOURCES.md).
BGR_MEAN = (104.0, 117.0, 123.0)
MIN_SIZES = ((16, 32), (64, 128), (256, 512))
STEPS = (8, 16, 32)
VARIANCES = (0.1, 0.2)


@lru_cache(maxsize=16)
def priors(height: int, width: int) -> np.ndarray:
    """(P, 4) anchors (cx, cy, w, h) in input pixels, ordered level → row → column → size."""
    per_level = []
    for step, sizes in zip(STEPS, MIN_SIZES):
        rows, cols = math.ceil(height / step), math.ceil(width / step)
        cy, cx = np.meshgrid((np.arange(rows) + 0.5) * step, (np.arange(cols) + 0.5) * step, indexing="ij")
        centres = np.stack([cx, cy], axis=-1).reshape(-1, 1, 2)
        size = np.array(sizes, dtype=np.float64).reshape(1, -1, 1)
        anchors = np.concatenate(
            [np.broadcast_to(centres, (centres.shape[0], len(sizes), 2)),
             np.broadcast_to(size, (centres.shape[0], len(sizes), 2))], axis=-1)
        per_level.append(anchors.reshape(-1, 4))
    result = np.concatenate(per_level).astype(np.float32)
    result.setflags(write=False)
    return result


def decode(loc: np.ndarray, landmarks: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Network offsets → boxes (x1, y1, x2, y2) and landmarks (5, 2) in input pixels."""
    centre, size = anchors[:, :2], anchors[:, 2:]
    box_centre = centre + loc[:, :2] * VARIANCES[0] * size
    box_size = size * np.exp(loc[:, 2:] * VARIANCES[1])
    boxes = np.concatenate([box_centre - box_size / 2, box_centre + box_size / 2], axis=1)
    points = centre[:, None, :] + landmarks.reshape(-1, 5, 2) * VARIANCES[0] * size[:, None, :]
    return boxes, points


class RetinaFaceDetector:
    def __init__(self, model: OnnxModel, settings: Settings):
        self.model = model
        self.input_name = check_detector(model)
        self.configure(settings)

    def configure(self, settings: Settings) -> None:
        self.input_size = settings.detector_input_size
        self.confidence = settings.detector_confidence
        self.nms_iou = settings.detector_nms_iou
        self.min_face_size = settings.min_face_size

    def input_shape(self, height: int, width: int, long_side: int | None = None) -> tuple[int, int]:
        scale = (long_side or self.input_size) / max(height, width)
        return max(1, round(height * scale)), max(1, round(width * scale))

    @staticmethod
    def network_input(image: np.ndarray, height: int, width: int) -> np.ndarray:
        """The image resized to height x width, minus the training mean, as NCHW float32."""
        return cv2.dnn.blobFromImage(image, 1.0, (width, height), BGR_MEAN, swapRB=False, crop=False)

    def detect(self, image: np.ndarray, long_side: int | None = None) -> list[Face]:
        """Faces in a BGR uint8 image, highest score first; ``long_side`` overrides the input size."""
        height, width = image.shape[:2]
        in_h, in_w = self.input_shape(height, width, long_side)
        loc, conf, landmarks = self.model.run({self.input_name: self.network_input(image, in_h, in_w)})
        scores = conf[0, :, 1]
        keep = np.flatnonzero(scores >= self.confidence)
        if keep.size == 0:
            return []
        boxes, points = decode(loc[0, keep], landmarks[0, keep], priors(in_h, in_w)[keep])
        scale = np.array([width / in_w, height / in_h], dtype=np.float32)
        boxes = (boxes.reshape(-1, 2, 2) * scale).reshape(-1, 4)
        points = points * scale
        scores = scores[keep]
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        kept_by_nms = cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), self.confidence, self.nms_iou)
        chosen = np.asarray(kept_by_nms, dtype=int).reshape(-1)
        faces = [Face(boxes[i].astype(np.float32), points[i].astype(np.float32), float(scores[i]))
                 for i in chosen[np.argsort(-scores[chosen])]]
        if self.min_face_size:
            faces = [f for f in faces if f.width >= self.min_face_size]
        return faces
