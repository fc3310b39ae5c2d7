"""The tracker's logic on face records: box overlap, which track a detection continues, when a face
must be embedded again, and when a name may be shown."""
from __future__ import annotations

import numpy as np
import pytest

from facegui.config import Settings
from facegui.engine.matcher import UNKNOWN, Recognition
from facegui.engine.tracking import FaceTracker, TrackingPolicy, abrupt_change, iou_matrix

from .records import face_at, unit_vector


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


# -- the tracker: which track a detection continues, and when a face must be embedded again -------
THRESHOLD = 0.37


def tracker(**settings) -> FaceTracker:
    return FaceTracker(TrackingPolicy.from_settings(Settings(**settings)))


def see(tracker_: FaceTracker, faces, name: str = "ada", similarity: float = 0.8, seed: int = 1,
        scene_cut: bool = False):
    """One frame: update, embed what is due (with the vector of ``seed``), match it as ``name``."""
    tracks = tracker_.update(faces, scene_cut)
    due = tracker_.due(tracks, THRESHOLD)
    embedded = [t.face.with_embedding(unit_vector(seed)) for t in due]
    steady = tracker_.absorb(due, embedded)
    fresh = [Recognition(f, name, similarity) for f in embedded]
    tracker_.record(due, fresh, [Recognition(f, name, similarity) for f in steady])
    return tracks, due


def test_a_face_moving_a_little_keeps_its_track():
    t = tracker()
    (first,), _ = see(t, [face_at(100, 100)])
    (second,), due = see(t, [face_at(104, 102)])
    assert second.track_id == first.track_id and second is first


def test_a_box_that_jumps_or_changes_size_starts_a_new_track():
    assert abrupt_change(face_at(100, 100), face_at(100, 100, size=300), 2.0, 0.5)
    assert not abrupt_change(face_at(100, 100), face_at(105, 100), 2.0, 0.5)
    t = tracker()
    (first,), _ = see(t, [face_at(100, 100)])
    (grown,), due = see(t, [face_at(100, 100, size=120 * 3)])  # still overlapping, but 3x the size
    assert grown.track_id != first.track_id and due == [grown]


def test_a_scene_cut_ends_every_track():
    t = tracker()
    (first,), _ = see(t, [face_at(100, 100)])
    (after,), due = see(t, [face_at(100, 100)], scene_cut=True)
    assert after.track_id != first.track_id and due == [after]


def test_a_track_is_forgotten_after_its_misses():
    t = tracker(track_max_misses=2)
    (first,), _ = see(t, [face_at(100, 100)])
    for _ in range(2):
        see(t, [])
    assert [tr.track_id for tr in t.tracks] == [first.track_id]
    see(t, [])
    assert t.tracks == []


def test_a_settled_clear_match_is_embedded_only_every_interval():
    t = tracker(track_settle_after=3, track_reembed_interval=15)
    embedded_frames = [index for index in range(40) if see(t, [face_at(100, 100)])[1]]
    assert embedded_frames[:3] == [0, 1, 2]  # until settled: every frame
    assert embedded_frames[3:] == [17, 32]  # then every 15 frames


def test_a_name_near_the_threshold_is_embedded_every_frame():
    t = tracker()
    counts = [len(see(t, [face_at(100, 100)], similarity=THRESHOLD + 0.01)[1]) for _ in range(10)]
    assert counts == [1] * 10


def test_a_name_is_shown_only_when_this_frame_and_the_track_agree():
    t = tracker()
    tracks = t.update([face_at(100, 100)])
    embedded = [tracks[0].face.with_embedding(unit_vector(1))]
    steady = t.absorb(tracks, embedded)
    t.record(tracks, [Recognition(embedded[0], "bob", 0.5)], [Recognition(steady[0], "ada", 0.5)])
    (shown,) = t.recognitions(tracks)
    assert shown.recognition.name == UNKNOWN and shown.fresh


def test_another_person_taking_over_the_box_gets_a_new_track_id():
    t = tracker()
    (first,), _ = see(t, [face_at(100, 100)], seed=1)
    original_id = first.track_id
    tracks = t.update([face_at(101, 100)])
    t.absorb(tracks, [tracks[0].face.with_embedding(-unit_vector(1))])  # unlike everything before
    assert tracks[0].track_id != original_id


def test_a_picture_unchanged_since_the_last_search_is_held_until_a_full_pass_is_due():
    """Unchanged is measured against the last searched frame, so a slow drift that no single frame shows
    still ends the hold; a full pass still comes every ``roi_full_every`` frames."""
    from facegui.engine.motion import CHANGED_PIXEL_LEVEL, FrameDifference
    from facegui.engine.regions import RegionPlanner

    settings = Settings(roi_full_every=4)
    planner, frames = RegionPlanner.from_settings(settings), FrameDifference.from_settings(settings)
    picture = np.full((48, 64, 3), 100, np.uint8)
    assert not frames.update(picture).unchanged_since_detection  # nothing searched yet
    frames.detected()
    planner.ran_full_frame()
    held = [planner.holds(frames.update(picture)) for _ in range(5)]
    assert held == [True, True, True, False, False]  # the 4th frame since the full pass is a full pass

    planner.ran_full_frame()
    frames.detected()
    step = CHANGED_PIXEL_LEVEL // 2 + 1
    drifted = [planner.holds(frames.update(picture + np.uint8(step * k))) for k in (1, 2)]
    assert drifted == [True, False]  # each frame moved by half the level, together by more

    off = RegionPlanner.from_settings(Settings(roi_full_every=4, roi_hold_still=False))
    off.ran_full_frame()
    assert not off.holds(frames.update(picture + np.uint8(step * 2)))


def test_a_held_frame_keeps_the_visible_tracks_and_ages_the_missed_ones():
    tracker = FaceTracker(TrackingPolicy.from_settings(Settings(track_max_misses=2)))
    first, second = face_at(10, 10, 100), face_at(300, 10, 100)
    tracker.update([first, second])
    tracker.update([first])  # the second was not found again
    assert tracker.seen_by_regions_since_embedding() is False  # no region look yet
    tracker.update([first], from_regions=True)
    assert tracker.seen_by_regions_since_embedding()
    visible = tracker.hold()
    assert [t.face for t in visible] == [first]
    assert len(tracker.tracks) == 1  # the second had missed two frames and now a third: it ended


def test_a_frame_of_another_size_is_a_scene_cut_even_when_it_looks_the_same():
    """A stream that changes its resolution: every box of before is in the other size's pixels."""
    from facegui.engine.motion import FrameDifference
    from facegui.engine.regions import RegionPlanner

    settings = Settings()
    planner, frames = RegionPlanner.from_settings(settings), FrameDifference.from_settings(settings)
    picture = np.full((480, 640, 3), 100, np.uint8)
    frames.update(picture)
    frames.detected()
    planner.ran_full_frame()
    assert not frames.update(picture).scene_cut
    larger = frames.update(np.full((720, 1280, 3), 100, np.uint8))  # the same grey thumbnail
    assert larger.scene_cut and not larger.unchanged_since_detection and not planner.holds(larger)
    assert not frames.update(np.full((720, 1280, 3), 100, np.uint8)).scene_cut  # the new size goes on
