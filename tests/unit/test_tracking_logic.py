"""Box overlap, the measure the tracker follows faces by from frame to frame."""
from __future__ import annotations

import numpy as np
import pytest

from facegui.engine.tracking import iou_matrix


def boxes(*rows: tuple[float, float, float, float]) -> np.ndarray:
    return np.array(rows, np.float32)


def test_a_box_overlaps_itself_fully_and_a_distant_box_not_at_all():
    a = boxes((0, 0, 10, 10), (100, 100, 120, 130))
    overlap = iou_matrix(a, a)
    assert np.allclose(np.diag(overlap), 1.0) and overlap[0, 1] == 0.0 and overlap[1, 0] == 0.0


def test_half_shifted_boxes_overlap_by_a_third():
    # two 10x10 boxes sharing a 5x10 strip: 50 / (100 + 100 - 50)
    assert iou_matrix(boxes((0, 0, 10, 10)), boxes((5, 0, 15, 10)))[0, 0] == pytest.approx(1 / 3)


def test_every_pair_is_measured_and_nested_boxes_score_their_area_ratio():
    a = boxes((0, 0, 10, 10), (0, 0, 20, 20))
    b = boxes((0, 0, 20, 20), (50, 50, 60, 60), (0, 0, 10, 10))
    overlap = iou_matrix(a, b)
    assert overlap.shape == (2, 3)
    assert overlap[0, 0] == pytest.approx(0.25) and overlap[1, 0] == pytest.approx(1.0)
    assert overlap[0, 2] == pytest.approx(1.0) and overlap[:, 1].tolist() == [0.0, 0.0]


def test_degenerate_boxes_do_not_divide_by_zero():
    overlap = iou_matrix(boxes((5, 5, 5, 5)), boxes((5, 5, 5, 5), (0, 0, 10, 10)))
    assert np.all(np.isfinite(overlap)) and overlap[0, 1] == 0.0
