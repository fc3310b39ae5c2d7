"""Tracking over the real video: names only on fresh evidence, tracks end at cuts, embeddings are rare."""
from __future__ import annotations

import collections
import re

import cv2
import numpy as np
import pytest

from facegui.config import Settings
from facegui.engine import Face, load_image
from facegui.engine.motion import FrameDifference
from facegui.engine.tracking import TrackingPolicy, abrupt_change, iou_matrix
from facegui.service import Recognizer
from facegui.service.live import LiveRecognizer

from . import region_metrics
from .conftest import FACES
from .region_metrics import face_chains, found

CLIP = FACES / "video" / "short_hamilton_clip.mp4"
SCENE_CUTS = [20, 82, 211]
"""Frames of the clip that start a new shot (checked by eye)."""


def clip_frames() -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(CLIP))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            capture.release()
            return frames
        frames.append(frame)


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    return clip_frames()


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory, models_dir):
    settings = Settings(data_dir=tmp_path_factory.mktemp("tracking"), model_dir=models_dir)
    with Recognizer.open(settings) as rec:
        assert rec.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", "lin").status == "enrolled"
        assert rec.enroll_file(FACES / "probes" / "alex-lacamoire.png", "alex").status == "enrolled"
        # alex's gallery photo joins him as "alex": one face, one name (a second name would be refused).
        others = [path for path in sorted((FACES / "gallery").iterdir()) if not path.name.startswith("alex_")]
        assert rec.encode_folder(others).count("enrolled") == 8
        assert rec.enroll_file(FACES / "gallery" / "alex_lacamoire_1.jpg", "alex").status == "enrolled"
        yield rec


def play(recognizer: Recognizer, frames, **settings):
    live = LiveRecognizer(Recognizer(recognizer.engine, recognizer.gallery, recognizer.settings.replace(**settings)))
    return live, [live.recognize(frame) for frame in frames]


@pytest.fixture(scope="module")
def tracked_play(recognizer, frames):
    return play(recognizer, frames, tracking=True)


@pytest.fixture(scope="module")
def untracked_play(recognizer, frames):
    return play(recognizer, frames, tracking=False)[1]


def test_iou_matrix():
    a = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [100, 100, 110, 110]], np.float32)
    np.testing.assert_allclose(iou_matrix(a, b), [[1, 50 / 150, 0], [0, 0, 0]], atol=1e-6)


def face(box) -> Face:
    return Face(np.array(box, np.float32), np.zeros((5, 2), np.float32), 0.99)


def test_a_box_that_jumps_or_changes_shape_is_another_face():
    # The singer's box at frame 210 and the audience member's that overlapped it at 211 (IoU 0.34).
    singer, stranger = face([277.8, 26.9, 362.3, 153.9]), face([321.0, 41.0, 370.0, 137.0])
    assert abrupt_change(singer, stranger, 1.3, 0.5)
    assert not abrupt_change(singer, face([280.0, 27.0, 364.0, 155.0]), 1.3, 0.5)  # moving on
    assert abrupt_change(singer, face([327.8, 26.9, 412.3, 153.9]), 1.3, 0.5)  # same size, 50 px away


def test_the_frame_difference_finds_the_clip_s_scene_cuts_and_nothing_else(frames):
    difference = FrameDifference.from_settings(Settings())
    cuts = [index for index, frame in enumerate(frames) if difference.update(frame).scene_cut]
    assert cuts == SCENE_CUTS


def match_untracked(face: Face, untracked):
    """The untracked run's recognition of the same detection (the detector is deterministic)."""
    overlap = iou_matrix(face.bbox[None], np.stack([r.face.bbox for r in untracked]))[0] if untracked else []
    best = int(np.argmax(overlap)) if len(overlap) else None
    return untracked[best] if best is not None and overlap[best] >= 0.5 else None


def test_no_tracked_frame_names_a_face_the_untracked_run_scores_below_the_threshold(
        tracked_play, untracked_play):
    _, tracked = tracked_play
    named = wrong = 0
    for index, (faces, plain) in enumerate(zip(tracked, untracked_play)):
        plain = [t.recognition for t in plain]
        for shown in faces:
            if not shown.recognition.is_known:
                continue
            named += 1
            same = match_untracked(shown.recognition.face, plain)
            if same is None or same.name != shown.recognition.name:
                wrong += 1
                print("wrong name", index, shown, same)
    untracked_named = sum(r.recognition.is_known for faces in untracked_play for r in faces)
    assert wrong == 0
    assert named >= 0.9 * untracked_named  # and tracking still names the singer almost whenever it can


