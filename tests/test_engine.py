"""The engine on the real models and the real photos."""
from __future__ import annotations

import numpy as np
import pytest

from facegui.config import Settings
from facegui.engine import FaceEngine, load_image
from facegui.engine.align import ARCFACE_TEMPLATE, align_face, similarity_transform
from facegui.engine import session as session_module
from facegui.engine.detector import priors
from facegui.engine.session import CPU, OnnxModel, requested_providers
from facegui.modelstore import ModelStore
from facegui.service import load_engine

from .conftest import FACES, MODELS


@pytest.fixture(scope="module")
def engine(models_dir) -> FaceEngine:
    return _engine(models_dir, Settings(model_dir=models_dir))


def _engine(models_dir, settings) -> FaceEngine:
    return load_engine(settings, ModelStore([], models_dir))


def _image(relative: str):
    return load_image(FACES / relative, Settings().max_image_pixels)


def test_arcface_conversion_reproduces_golden_embeddings(models_dir):
    golden = np.load(MODELS / "arcface_mobilefacenet_golden.npz")
    model = OnnxModel.load(models_dir / "arcface.onnx", Settings(execution_provider="cpu"))
    embedding = model.run({"input": golden["input"]})[0]
    np.testing.assert_allclose(embedding, golden["embedding"], atol=1e-4)
    unit = embedding / np.linalg.norm(embedding, axis=1, keepdims=True)
    assert unit[0] @ unit[1] == pytest.approx(0.742, abs=1e-3)
    assert unit[0] @ unit[2] == pytest.approx(0.115, abs=1e-3)


def test_detects_two_people_left_to_right_with_landmarks_inside_boxes(engine):
    faces = engine.detect(_image("probes/two_people.jpg"))
    assert len(faces) == 2
    for face in faces:
        assert face.score > 0.95
        x1, y1, x2, y2 = face.bbox
        assert (face.landmarks[:, 0] > x1).all() and (face.landmarks[:, 0] < x2).all()
        assert (face.landmarks[:, 1] > y1).all() and (face.landmarks[:, 1] < y2).all()
        # Eyes above the nose above the mouth.
        assert face.landmarks[:2, 1].max() < face.landmarks[2, 1] < face.landmarks[3:, 1].min()


@pytest.mark.parametrize("kind", ["16-bit depth", "grey", "BGRA"])
def test_a_camera_frame_that_is_not_8_bit_bgr_is_seen_as_the_picture_it_is(engine, kind):
    """What some cameras' nodes give instead of BGR (a depth camera 16-bit single-channel, a backend with its
    conversion off grey or BGRA): as given, the detector found ten "faces" in the 16-bit one and failed on the
    others; converted, it finds the two people, where the BGR frame has them."""
    import cv2

    from facegui.engine.video import usable_frame

    bgr = _image("probes/two_people.jpg")
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    frame = {"16-bit depth": grey.astype(np.uint16) * 257, "grey": grey,
             "BGRA": cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)}[kind]
    usable = usable_frame(frame)
    assert usable is not None and usable.shape == bgr.shape and usable.dtype == np.uint8
    found = engine.detect(usable)
    assert len(found) == 2 and all(face.score > 0.9 for face in found)


def test_detection_is_in_original_coordinates_at_any_input_size(engine, models_dir):
    image = _image("probes/obama-1080p.jpg")
    big = engine.detect(image)
    small_engine = _engine(models_dir, Settings(detector_input_size=320))
    small = small_engine.detect(image)
    assert len(big) == len(small) == 1
    np.testing.assert_allclose(big[0].bbox, small[0].bbox, atol=0.06 * big[0].width)


def test_priors_are_cached_and_read_only():
    assert priors(480, 640) is priors(480, 640)
    assert priors(480, 640).shape == ((60 * 80 + 30 * 40 + 15 * 20) * 2, 4)
    assert not priors(480, 640).flags.writeable


def test_alignment_maps_landmarks_onto_the_template(engine):
    image = _image("probes/obama-720p.jpg")
    face = engine.detect(image)[0]
    matrix = similarity_transform(face.landmarks)
    mapped = np.c_[face.landmarks, np.ones(5)] @ matrix.T
    assert np.abs(mapped - ARCFACE_TEMPLATE).max() < 6.0
    assert align_face(image, face.landmarks).shape == (112, 112, 3)


def test_embeddings_are_unit_vectors_and_separate_people(engine):
    obama_a = engine.largest_face(_image("gallery/obama_1.jpg")).embedding
    obama_b = engine.largest_face(_image("probes/obama-480p.jpg")).embedding
    biden = engine.largest_face(_image("gallery/biden_1.jpg")).embedding
    assert np.linalg.norm(obama_a) == pytest.approx(1.0, abs=1e-5)
    assert obama_a @ obama_b > 0.8
    assert obama_a @ biden < 0.3


