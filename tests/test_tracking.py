"""Tracking over the real video: steady names, few embedding calls."""
from __future__ import annotations

import collections

import cv2
import numpy as np
import pytest

from facegui.engine import load_image
from facegui.engine.tracking import FaceTracker, TrackingPolicy, iou_matrix
from facegui.service import Recognizer

from .conftest import FACES


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory, models_dir):
    from facegui.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("tracking"), model_dir=models_dir)
    with Recognizer.open(settings) as rec:
        assert rec.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", "lin").status == "enrolled"
        assert rec.enroll_file(FACES / "probes" / "alex-lacamoire.png", "alex").status == "enrolled"
        assert rec.encode_folder(sorted((FACES / "gallery").iterdir())).count("enrolled") == 9
        yield rec


def test_iou_matrix():
    a = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [100, 100, 110, 110]], np.float32)
    np.testing.assert_allclose(iou_matrix(a, b), [[1, 50 / 150, 0], [0, 0, 0]], atol=1e-6)


def test_singer_keeps_one_name_and_embeddings_are_rare(recognizer):
    tracker = FaceTracker()
    capture = cv2.VideoCapture(str(FACES / "video" / "short_hamilton_clip.mp4"))
    names_per_track = collections.defaultdict(list)
    frames = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        for tracked in recognizer.engine.identify_tracked(frame, tracker, recognizer.gallery):
            names_per_track[tracked.track_id].append(tracked.recognition.name)
        frames += 1
    assert frames == 275
    singer_tracks = [names for names in names_per_track.values() if names.count("lin") > 50]
    assert len(singer_tracks) == 1, "the singer's close-up must be one track"
    singer = singer_tracks[0]
    assert singer.count("lin") >= 110
    # Once named, the name never changes on the track (it may start as unknown for a few frames).
    first = singer.index("lin")
    assert set(singer[first:]) == {"lin"} and first <= 10
    # No enrolled gallery person is ever claimed in this clip.
    claimed = {n for names in names_per_track.values() for n in names}
    assert claimed <= {"lin", "alex", "unknown"}
    assert tracker.embed_calls < frames / 4


def test_a_still_scene_is_embedded_once_per_interval(recognizer):
    image = load_image(FACES / "probes" / "two_people.jpg", recognizer.settings.max_image_pixels)
    policy = TrackingPolicy.from_settings(recognizer.settings)
    tracker = FaceTracker(policy)
    for _ in range(60):
        results = recognizer.engine.identify_tracked(image, tracker, recognizer.gallery)
    assert sorted(r.recognition.name for r in results) == ["biden", "obama"]
    assert len({r.track_id for r in results}) == 2 and len(tracker.tracks) == 2
    settle = policy.settle_after * policy.uncertain_interval
    assert tracker.embed_calls <= policy.settle_after + (60 - settle) // policy.reembed_interval + 1
