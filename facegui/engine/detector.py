"""RetinaFace (mobilenet0.25): boxes, five landmarks and a score per face."""
from __future__ import annotations

import math
import threading
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
COARSEST_STRIDE = STEPS[-1]
"""Regions start on this grid of network-input pixels, so their anchors are the full frame's anchors."""
EDGE_MARGIN = 2.0
"""Network-input pixels: a face box this close to a region's inner edge is cut by it."""

Region = tuple[int, int, int, int]
"""(x1, y1, x2, y2) in image pixels, inside the image."""


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


class _Scratch(threading.local):
    """Per thread, arrays reused from frame to frame, one per recent shape and type: writing a fresh
    3.7 MB blob and three fresh planes for every 640x480 frame cost half of building the detector's input
    (the kernel's page faults and cache misses on new memory). What comes from here is valid only until the
    same thread asks again; the detector uses it only within one call."""

    def __init__(self) -> None:
        self.arrays: dict[tuple[tuple[int, ...], str], np.ndarray] = {}

    def array(self, shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
        key = (shape, np.dtype(dtype).str)
        array = self.arrays.pop(key, None)
        if array is None:
            array = np.empty(shape, dtype)
            if len(self.arrays) >= SCRATCH_ARRAYS:
                del self.arrays[next(iter(self.arrays))]  # the least recently used
        self.arrays[key] = array
        return array


SCRATCH_ARRAYS = 8
"""Arrays each thread keeps: the full frame's blob and planes, and those of a few region sizes."""
_scratch = _Scratch()


def mean_subtracted(image: np.ndarray, out: np.ndarray) -> None:
    """A BGR uint8 image (H, W, 3) minus the training mean, written into ``out`` (3, H, W) float32: the values
    cv2.dnn.blobFromImage gives, in a third of its time (split into reused planes, each subtracted straight
    into the blob by OpenCV)."""
    planes = cv2.split(image, list(_scratch.array((len(BGR_MEAN), *image.shape[:2]), np.uint8)))
    for target, plane, mean in zip(out, planes, BGR_MEAN):
        # OpenCV takes a number for a scalar; its stubs know only arrays.
        written = cv2.subtract(plane, mean, dst=target, dtype=cv2.CV_32F)  # type: ignore[call-overload]
        if written is not target:
            target[...] = written  # OpenCV could not write into this view: copy what it made instead


def decode(loc: np.ndarray, landmarks: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Network offsets → boxes (x1, y1, x2, y2) and landmarks (5, 2) in input pixels."""
    centre, size = anchors[:, :2], anchors[:, 2:]
    box_centre = centre + loc[:, :2] * VARIANCES[0] * size
    half_size = size * np.exp(loc[:, 2:] * VARIANCES[1]) / 2
    boxes = np.concatenate([box_centre - half_size, box_centre + half_size], axis=1)
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
    def network_input(image: np.ndarray, height: int, width: int, scratch: bool = False) -> np.ndarray:
        """The image resized to height x width, minus the training mean, as NCHW float32; with ``scratch``
        in this thread's reused blob, valid until the thread's next call."""
        if image.ndim != 3 or image.shape[2] != len(BGR_MEAN):
            return cv2.dnn.blobFromImage(image, 1.0, (width, height), BGR_MEAN, swapRB=False, crop=False)
        if image.shape[:2] != (height, width):
            image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
        shape = (1, len(BGR_MEAN), height, width)
        blob = _scratch.array(shape, np.float32) if scratch else np.empty(shape, np.float32)
        mean_subtracted(image, blob[0])
        return blob

    def detect(self, image: np.ndarray, long_side: int | None = None) -> list[Face]:
        """Faces in a BGR uint8 image, highest score first; ``long_side`` overrides the input size."""
        height, width = image.shape[:2]
        in_h, in_w = self.input_shape(height, width, long_side)
        outputs = self.model.run({self.input_name: self.network_input(image, in_h, in_w, scratch=True)})
        return self.faces_in(outputs, (height, width), (in_h, in_w))

    def faces_in(self, outputs: list, image_size: tuple[int, int], input_size: tuple[int, int]) -> list[Face]:
        """The faces of one image in the network's ``outputs`` for it: decoded, suppressed, in image pixels."""
        (height, width), (in_h, in_w) = image_size, input_size
        loc, conf, landmarks = outputs
        boxes, points, scores = self._candidates(loc[0], conf[0], landmarks[0], in_h, in_w)
        if not len(scores):
            return []
        if (in_h, in_w) == (height, width):  # the usual camera frame: nothing to scale
            return self._select(boxes, points, scores)
        x_scale, y_scale = width / in_w, height / in_h
        return self._select(boxes * np.array([x_scale, y_scale, x_scale, y_scale], dtype=np.float32),
                            points * np.array([x_scale, y_scale], dtype=np.float32), scores)

    def detect_regions(self, image: np.ndarray, regions: list[Region],
                       max_sides: int | list[int] | None = None, confidence: float | None = None) -> list[Face]:
        """Faces found inside ``regions`` of a BGR image, in one network call.

        Each region is cut from the image at the scale of a full-frame pass, on the network's coarsest
        stride, so the network sees a small face's pixels as a full-frame pass does and gives nearly the
        same box and landmarks. A region wider or taller than its ``max_sides`` network-input pixels (one
        for all, or one per region) is scaled down to that: a large face is found as well at a smaller
        size, for a fraction of the cost. ``confidence`` overrides the detector's score threshold.
        A face cut by a region's edge (where that edge is not the image's) is left out: it lies mostly
        outside, where a full-frame pass will see it whole."""
        if not regions:
            return []
        height, width = image.shape[:2]
        in_h, in_w = self.input_shape(height, width)
        scale = np.array([in_w / width, in_h / height], dtype=np.float32)
        scale4 = np.concatenate([scale, scale])
        network_image = image if (in_h, in_w) == (height, width) else \
            cv2.resize(image, (in_w, in_h), interpolation=cv2.INTER_LINEAR)
        limits = max_sides if isinstance(max_sides, list) else [max_sides] * len(regions)
        cuts, shrinks = [], []
        for (x1, y1, x2, y2), max_side in zip(regions, limits):
            left, top = (int(v // COARSEST_STRIDE * COARSEST_STRIDE) for v in (x1 * scale[0], y1 * scale[1]))
            right = min(in_w, int(-(-x2 * scale[0] // COARSEST_STRIDE) * COARSEST_STRIDE))
            bottom = min(in_h, int(-(-y2 * scale[1] // COARSEST_STRIDE) * COARSEST_STRIDE))
            right, bottom = max(right, left + 1), max(bottom, top + 1)
            cuts.append((left, top, right, bottom))
            shrinks.append(min(1.0, max_side / max(right - left, bottom - top)) if max_side else 1.0)
        sizes = [(max(1, round((b - t) * k)), max(1, round((r - left) * k)))
                 for (left, t, r, b), k in zip(cuts, shrinks)]
        batch_h = -(-max(h for h, _ in sizes) // COARSEST_STRIDE) * COARSEST_STRIDE
        batch_w = -(-max(w for _, w in sizes) // COARSEST_STRIDE) * COARSEST_STRIDE
        blob = _scratch.array((len(cuts), len(BGR_MEAN), batch_h, batch_w), np.float32)
        for index, ((left, top, right, bottom), (h, w)) in enumerate(zip(cuts, sizes)):
            if (h, w) != (batch_h, batch_w):
                blob[index] = 0.0  # beyond the region's own pixels, as the mean-subtracted frame is beyond its border
            crop = network_image[top:bottom, left:right]
            if crop.shape[:2] != (h, w):
                # Bilinear reads every source pixel down to half the size, at a fifth of INTER_AREA's cost
                # for the non-integer factors regions have.
                crop = cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR if h * 2 >= crop.shape[0]
                                  and w * 2 >= crop.shape[1] else cv2.INTER_AREA)
            mean_subtracted(crop, blob[index, :, :h, :w])
        loc, conf, landmarks = self.model.run({self.input_name: blob})
        all_boxes, all_points, all_scores = [], [], []
        for index, ((left, top, right, bottom), shrink) in enumerate(zip(cuts, shrinks)):
            boxes, points, scores = self._candidates(loc[index], conf[index], landmarks[index], batch_h, batch_w,
                                                     confidence)
            origin = np.array([left, top], dtype=np.float32)
            boxes = boxes / shrink + np.array([left, top, left, top], dtype=np.float32)
            points = points / shrink + origin
            margin = EDGE_MARGIN / shrink
            cut = np.zeros(len(boxes), bool)
            if left > 0:
                cut |= boxes[:, 0] <= left + margin
            if top > 0:
                cut |= boxes[:, 1] <= top + margin
            if right < in_w:
                cut |= boxes[:, 2] >= right - margin
            if bottom < in_h:
                cut |= boxes[:, 3] >= bottom - margin
            all_boxes.append(boxes[~cut] / scale4)
            all_points.append(points[~cut] / scale)
            all_scores.append(scores[~cut])
        return self._select(np.concatenate(all_boxes), np.concatenate(all_points), np.concatenate(all_scores),
                            confidence)

    def _candidates(self, loc: np.ndarray, conf: np.ndarray, landmarks: np.ndarray, in_h: int, in_w: int,
                    confidence: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4), landmarks (N, 5, 2) in network-input pixels and scores of one image's anchors
        that pass the confidence threshold."""
        scores = conf[:, 1]
        keep = np.flatnonzero(scores >= (self.confidence if confidence is None else confidence))
        if not len(keep):
            return np.zeros((0, 4), np.float32), np.zeros((0, 5, 2), np.float32), scores[keep]
        boxes, points = decode(loc[keep], landmarks[keep], priors(in_h, in_w)[keep])
        return boxes, points, scores[keep]

    def _select(self, boxes: np.ndarray, points: np.ndarray, scores: np.ndarray,
                confidence: float | None = None) -> list[Face]:
        """Non-maximum suppression, highest score first, and the minimum face size."""
        if len(scores) == 0:
            return []
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        score_list = scores.tolist()
        kept_by_nms = cv2.dnn.NMSBoxes(xywh.tolist(), score_list,
                                       self.confidence if confidence is None else confidence, self.nms_iou)
        # Highest score first, sorted in Python: a few faces, and numpy's calls are slow on a cold cache.
        chosen = sorted((int(i) for i in np.asarray(kept_by_nms).reshape(-1)), key=lambda i: -score_list[i])
        kept_boxes = boxes[chosen].astype(np.float32, copy=False)
        kept_points = points[chosen].astype(np.float32, copy=False)
        faces = [Face(box, landmarks, score_list[i]) for box, landmarks, i in zip(kept_boxes, kept_points, chosen)]
        if self.min_face_size:
            faces = [f for f in faces if f.width >= self.min_face_size]
        return faces