def test_a_fresh_similarity_is_that_frame_s_evidence_and_a_held_one_is_the_track_s_last(
        tracked_play, untracked_play):
    _, tracked = tracked_play
    last_fresh: dict[int, float] = {}
    for faces, plain in zip(tracked, untracked_play):
        plain = [t.recognition for t in plain]
        for shown in faces:
            similarity = shown.recognition.similarity
            if shown.fresh:
                same = match_untracked(shown.recognition.face, plain)
                assert same is not None and similarity == pytest.approx(same.similarity, abs=1e-4)
                last_fresh[shown.track_id] = similarity
            else:
                assert similarity == last_fresh[shown.track_id]


def test_every_track_ends_at_a_scene_cut_and_the_new_faces_are_embedded_at_once(tracked_play):
    _, tracked = tracked_play
    for cut in SCENE_CUTS:
        before = {f.track_id for f in tracked[cut - 1]}
        assert tracked[cut] and all(f.fresh and f.track_id not in before for f in tracked[cut])
    # The frame: the singer's track used to continue onto a man in the audience as "lin 0.68".
    assert not any(f.recognition.is_known for f in tracked[211])


def test_a_stream_that_changes_its_resolution_starts_every_track_afresh(recognizer, frames):
    """The same shot, from one frame to the next at twice the size (a camera's stream renegotiated): no box of
    the old size may go on as a track, so every face there is looked up afresh."""
    switch = 100  # inside the third shot, the singer named on his track since frame 88
    doubled = [cv2.resize(frame, None, fx=2, fy=2) for frame in frames[switch:switch + 3]]
    _, played = play(recognizer, frames[:switch] + doubled, tracking=True)
    before = {f.track_id for f in played[switch - 1]}
    assert any(f.recognition.name == "lin" for f in played[switch - 1])
    assert played[switch] and all(f.fresh and f.track_id not in before for f in played[switch])
    assert any(f.recognition.name == "lin" for f in played[switch])


def test_the_singer_keeps_one_track_and_one_name_and_embeddings_are_rare(tracked_play, frames):
    live, tracked = tracked_play
    names_per_track = collections.defaultdict(list)
    for faces in tracked:
        for shown in faces:
            names_per_track[shown.track_id].append(shown.recognition.name)
    singer_tracks = [names for names in names_per_track.values() if names.count("lin") > 50]
    assert len(singer_tracks) == 1, "the singer's close-up must be one track"
    assert singer_tracks[0].count("lin") >= 100
    claimed = {n for names in names_per_track.values() for n in names}
    assert claimed <= {"lin", "alex", "unknown"}  # no enrolled gallery person is claimed in this clip
    assert live.tracker.embed_calls < len(frames) / 2


def test_a_still_scene_is_embedded_once_per_interval(recognizer):
    image = load_image(FACES / "probes" / "two_people.jpg", recognizer.settings.max_image_pixels)
    live, played = play(recognizer, [image] * 60, tracking=True)
    results = played[-1]
    assert sorted(r.recognition.name for r in results) == ["biden", "obama"]
    assert len({r.track_id for r in results}) == 2 and len(live.tracker.tracks) == 2
    policy = TrackingPolicy.from_settings(recognizer.settings)
    settle = policy.settle_after * policy.uncertain_interval
    assert live.tracker.embed_calls <= policy.settle_after + (60 - settle) // policy.reembed_interval + 1
    assert sum(r.fresh for faces in played for r in faces) == 2 * live.tracker.embed_calls


# -- region-of-interest detection ------------------------------------------------------------------


def panned_photo(frames: int = 150) -> list[np.ndarray]:
    return region_metrics.panned_photo(cv2.imread(str(FACES / "probes" / "obama-1080p.jpg")), frames)


@pytest.mark.parametrize("clip", ["hamilton", "panned photo"])
def test_region_detection_finds_what_full_detection_finds(recognizer, frames, clip):
    video = frames if clip == "hamilton" else panned_photo()
    full = [[f.bbox for f in recognizer.engine.detect(frame)] for frame in video]
    live = LiveRecognizer(Recognizer(recognizer.engine, recognizer.gallery,
                                     recognizer.settings.replace(tracking=True, roi_detection=True)))
    regional = [[r.recognition.face.bbox for r in live.recognize(frame)] for frame in video]
    # Regions replace the full frame on many frames (fewer on the test video: the singer's similarity sits
    # near the threshold, so he is embedded, from a full-frame pass, on most frames).
    assert live.full_frame_passes < (0.75 if clip == "hamilton" else 0.6) * len(video)

    reference = sum(len(boxes) for boxes in full)
    recalled = sum(found(box, got) for boxes, got in zip(full, regional) for box in boxes)
    assert recalled >= 0.99 * reference
    for start, chain in face_chains(full):
        if len(chain) >= 5:  # a face full detection sees for 5 frames is found within 5 frames
            assert any(found(box, regional[start + k]) for k, box in enumerate(chain[:5])), (clip, start)