def test_a_frames_faces_get_the_same_embeddings_in_one_batch_as_one_call_each(engine, models_dir):
    image = _image("probes/obama_and_biden.jpg")
    faces = engine.analyze(image)  # the default on the CPU: one call per face
    assert len(faces) == 3
    batched = _engine(models_dir, Settings(model_dir=models_dir, embed_batch_size=8)).embed(image, faces)
    np.testing.assert_allclose(np.stack([f.embedding for f in batched]), np.stack([f.embedding for f in faces]),
                               atol=1e-5)


def test_a_frames_faces_get_the_same_embeddings_embedded_at_once_as_one_after_another(engine, models_dir,
                                                                                      monkeypatch):
    """The default embeds a frame's faces on every core at once (one call each, engine.session.run_many);
    two cores are asked for here, so the test means the same on a one-core machine."""
    monkeypatch.setattr(session_module, "usable_cores", lambda: 2)
    image = _image("probes/obama_and_biden.jpg")
    faces = engine.detect(image)
    assert len(faces) == 3
    at_once = _engine(models_dir, Settings(model_dir=models_dir))
    assert at_once.embedder.calls_at_once == 2
    one_by_one = _engine(models_dir, Settings(model_dir=models_dir, embed_calls_at_once=1))
    together = np.stack([f.embedding for f in at_once.embed(image, faces)])
    in_turn = np.stack([f.embedding for f in one_by_one.embed(image, faces)])
    np.testing.assert_array_equal(together, in_turn)
    assert (together @ together.T)[np.triu_indices(3, 1)].max() < 0.5  # three people, each their own vector


def test_the_embedder_runs_on_its_own_threads_and_the_detector_on_the_shared_setting(models_dir):
    def threads(engine: FaceEngine) -> tuple[int, int]:
        return (engine.detector.model.session.get_session_options().intra_op_num_threads,
                engine.embedder.model.session.get_session_options().intra_op_num_threads)

    assert threads(_engine(models_dir, Settings(model_dir=models_dir))) == (0, 1)
    assert threads(_engine(models_dir, Settings(model_dir=models_dir, intra_op_threads=2, embedder_threads=0))) == (2, 2)


def test_flip_averaging_keeps_identity(models_dir):
    flip = _engine(models_dir, Settings(embed_flip=True))
    a = flip.largest_face(_image("gallery/obama_1.jpg")).embedding
    b = flip.largest_face(_image("probes/obama1.jpg")).embedding
    c = flip.largest_face(_image("gallery/biden_1.jpg")).embedding
    assert a @ b > 0.7 and a @ c < 0.3


def test_configured_providers_give_the_same_result_as_cpu(models_dir):
    """The CUDA path is chosen by configuration; where CUDA is absent it must fall back to identical CPU results."""
    image = _image("probes/two_people.jpg")
    auto = _engine(models_dir, Settings(execution_provider="auto"))
    cpu = _engine(models_dir, Settings(execution_provider="cpu"))
    assert requested_providers(Settings(execution_provider="cpu")) == [CPU]
    assert cpu.detector.model.providers == [CPU]
    assert auto.device in ("CPU", "CUDA")
    if auto.device == "CPU":
        assert auto.detector.model.providers == [CPU]
    a, c = auto.analyze(image), cpu.analyze(image)
    assert len(a) == len(c) == 2
    for fa, fc in zip(a, c):
        np.testing.assert_allclose(fa.bbox, fc.bbox, atol=0.5)
        assert fa.embedding @ fc.embedding > 0.999


def test_no_face_in_a_non_face_image(engine, tmp_path):
    # A real photo with the face cut away: the lower-left corner of a portrait.
    image = _image("gallery/obama_1.jpg")
    corner = np.ascontiguousarray(image[-150:, :150])
    assert engine.detect(corner) == []
    assert engine.largest_face(corner) is None


@pytest.mark.parametrize("name", ["probes/32bit.png", "seed_dataset/张学友_1.jpg"])
def test_loader_handles_alpha_and_non_ascii_paths(name):
    image = _image(name)
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8


def test_opening_the_models_gives_opencv_its_configured_threads(models_dir):
    import cv2

    default = cv2.getNumThreads()
    try:
        _engine(models_dir, Settings(model_dir=models_dir, opencv_threads=1))
        assert cv2.getNumThreads() == 1
        _engine(models_dir, Settings(model_dir=models_dir, opencv_threads=0))
        chosen = cv2.getNumThreads()
        cv2.setNumThreads(-1)  # OpenCV's own default
        assert chosen == cv2.getNumThreads()
    finally:
        cv2.setNumThreads(default)
