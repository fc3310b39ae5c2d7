"""The logic around the two networks, with a fake onnxruntime session: batching, test-time flip,
normalisation, anchor decoding, score filtering, non-maximum suppression. What the real networks
produce on real photos is tested in the real-model tier (tests/test_engine.py)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from facegui.config import Settings
from facegui.engine.detector import RetinaFaceDetector, priors
from facegui.engine.embedder import ArcFaceEmbedder, EmbeddingModelError

from facegui.engine import session as session_module
from facegui.engine.session import CPU, CUDA

from .fakes import FakeSession, FakeTensor, fake_model

CHIP = 112


def halves(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    """A 3-number "embedding" per chip: mean of its left half, of its right half, and a constant."""
    blob = feeds["data"]
    return [np.stack([blob[:, :, :, : CHIP // 2].mean(axis=(1, 2, 3)),
                      blob[:, :, :, CHIP // 2:].mean(axis=(1, 2, 3)), np.ones(len(blob))], axis=1)]


def embedder(flip: bool = False, dim: object = 3, batch_size: int = 0,
             providers: list[str] | None = None) -> tuple[ArcFaceEmbedder, FakeSession]:
    session = FakeSession([FakeTensor("data", [None, 3, CHIP, CHIP])], [FakeTensor("out", [None, dim])], halves)
    if providers is not None:
        session.get_providers = lambda: providers  # type: ignore[method-assign]
    return ArcFaceEmbedder(fake_model(session), flip=flip, batch_size=batch_size), session


def left_bright_chip() -> np.ndarray:
    chip = np.zeros((CHIP, CHIP, 3), np.uint8)
    chip[:, : CHIP // 2] = 255
    return chip


def test_embeddings_are_unit_vectors_one_call_per_chip_on_the_cpu():
    model, session = embedder()
    vectors = model.embed([left_bright_chip(), np.zeros((CHIP, CHIP, 3), np.uint8)])
    assert vectors.shape == (2, 3) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert [feeds["data"].shape for feeds in session.calls] == [(1, 3, CHIP, CHIP)] * 2


def test_a_batch_size_groups_the_chips_and_keeps_their_order():
    chips = [left_bright_chip(), np.zeros((CHIP, CHIP, 3), np.uint8), left_bright_chip()[:, ::-1].copy()]
    alone, _ = embedder()
    grouped, session = embedder(batch_size=2)
    assert np.array_equal(grouped.embed(chips), alone.embed(chips))
    assert [len(feeds["data"]) for feeds in session.calls] == [2, 1]


def test_calls_at_once_run_together_on_several_threads_and_keep_their_order(monkeypatch):
    """Two calls at once must both be inside the session together: a barrier of two breaks (and the test
    fails) if they run one after the other."""
    monkeypatch.setattr(session_module, "usable_cores", lambda: 2)
    together = threading.Barrier(2, timeout=10)
    threads: set[str] = set()

    def respond(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        threads.add(threading.current_thread().name)
        together.wait()
        return halves(feeds)

    chips = [left_bright_chip(), np.zeros((CHIP, CHIP, 3), np.uint8), left_bright_chip()[:, ::-1].copy(),
             np.full((CHIP, CHIP, 3), 128, np.uint8)]
    session = FakeSession([FakeTensor("data", [None, 3, CHIP, CHIP])], [FakeTensor("out", [None, 3])], respond)
    at_once = ArcFaceEmbedder(fake_model(session), calls_at_once=2)
    one_by_one, _ = embedder()
    assert np.array_equal(at_once.embed(chips), one_by_one.embed(chips))
    assert len(session.calls) == 4 and len(threads) == 2


def test_a_call_that_fails_on_a_helper_thread_fails_the_step(monkeypatch):
    monkeypatch.setattr(session_module, "usable_cores", lambda: 2)

    def respond(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the network failed")
        time.sleep(0.05)  # the helper takes a call before the caller has done all of them
        return halves(feeds)

    session = FakeSession([FakeTensor("data", [None, 3, CHIP, CHIP])], [FakeTensor("out", [None, 3])], respond)
    with pytest.raises(RuntimeError, match="the network failed"):
        ArcFaceEmbedder(fake_model(session), calls_at_once=2).embed([left_bright_chip()] * 4)


def test_a_step_does_not_wait_for_helpers_busy_with_another_threads_calls(monkeypatch):
    """Two threads embed at once with one helper thread between them (two cores): while the helper is busy
    with the first thread's call, the second does all of its own calls and returns, not waiting for it."""
    monkeypatch.setattr(session_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(session_module, "_pool", None)  # a pool of one helper, for this test alone
    helper_busy, release, helper_free, first_done = (threading.Event() for _ in range(4))

    def held_on_helper(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        if threading.current_thread().name.startswith("facegui-onnx"):
            helper_busy.set()
            release.wait(10)
            helper_free.set()
        return halves(feeds)

    def model(respond) -> ArcFaceEmbedder:
        session = FakeSession([FakeTensor("data", [None, 3, CHIP, CHIP])], [FakeTensor("out", [None, 3])], respond)
        return ArcFaceEmbedder(fake_model(session), calls_at_once=2)

    first = threading.Thread(target=lambda: (model(held_on_helper).embed([left_bright_chip()] * 2),
                                             first_done.set()))
    first.start()
    try:
        assert helper_busy.wait(10)
        assert model(halves).embed([left_bright_chip()] * 2).shape == (2, 3)
        assert not helper_free.is_set()  # the helper was still busy when the second step returned
    finally:
        release.set()
        first.join(10)
    assert first_done.is_set()


def test_one_call_at_once_or_one_core_runs_every_call_on_the_calling_thread(monkeypatch):
    threads: set[str] = set()

    def respond(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        threads.add(threading.current_thread().name)
        return halves(feeds)

    session = FakeSession([FakeTensor("data", [None, 3, CHIP, CHIP])], [FakeTensor("out", [None, 3])], respond)
    ArcFaceEmbedder(fake_model(session), calls_at_once=1).embed([left_bright_chip()] * 3)
    monkeypatch.setattr(session_module, "usable_cores", lambda: 1)
    ArcFaceEmbedder(fake_model(session), calls_at_once=4).embed([left_bright_chip()] * 3)
    assert threads == {threading.current_thread().name} and len(session.calls) == 6


def test_sessions_opening_on_two_threads_keep_onnxruntime_silent_until_the_last_is_open(monkeypatch):
    """onnxruntime's log severity is process-wide: the first session to finish opening must not make it
    loud while the other may still log CUDA's red error."""
    severities: list[int] = []
    monkeypatch.setattr(session_module.ort, "set_default_logger_severity", severities.append)
    first, second = session_module._silenced(), session_module._silenced()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert severities == [session_module._SILENT]
    second.__exit__(None, None, None)
    assert severities == [session_module._SILENT, session_module._QUIET]


def test_on_cuda_every_chip_goes_in_one_call():
    model, session = embedder(providers=[CUDA, CPU])
    model.embed([left_bright_chip()] * 3)
    assert [len(feeds["data"]) for feeds in session.calls] == [3]


def test_flip_embeds_the_mirror_and_adds_it():
    plain, _ = embedder()
    flipped, session = embedder(flip=True, batch_size=2)
    chip = left_bright_chip()
    result = flipped.embed([chip])
    (feeds,) = session.calls
    session_blob = feeds["data"]
    assert session_blob.shape[0] == 2 and np.array_equal(session_blob[1], session_blob[0][:, :, ::-1])
    raw = halves({"data": session_blob})[0]
    expected = (raw[0] + raw[1]) / np.linalg.norm(raw[0] + raw[1])
    assert np.allclose(result[0], expected, atol=1e-6)
    # the mirror made left and right equal, which the unflipped embedding is not
    assert result[0][0] == pytest.approx(result[0][1]) and not np.allclose(plain.embed([chip])[0], result[0])
    one_at_a_time, _ = embedder(flip=True)
    assert np.allclose(one_at_a_time.embed([chip]), result)


def test_no_chips_no_call():
    model, session = embedder()
    assert model.embed([]).shape == (0, 3) and session.calls == []


def test_a_symbolic_output_size_is_learnt_from_one_run():
    model, session = embedder(dim="embedding_size")
    assert model.dim == 3 and len(session.calls) == 1


@pytest.mark.parametrize("shape", [[1, 3, 112, 96], [1, 1, 112, 112], [1, 3, "h", "h"], [3, 112, 112]])
def test_an_embedder_with_an_unexpected_input_is_refused(shape):
    session = FakeSession([FakeTensor("data", shape)], [FakeTensor("out", [1, 128])], halves)
    with pytest.raises(EmbeddingModelError, match="expected an input of shape"):
        ArcFaceEmbedder(fake_model(session))


# -- the detector -------------------------------------------------------------------------------
def detector_answering(scores: dict[int, float], offsets: dict[int, np.ndarray] | None = None,
                       **settings) -> tuple[RetinaFaceDetector, FakeSession]:
    """A detector whose network gives anchor i the face score scores[i] and zero offsets (box = anchor)."""
    def respond(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        _, _, height, width = feeds["input"].shape
        count = len(priors(height, width))
        loc = np.zeros((1, count, 4), np.float32)
        for index, offset in (offsets or {}).items():
            loc[0, index] = offset
        conf = np.zeros((1, count, 2), np.float32)
        conf[0, :, 0] = 1.0
        for index, score in scores.items():
            conf[0, index] = (1.0 - score, score)
        return [loc, conf, np.zeros((1, count, 10), np.float32)]

    outputs = [FakeTensor("loc", [1, None, 4]), FakeTensor("conf", [1, None, 2]), FakeTensor("landmarks", [1, None, 10])]
    session = FakeSession([FakeTensor("input", [1, 3, None, None])], outputs, respond)
    return RetinaFaceDetector(fake_model(session), Settings(detector_input_size=320, **settings)), session


IMAGE = np.zeros((240, 320, 3), np.uint8)  # 320 wide: the network input is the image itself


def test_nothing_above_the_confidence_means_no_face():
    detector, _ = detector_answering({10: 0.49})
    assert detector.detect(IMAGE) == []


def test_a_confident_anchor_becomes_a_face_at_the_anchor():
    anchors = priors(240, 320)
    index = 500
    detector, session = detector_answering({index: 0.9})
    (face,) = detector.detect(IMAGE)
    cx, cy, w, h = anchors[index]
    assert np.allclose(face.bbox, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], atol=1e-3)
    assert np.allclose(face.landmarks, [[cx, cy]] * 5, atol=1e-3) and face.score == pytest.approx(0.9)
    assert session.calls[0]["input"].shape == (1, 3, 240, 320)


def test_boxes_scale_back_to_the_original_image():
    detector, session = detector_answering({500: 0.9})
    (small,) = detector.detect(IMAGE)
    (large,) = detector.detect(np.zeros((480, 640, 3), np.uint8))  # network input stays 320 wide
    assert session.calls[1]["input"].shape == (1, 3, 240, 320)
    assert np.allclose(large.bbox, small.bbox * 2, atol=1e-3)


def test_overlapping_boxes_keep_only_the_most_confident_and_faces_come_best_first():
    anchors = priors(240, 320)
    first = 501  # a 32-pixel anchor of the first level; +2 is the same size one cell (8 pixels) right
    neighbour = first + 2
    assert anchors[first][2] == anchors[neighbour][2] == 32 and anchors[neighbour][0] - anchors[first][0] == 8
    far = len(anchors) - 1
    detector, _ = detector_answering({first: 0.8, neighbour: 0.95, far: 0.7})  # overlap 0.6 > nms_iou
    assert [f.score for f in detector.detect(IMAGE)] == pytest.approx([0.95, 0.7])
    detector, _ = detector_answering({first: 0.8, neighbour: 0.95, far: 0.7}, detector_nms_iou=0.7)
    assert [f.score for f in detector.detect(IMAGE)] == pytest.approx([0.95, 0.8, 0.7])


def test_small_faces_are_dropped_when_a_minimum_size_is_set():
    anchors = priors(240, 320)
    small = 0  # the first level: 16-pixel anchors
    large = len(anchors) - 1  # the last level: 512-pixel anchors
    detector, _ = detector_answering({small: 0.9, large: 0.8}, min_face_size=100)
    assert [f.score for f in detector.detect(IMAGE)] == pytest.approx([0.8])


def test_the_network_input_keeps_the_aspect_ratio():
    detector, _ = detector_answering({})
    assert detector.input_shape(480, 640) == (240, 320)
    assert detector.input_shape(640, 480) == (320, 240)
    assert detector.input_shape(480, 640, long_side=160) == (120, 160)


def test_the_detector_input_is_the_training_contract_for_any_size_and_view():
    """Reused planes and blobs give what cv2.dnn.blobFromImage gives, for frames of changing sizes, and a
    region written into part of a larger batch slot leaves the rest of the slot alone."""
    import cv2

    from facegui.engine.detector import BGR_MEAN, SCRATCH_ARRAYS, mean_subtracted

    generator = np.random.default_rng(7)
    for height, width in [(48, 64), (31, 17), (48, 64)] + [(8 + i, 8) for i in range(SCRATCH_ARRAYS + 2)]:
        image = generator.integers(0, 256, (height, width, 3), dtype=np.uint8)
        expected = cv2.dnn.blobFromImage(image, 1.0, (width, height), BGR_MEAN, swapRB=False, crop=False)
        assert np.array_equal(RetinaFaceDetector.network_input(image, height, width, scratch=True), expected)
        assert np.array_equal(RetinaFaceDetector.network_input(image, height, width), expected)
        slot = np.full((3, height + 5, width + 7), 9.0, np.float32)
        mean_subtracted(image, slot[:, :height, :width])
        assert np.array_equal(slot[:, :height, :width], expected[0])
        assert (slot[:, height:] == 9.0).all() and (slot[:, :, width:] == 9.0).all()


def test_threads_building_detector_input_at_once_do_not_share_buffers():
    from concurrent.futures import ThreadPoolExecutor

    images = [np.full((40, 60, 3), value, np.uint8) for value in (10, 200)]

    def build(image: np.ndarray) -> bool:
        expected = float(image[0, 0, 0]) - 104.0
        return all(RetinaFaceDetector.network_input(image, 40, 60, scratch=True)[0, 0, 0, 0] == expected
                   for _ in range(200))

    with ThreadPoolExecutor(2) as pool:
        assert all(pool.map(build, images * 4))
