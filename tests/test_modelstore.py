"""The model store against planted, fake, broken and hostile models (issue 10, "Models").

Each test here failed on the code before the fix: the working folder was searched first, the model
id came from the ONNX file's own metadata, installs ran nothing, broken files raised tracebacks, a
folder install stopped halfway, and the legacy .pth reader trusted every offset and stride."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facegui.app import main
from facegui.config import Settings
from facegui.modelstore import DETECTOR, EMBEDDER, MODELS as SPECS, ModelStore, ModelStoreError, model_id_of
from facegui.modelstore.torch_legacy import CheckpointError, load_legacy_state_dict
from facegui.service import ModelRefusedError, install_models

from . import hostile_models
from .conftest import FACES, MODELS, REPO
from .legacy_pth import StorageRecord, dumps, from_state_dict

REAL_EMBEDDER_ID = f"arcface_mobilefacenet:{SPECS[EMBEDDER].source_sha256[:12]}"
PROBE = FACES / "probes" / "two_people.jpg"


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> list[str]:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return ["--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "no-settings.json")]


def planted_store(folder: Path, models_dir: Path, embedder: bytes) -> Path:
    """A models folder holding the real detector and ``embedder``, with a manifest that vouches for
    both, as an older facegui wrote it after `models install --from FAKE.onnx`."""
    folder.mkdir(parents=True, exist_ok=True)
    detector = SPECS[DETECTOR].filename
    shutil.copy(models_dir / detector, folder / detector)
    (folder / SPECS[EMBEDDER].filename).write_bytes(embedder)
    manifest = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                for name in (detector, SPECS[EMBEDDER].filename)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def one_error_line(err: str) -> str:
    """The one ``facegui: ...`` error line (progress lines like "checking X" may precede it)."""
    lines = [line for line in err.splitlines() if line.startswith("facegui: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- where models are looked up ---------------------------------------------------------------------
def test_a_model_planted_in_the_working_folder_is_not_used(tmp_path, isolated, models_dir, capsys):
    planted_store(Path("model_data"), models_dir, hostile_models.constant_embedder())
    store = ModelStore.from_settings(Settings(data_dir=tmp_path / "data"))
    assert store.locate(EMBEDDER) is None and store.locate(DETECTOR) is None
    assert main(["models", "list", "--json", *isolated]) == 0
    assert [m["present"] for m in json.loads(capsys.readouterr().out)] == [False, False]
    assert main(["identify", str(PROBE), *isolated]) == 2
    assert "not installed" in one_error_line(capsys.readouterr().err)


def test_a_source_checkout_passes_its_model_folder_explicitly(tmp_path, isolated, models_dir, capsys):
    shutil.copytree(models_dir, "model_data")
    assert main(["identify", str(PROBE), "--models", "model_data", *isolated]) == 0
    assert "no face" not in capsys.readouterr().out


# -- identity -----------------------------------------------------------------------------------------
def test_a_fake_onnx_cannot_claim_the_real_weights_id(tmp_path, models_dir):
    fake = planted_store(tmp_path / "models", models_dir, hostile_models.constant_embedder(claim_real_id=True))
    fake_id = model_id_of(fake / SPECS[EMBEDDER].filename)
    digest = hashlib.sha256((fake / SPECS[EMBEDDER].filename).read_bytes()).hexdigest()
    assert fake_id == f"arcface:{digest[:12]}" and fake_id != REAL_EMBEDDER_ID


def test_the_converted_seed_weights_keep_the_id_existing_galleries_use(models_dir):
    # Galleries enrolled before this change are keyed by the source weights' hash: still valid.
    assert model_id_of(models_dir / SPECS[EMBEDDER].filename) == REAL_EMBEDDER_ID
    record = json.loads((models_dir / "manifest.json").read_text())[SPECS[EMBEDDER].filename]
    assert record["source_sha256"] == SPECS[EMBEDDER].source_sha256


def test_an_old_manifest_entry_gives_the_id_of_the_bytes_until_reinstalled(tmp_path, models_dir):
    old = tmp_path / "old"
    shutil.copytree(models_dir, old)
    records = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({name: r["sha256"] for name, r in records.items()}))
    digest = records[SPECS[EMBEDDER].filename]["sha256"]
    assert model_id_of(old / SPECS[EMBEDDER].filename) == f"arcface:{digest[:12]}"
    notes = {status.role: status.note for status in ModelStore([old], old).status()}
    assert "installed by an older facegui" in notes[EMBEDDER] and "install it again" in notes[EMBEDDER]
    install_models(Settings(data_dir=tmp_path / "data", model_dir=old), [MODELS])
    assert model_id_of(old / SPECS[EMBEDDER].filename) == REAL_EMBEDDER_ID
    assert [status.note for status in ModelStore([old], old).status()] == [None, None]


# -- smoke run at install -------------------------------------------------------------------------------
@pytest.mark.parametrize("fake, reason", [
    (hostile_models.constant_embedder, "does not tell faces apart"),
    (hostile_models.nan_embedder, "not finite"),
])
def test_install_refuses_an_embedder_that_fails_the_smoke_run(tmp_path, isolated, models_dir, capsys, fake, reason):
    target = tmp_path / "models"
    shutil.copytree(models_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    path = tmp_path / "FAKE.onnx"
    path.write_bytes(fake())
    assert main(["models", "install", "--from", str(path), "--models", str(target), *isolated]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "FAKE.onnx: refused" in line and reason in line
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_install_of_the_real_weights_passes_the_smoke_run(tmp_path, isolated, capsys):
    target = tmp_path / "models"
    assert main(["models", "install", "--from", str(MODELS), "--models", str(target), *isolated]) == 0
    assert "running the models on the self-test face" in capsys.readouterr().err
    # Each model and its graph as optimised for this CPU (tests/test_model_loading.py), nothing staged.
    assert sorted(p.name for p in target.iterdir()) == ["arcface.cpu.optimized", "arcface.onnx", "manifest.json",
                                                        "retinaface_mobilenet0.25.cpu.optimized",
                                                        "retinaface_mobilenet0.25.onnx"]


@pytest.mark.parametrize("make, reason", [
    (lambda: b"", "the file is empty"),
    (hostile_models.no_input_model, "has no inputs"),
    (hostile_models.huge_input_embedder, "neither RetinaFace"),
    (hostile_models.external_data_embedder, "external data outside its folder ('../../etc/passwd')"),
    (lambda: b"\x08\x07garbage" * 10, "not a valid ONNX file"),
])
def test_install_refuses_broken_onnx_files_in_one_line(tmp_path, isolated, capsys, make, reason):
    path = tmp_path / "model.onnx"
    path.write_bytes(make())
    target = tmp_path / "models"
    assert main(["models", "install", "--from", str(path), "--models", str(target), *isolated]) == 2
    assert reason in one_error_line(capsys.readouterr().err)
    assert not target.exists() or not [p for p in target.iterdir() if not p.name.startswith(".")]


@pytest.mark.parametrize("make, reason", [
    (hostile_models.huge_input_embedder, "expected an input of shape (N, 3, 112, 112)"),
    (hostile_models.no_input_model, "needs one input"),
    (hostile_models.external_data_embedder, "escapes"),
])
def test_identify_refuses_an_installed_model_that_cannot_run_in_one_line(tmp_path, isolated, models_dir, capsys,
                                                                         make, reason):
    folder = planted_store(tmp_path / "models", models_dir, make())
    assert main(["identify", str(PROBE), "--models", str(folder), *isolated]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "arcface.onnx" in line and reason in line


def test_a_folder_install_is_all_or_nothing(tmp_path, isolated, capsys):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(MODELS / SPECS[DETECTOR].source_name, source)
    (source / "arcface_r50.onnx").write_bytes(hostile_models.nan_embedder())
    target = tmp_path / "models"
    assert main(["models", "install", "--from", str(source), "--models", str(target), *isolated]) == 2
    assert "refused" in one_error_line(capsys.readouterr().err)
    assert [p.name for p in target.iterdir()] == []  # not even the detector, and no staging left


def test_an_embedder_alone_needs_a_detector_to_be_checked(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "models")
    with pytest.raises(ModelRefusedError, match="needs the face detector"):
        install_models(settings, [MODELS / SPECS[EMBEDDER].source_name])
    assert ModelStore.from_settings(settings).locate(EMBEDDER) is None


def test_a_model_file_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "model.onnx"
    import os
    os.mkfifo(fifo)
    with pytest.raises(ModelStoreError, match=r"model.onnx: is a named pipe \(FIFO\), not a model file"):
        install_models(Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "models"), [fifo])
    zero = tmp_path / "zero.onnx"
    zero.symlink_to("/dev/zero")
    with pytest.raises(ModelStoreError, match="zero.onnx: is a character device, not a model file"):
        install_models(Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "models"), [zero])


# -- the legacy .pth reader ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_state():
    return load_legacy_state_dict(MODELS / SPECS[EMBEDDER].source_name)


def crafted(real_state, mutate) -> bytes:
    legacy = from_state_dict(real_state)
    mutate(legacy)
    return dumps(legacy)


def _tensor(legacy, name="arcface.features.weight"):
    return legacy.tensors[name]


CRAFTED = {
    "offset past the end": (lambda f: setattr(_tensor(f), "offset", 60_000), "past the storage"),
    "size past the end": (lambda f: setattr(_tensor(f), "size", (128, 512, 1, 2)), "past the storage"),
    "stride past the end": (lambda f: setattr(_tensor(f), "stride", (512, 10**9, 1, 1)), "past the storage"),
    "huge stride": (lambda f: setattr(_tensor(f), "stride", (2**60, 1, 1, 1)), "past the storage"),
    "negative stride": (lambda f: setattr(_tensor(f), "stride", (-512, 1, 1, 1)), "not a non-negative integer"),
    "negative offset": (lambda f: setattr(_tensor(f), "offset", -4096), "not a non-negative integer"),
    "float size": (lambda f: setattr(_tensor(f), "size", (128.0, 512, 1, 1)), "not a non-negative integer"),
    "rank mismatch": (lambda f: setattr(_tensor(f), "stride", (512, 1)), "4 sizes but 2 strides"),
    "view past its storage": (lambda f: setattr(_tensor(f).storage, "view", ("v", 65_000, 1000)),
                              "runs past its storage"),
    "declared size larger than written": (lambda f: setattr(_tensor(f).storage, "declared_size", 10**8),
                                          "its tensors declared"),
    "storage retyped": (lambda f: setattr(_tensor(f).storage, "type_name", "DoubleStorage"), "truncated"),
    "scalar past the end": (lambda f: setattr(_tensor(f, "arcface.conv1.bn.num_batches_tracked"), "offset", 5),
                            "past the storage"),
}


def test_the_test_writer_reproduces_the_real_weights(tmp_path, real_state):
    path = tmp_path / "same.pth"
    path.write_bytes(dumps(from_state_dict(real_state)))
    again = load_legacy_state_dict(path)
    assert list(again) == list(real_state)
    assert all(np.array_equal(again[k], real_state[k]) for k in real_state)


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_pth_gives_one_clear_error(tmp_path, real_state, case):
    mutate, message = CRAFTED[case]
    path = tmp_path / "crafted.pth"
    path.write_bytes(crafted(real_state, mutate))
    # In a child process: without the bounds checks a crafted view can segfault the reader.
    child = subprocess.run(
        [sys.executable, "-c",
         "import sys; from facegui.modelstore.torch_legacy import CheckpointError, load_legacy_state_dict\n"
         "try:\n    load_legacy_state_dict(sys.argv[1])\nexcept CheckpointError as exc:\n    print(exc)\n"
         "else:\n    print('LOADED')", str(path)],
        capture_output=True, text=True, timeout=60, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert child.returncode == 0, f"{case}: the reader crashed ({child.returncode}): {child.stderr[-500:]}"
    assert message in child.stdout, f"{case}: {child.stdout!r}"
    with pytest.raises(CheckpointError):
        load_legacy_state_dict(path)


def test_view_within_its_storage_is_read_from_the_right_place(tmp_path):
    data = np.arange(10, dtype=np.float32)
    from collections import OrderedDict

    from .legacy_pth import LegacyFile, TensorRecord
    root = StorageRecord("0", "FloatStorage", data, view=("v", 4, 3))
    legacy = LegacyFile(OrderedDict(x=TensorRecord(root, 1, (2,), (1,))), [root])
    path = tmp_path / "view.pth"
    path.write_bytes(dumps(legacy))
    assert load_legacy_state_dict(path)["x"].tolist() == [5.0, 6.0]
