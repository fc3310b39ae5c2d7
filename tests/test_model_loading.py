"""Opening the installed models: each file read once and checked, and the graph onnxruntime optimised
for this CPU at install used instead of optimising again at every start (docs/benchmarks.md,
"Start-up"), only while it is exactly what was recorded, and with results identical to the model's."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from facegui.config import Settings
from facegui.engine import FaceEngine
from facegui.engine.imageio import load_image
from facegui.modelstore import DETECTOR, EMBEDDER, MODELS as SPECS, ModelStore, ModelStoreError
from facegui.service import load_engine

from .conftest import FACES

PHOTOS = ["two_people.jpg", "obama1.jpg", "johnsnow_test1.jpg", "kit_with_rose.jpg"]
OPTIMIZED = {role: spec.filename.removesuffix(".onnx") + ".cpu.optimized" for role, spec in SPECS.items()}


@pytest.fixture
def installed(tmp_path, models_dir):
    """A copy of the models as `models install` left them, optimised graphs included."""
    folder = tmp_path / "models"
    shutil.copytree(models_dir, folder)
    return folder


def engines(folder):
    settings = Settings(data_dir=folder.parent / "data", execution_provider="cpu")
    store = ModelStore([], folder)
    plain = FaceEngine.load(folder / SPECS[DETECTOR].filename, folder / SPECS[EMBEDDER].filename, settings, "plain")
    return load_engine(settings, store), plain


def results(engine):
    limit = Settings().max_image_pixels
    faces = [engine.analyze(load_image(FACES / "probes" / name, limit)) for name in PHOTOS]
    return [(f.bbox, f.landmarks, f.score, f.embedding) for photo in faces for f in photo]


def same_results(a, b) -> bool:
    return len(a) == len(b) and all(
        all(np.array_equal(x, y) for x, y in zip(face_a, face_b)) for face_a, face_b in zip(a, b))


def test_install_keeps_an_optimised_graph_that_gives_identical_results(installed):
    records = json.loads((installed / "manifest.json").read_text())
    for role, spec in SPECS.items():
        graph = records[spec.filename]["optimized"]
        assert graph["file"] == OPTIMIZED[role] and graph["model_sha256"] == records[spec.filename]["sha256"]
    optimised, plain = engines(installed)
    assert optimised.detector.model.optimized and optimised.embedder.model.optimized
    assert not plain.detector.model.optimized
    found = results(optimised)
    assert len(found) >= 5 and same_results(found, results(plain))


def test_a_changed_optimised_graph_is_left_for_the_model_itself(installed):
    graph = installed / OPTIMIZED[EMBEDDER]
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0x01
    graph.write_bytes(bytes(data))
    optimised, plain = engines(installed)
    assert optimised.detector.model.optimized and not optimised.embedder.model.optimized
    assert same_results(results(optimised), results(plain))


@pytest.mark.parametrize("field, value", [("runtime", "onnxruntime 0.1 another-cpu"),
                                          ("model_sha256", "0" * 64), ("file", "../arcface.cpu.optimized")])
def test_an_optimised_graph_recorded_for_something_else_is_not_used(installed, field, value):
    records = json.loads((installed / "manifest.json").read_text())
    records[SPECS[EMBEDDER].filename]["optimized"][field] = value
    (installed / "manifest.json").write_text(json.dumps(records))
    optimised, _plain = engines(installed)
    assert optimised.detector.model.optimized and not optimised.embedder.model.optimized


def test_a_changed_model_is_refused_even_beside_its_intact_optimised_graph(installed):
    model = installed / SPECS[EMBEDDER].filename
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01
    model.write_bytes(bytes(data))
    with pytest.raises(ModelStoreError, match="differs from"):
        engines(installed)


def test_model_bytes_asked_for_after_its_optimised_graph_was_taken_are_checked_again(installed):
    """With the optimised graph in use the model file is only hashed; should its bytes be needed after
    all (the CUDA provider works), they are read then and checked again."""
    from facegui.engine.session import optimization_target

    model = ModelStore([], installed).load(EMBEDDER, optimization_target())
    assert model.optimized is not None
    path = installed / SPECS[EMBEDDER].filename
    original = path.read_bytes()
    path.write_bytes(original[:-1] + bytes([original[-1] ^ 0x01]))
    with pytest.raises(ModelStoreError, match="differs from"):
        model.data
    path.write_bytes(original)
    assert model.data == original


def test_where_cuda_is_asked_for_but_cannot_run_the_graph_optimised_for_the_cpu_is_used(installed, monkeypatch):
    """onnxruntime-gpu, the default install on Linux and Windows, lists CUDA even without CUDA 13 and cuDNN
    9; the session then runs on the CPU alone, so the graph optimised for it is used, with the same results."""
    import onnxruntime as ort

    from facegui.engine import session

    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: [session.CUDA, session.CPU])  # as onnxruntime-gpu reports itself
    settings = Settings(data_dir=installed.parent / "data", execution_provider="cuda")
    engine = load_engine(settings, ModelStore([], installed))
    assert engine.detector.model.requested == [session.CUDA, session.CPU]
    if not engine.detector.model.fell_back_to_cpu:
        pytest.skip("CUDA runs on this machine")
    assert engine.detector.model.providers == [session.CPU]
    assert engine.detector.model.optimized and engine.embedder.model.optimized
    _optimised, plain = engines(installed)
    assert same_results(results(engine), results(plain))
