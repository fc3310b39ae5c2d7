"""The converted MobileFaceNet against the upstream PyTorch network's golden outputs, in every
PReLU form the converter can write (bench/bench_graph.py measures which is fastest)."""
from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from facegui.modelstore.convert_arcface import convert_mobilefacenet
from facegui.modelstore.onnx_graph import PRELU_FORM, PRELU_FORMS
from facegui.modelstore.torch_legacy import load_legacy_state_dict

from .conftest import MODELS

GOLDEN_ATOL = 1e-4  # SOURCES.md: a correct conversion matches to about 1e-4


@pytest.fixture(scope="module")
def weights():
    return load_legacy_state_dict(MODELS / "arcface_mobilefacenet.pth")


@pytest.fixture(scope="module")
def golden():
    return np.load(MODELS / "arcface_mobilefacenet_golden.npz")


def embed(model, batch: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["embedding"], {"input": batch})[0]


@pytest.mark.parametrize("form", PRELU_FORMS)
def test_every_prelu_form_matches_the_golden_embeddings(weights, golden, form):
    out = embed(convert_mobilefacenet(weights, prelu_form=form), golden["input"])
    np.testing.assert_allclose(out, golden["embedding"], rtol=0, atol=GOLDEN_ATOL)
    unit = out / np.linalg.norm(out, axis=1, keepdims=True)
    assert float(unit[0] @ unit[1]) == pytest.approx(0.742, abs=2e-3)  # two photos of one person


def test_the_emitted_graph_equals_the_prelu_graph_and_has_no_prelu(weights, golden):
    emitted = convert_mobilefacenet(weights)
    assert PRELU_FORM != "prelu" and not [n for n in emitted.graph.node if n.op_type == "PRelu"]
    reference = embed(convert_mobilefacenet(weights, prelu_form="prelu"), golden["input"])
    np.testing.assert_allclose(embed(emitted, golden["input"]), reference, rtol=0, atol=1e-5)


def test_an_unknown_form_is_refused(weights):
    with pytest.raises(ValueError, match="unknown PReLU form"):
        convert_mobilefacenet(weights, prelu_form="sigmoid")
