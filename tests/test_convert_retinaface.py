"""The converted RetinaFace graph against the upstream PyTorch network's golden outputs."""
from __future__ import annotations

import math

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from facegui.modelstore.convert_retinaface import FASTEST, PLAIN, DetectorGraph, convert_retinaface
from facegui.modelstore.onnx_graph import WeightsError
from facegui.modelstore.torch_legacy import load_legacy_state_dict

from .conftest import SHARED

WEIGHTS_PATH = SHARED / "models" / "Retinaface_mobilenet0.25.pth"
GOLDEN_PATH = SHARED / "models" / "retinaface_mobilenet0.25_golden.npz"
PHOTO_PATH = SHARED / "faces" / "probes" / "obama-480p.jpg"

# The golden outputs were computed on this 640x480 centre crop of the 853x480 photo.
GOLDEN_COLUMNS = slice(106, 746)
BGR_MEAN = np.array([104, 117, 123], np.float32)
PRIOR_STEPS = (8, 16, 32)
ANCHORS_PER_CELL = 2

@pytest.fixture(scope="module")
def weights():
    return load_legacy_state_dict(WEIGHTS_PATH)


@pytest.fixture(scope="module")
def session(weights):
    model = convert_retinaface(weights)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def golden_crop():
    return cv2.imread(str(PHOTO_PATH))[:, GOLDEN_COLUMNS]


def to_network_input(bgr: np.ndarray) -> np.ndarray:
    return (bgr.astype(np.float32) - BGR_MEAN).transpose(2, 0, 1)[None].copy()


def detect(session, bgr: np.ndarray) -> list[np.ndarray]:
    """loc, conf, landmarks for one BGR image."""
    return session.run(["loc", "conf", "landmarks"], {"input": to_network_input(bgr)})


def test_matches_pytorch_golden_outputs(session, golden_crop):
    golden = np.load(GOLDEN_PATH)
    loc, conf, landmarks = detect(session, golden_crop)

    np.testing.assert_allclose(conf[0, :, 1], golden["face_score"], rtol=0, atol=1e-4)
    faces = golden["index"]
    np.testing.assert_allclose(loc[0, faces], golden["loc"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(landmarks[0, faces], golden["landmarks"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(conf.sum(axis=-1), 1.0, rtol=0, atol=1e-5)


def test_any_input_size_gives_one_prior_per_anchor_cell(session, golden_crop):
    # 375 and 500 are not multiples of 32, so the pyramid levels are not exact 2x of each other.
    width, height = 500, 375
    image = cv2.resize(golden_crop, (width, height), interpolation=cv2.INTER_AREA)

    loc, conf, landmarks = detect(session, image)

    priors = sum(math.ceil(height / step) * math.ceil(width / step) * ANCHORS_PER_CELL
                 for step in PRIOR_STEPS)
    assert loc.shape == (1, priors, 4)
    assert conf.shape == (1, priors, 2)
    assert landmarks.shape == (1, priors, 10)
    assert conf[0, :, 1].max() > 0.9


def test_missing_tensor_is_rejected(weights):
    incomplete = dict(weights)
    del incomplete["ssh2.conv7x7_3.1.running_var"]
    with pytest.raises(WeightsError, match="missing"):
        convert_retinaface(incomplete)


def test_extra_tensor_is_rejected(weights):
    extended = dict(weights)
    extended["ClassHead.3.conv1x1.weight"] = np.zeros((4, 64, 1, 1), np.float32)
    with pytest.raises(WeightsError, match="not used"):
        convert_retinaface(extended)


def test_data_parallel_prefix_is_accepted(weights):
    prefixed = {f"module.{key}": value for key, value in weights.items()}
    assert convert_retinaface(prefixed) == convert_retinaface(weights)


@pytest.mark.parametrize("graph", [PLAIN, DetectorGraph(relu_per_branch=True, merged_heads=False),
                                   DetectorGraph(relu_per_branch=False, merged_heads=True), FASTEST])
def test_every_detector_graph_matches_pytorch_golden_outputs(weights, golden_crop, graph):
    session = ort.InferenceSession(convert_retinaface(weights, graph).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    golden = np.load(GOLDEN_PATH)
    loc, conf, landmarks = detect(session, golden_crop)
    np.testing.assert_allclose(conf[0, :, 1], golden["face_score"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(loc[0, golden["index"]], golden["loc"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(landmarks[0, golden["index"]], golden["landmarks"], rtol=0, atol=1e-4)