# -- several streams in one process ------------------------------------------------------------------


def test_several_streams_share_the_models_and_each_is_recognised_as_alone(recognizer, frames):
    from facegui.service.streams import MultiStream

    photo = panned_photo(60)
    streams = MultiStream(recognizer)
    door, desk = streams.add("door"), streams.add("desk")
    together = {door: [], desk: []}
    for clip_frame, photo_frame in zip(frames[180:240], photo):
        for index, (faces, _) in streams.process({door: clip_frame, desk: photo_frame}).items():
            together[index].append([(f.track_id, f.fresh, f.recognition.name, round(f.recognition.similarity, 4))
                                    for f in faces])
    assert all(live.recognizer.engine is recognizer.engine for live in streams.streams)  # one set of sessions
    assert [live.source for live in streams.streams] == ["door", "desk"]
    for index, video in ((door, frames[180:240]), (desk, photo)):
        alone = LiveRecognizer(recognizer)
        expected = [[(f.track_id, f.fresh, f.recognition.name, round(f.recognition.similarity, 4))
                     for f in alone.recognize(frame)] for frame in video]
        assert together[index] == expected  # one batched embedding call changes nothing


def test_video_command_runs_several_sources_and_logs_each_under_its_own_name(cli_args, tmp_path, capsys,
                                                                            monkeypatch):
    from facegui.app import main
    from facegui.service import AttendanceService

    settings_args = cli_args
    monkeypatch.setenv("FACEGUI_CHECKIN_COOLDOWN_S", "0")  # both doors may check lin in, minutes apart or not
    assert main(["enroll", "--name", "lin", str(FACES / "probes" / "lin-manuel-miranda.png"), *settings_args]) == 0
    second = tmp_path / "second door.mp4"
    second.write_bytes(CLIP.read_bytes())
    code = main(["video", str(CLIP), str(second), str(tmp_path / "missing.mp4"), "--attendance", *settings_args])
    err = capsys.readouterr().err
    assert code == 1  # one source could not be opened: said in one line, the others ran
    assert sum("missing.mp4" in line for line in err.splitlines()) == 1
    for source in (CLIP, second):
        assert re.search(rf"^{re.escape(str(source))}: 275 frames in [0-9.]+ s: [0-9.]+ FPS$", err, re.M), err
    with AttendanceService.open(Settings(data_dir=tmp_path / "data")) as attendance:
        assert {e.source for e in attendance.history()} == {str(CLIP), str(second)}


def test_video_command_whose_recognition_fails_ends_in_one_line(cli_args, capsys, monkeypatch, tmp_path):
    from facegui.app import main

    def short_of_memory(self, frame):
        raise MemoryError("Unable to allocate 3.52 MiB")

    monkeypatch.setattr(LiveRecognizer, "begin", short_of_memory)
    code = main(["video", str(CLIP), *cli_args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == "facegui: recognition failed (MemoryError: Unable to allocate 3.52 MiB)"
    assert not any("Traceback" in line for line in err)
    log = (tmp_path / "data" / "logs" / "facegui.log").read_text(encoding="utf-8")  # the details, for a report
    assert "ERROR [facegui video " in log and "in short_of_memory" in log and "MemoryError: Unable to allocate" in log


def test_a_tracked_face_takes_a_rename_and_loses_a_removal_on_the_next_frame(tmp_path, models_dir):
    """Between embeddings a track shows the name it was last matched to; a change to the gallery ends
    that, so a removed person is never named on their track (nor a renamed one under the old name)."""
    settings = Settings(data_dir=tmp_path / "data", model_dir=models_dir)
    frame = np.ascontiguousarray(load_image(FACES / "probes" / "obama-480p.jpg", settings.max_image_pixels)[:, 106:746])
    with Recognizer.open(settings) as recognizer:
        assert recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
        live = LiveRecognizer(recognizer)
        shown = [live.recognize(frame) for _ in range(20)]
        assert all([f.recognition.name for f in faces] == ["obama"] for faces in shown)
        assert not shown[-1][0].fresh  # the name on this frame is the track's, not this frame's own
        recognizer.gallery.rename("obama", "Barack Obama")
        assert [(f.recognition.name, f.fresh) for f in live.recognize(frame)] == [("Barack Obama", True)]
        recognizer.gallery.remove("Barack Obama")
        assert [(f.recognition.name, f.fresh) for f in live.recognize(frame)] == [("unknown", True)]
