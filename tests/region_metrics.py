"""Comparing region-of-interest detection with full-frame detection, shared by the tests and
bench/bench_tracking.py: a one-face clip made from a real photo, and faces followed through the
full-frame detections."""
from __future__ import annotations

import cv2
import numpy as np

from facegui.engine.tracking import iou_matrix


def panned_photo(photo: np.ndarray, frames: int) -> list[np.ndarray]:
    """A 640x480 one-face clip: a camera window panning smoothly across a real photo."""
    photo = cv2.resize(photo, (960, 540), interpolation=cv2.INTER_AREA)
    clip = []
    for index in range(frames):
        x = round(160 + 160 * np.sin(2 * np.pi * index / 150))
        y = round(30 + 30 * np.sin(2 * np.pi * index / 100))
        clip.append(np.ascontiguousarray(photo[y:y + 480, x:x + 640]))
    return clip


def face_chains(boxes_per_frame: list[list[np.ndarray]]) -> list[tuple[int, list[np.ndarray]]]:
    """Reference detections linked from frame to frame by overlap: (first frame, box per frame)."""
    chains, active = [], []
    for index, boxes in enumerate(boxes_per_frame):
        still, used = [], set()
        for start, chain in active:
            overlap = iou_matrix(chain[-1][None], np.stack(boxes))[0] if boxes else np.zeros(0)
            best = int(np.argmax(overlap)) if len(overlap) else -1
            if best >= 0 and overlap[best] >= 0.3 and best not in used:
                chain.append(boxes[best])
                used.add(best)
                still.append((start, chain))
            else:
                chains.append((start, chain))
        active = still + [(index, [box]) for j, box in enumerate(boxes) if j not in used]
    return chains + active


def found(box: np.ndarray, boxes: list[np.ndarray]) -> bool:
    """Whether ``boxes`` hold the face of ``box`` (overlap ≥ 0.5)."""
    return bool(boxes) and float(iou_matrix(box[None], np.stack(boxes)).max()) >= 0.5
