"""Where model files live, what they are, and how they get there.

Search order for each model file: ``--models DIR`` / FACEGUI_MODEL_DIR, ``./model_data``,
the folder bundled with a frozen app, then ``<user data dir>/models``. Installing
converts the seed's PyTorch weights to ONNX here, without torch.
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import onnx

from ..files import atomic_write
from .torch_legacy import CheckpointError, load_legacy_state_dict

if TYPE_CHECKING:
    import numpy as np

    from ..config import Settings

DETECTOR = "detector"
EMBEDDER = "embedder"
SOURCE_SHA_KEY = "facegui.source_sha256"
SOURCE_NAME_KEY = "facegui.source_name"
LOCAL_MODEL_DIR = Path("model_data")
MANIFEST_FILE = "manifest.json"
"""SHA-256 of every model file as installed, beside the files: a changed byte is caught at load."""


class ModelStoreError(RuntimeError):
    """A model is missing, corrupt or of the wrong kind; the message says what to run."""


@dataclass(frozen=True)
class ModelSpec:
    role: str
    filename: str
    """The ONNX file the engine loads."""
    source_name: str
    """The upstream weights file this project converts."""
    source_sha256: str
    source_url: str
    source_size: int


def _convert_detector(weights: Mapping[str, np.ndarray]) -> onnx.ModelProto:
    from .convert_retinaface import convert_retinaface
    return convert_retinaface(weights)


def _convert_embedder(weights: Mapping[str, np.ndarray]) -> onnx.ModelProto:
    from .convert_arcface import convert_mobilefacenet
    return convert_mobilefacenet(weights)


MODELS: dict[str, ModelSpec] = {
    DETECTOR: ModelSpec(
        DETECTOR, "retinaface_mobilenet0.25.onnx", "Retinaface_mobilenet0.25.pth",
        "f9780c6e8674a3bf1c0787b30410f10acb0c52fd05e90114cc8a3bd610bd6e4b",
        "https://github.com/bubbliiiing/facenet-retinaface-pytorch/raw/"
        "93d3e2b8ed3e79417ac11a8caf0a02472c4ba6ae/model_data/Retinaface_mobilenet0.25.pth",
        1_789_135),
    EMBEDDER: ModelSpec(
        EMBEDDER, "arcface.onnx", "arcface_mobilefacenet.pth",
        "4c08e11a0a2bbf299910210da647c7d8105c348f4c533868e1710dbcf7b22480",
        "https://github.com/bubbliiiing/arcface-pytorch/releases/download/v1.0/arcface_mobilefacenet.pth",
        4_155_613),
}
_CONVERTERS: dict[str, Callable] = {DETECTOR: _convert_detector, EMBEDDER: _convert_embedder}


@dataclass(frozen=True)
class ModelStatus:
    role: str
    filename: str
    path: Path | None
    size: int | None
    sha256: str | None
    model_id: str | None
    problem: str | None = None
    """Why the file cannot be used (changed since install, not valid ONNX), or None."""

    @property
    def present(self) -> bool:
        return self.path is not None

    def to_json(self) -> dict:
        return {"role": self.role, "file": self.filename, "present": self.present,
                "path": str(self.path) if self.path else None, "size": self.size,
                "sha256": self.sha256, "model_id": self.model_id, "problem": self.problem}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundled_model_dir() -> Path | None:
    """Models shipped inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "model_data" if base else None


def default_install_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def model_id_of(path: Path, onnx_model: onnx.ModelProto | None = None) -> str:
    """``name:hash12``; the hash is that of the converted weights' source where known, so
    re-converting the same weights keeps enrolled embeddings valid."""
    try:
        model = onnx_model if onnx_model is not None else onnx.load(str(path), load_external_data=False)
    except Exception:  # protobuf raises its own error types on a damaged file
        raise ModelStoreError(f"{path}: not a valid ONNX file (damaged?); reinstall it with "
                              f"'facegui models install --from FOLDER'") from None
    meta = {p.key: p.value for p in model.metadata_props}
    if SOURCE_SHA_KEY in meta:
        return f"{Path(meta.get(SOURCE_NAME_KEY, path.stem)).stem}:{meta[SOURCE_SHA_KEY][:12]}"
    return f"{path.stem}:{sha256_file(path)[:12]}"


class ModelStore:
    def __init__(self, search_dirs: Iterable[Path], install_dir: Path):
        self.search_dirs = [Path(d) for d in search_dirs]
        self.install_dir = Path(install_dir)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ModelStore":
        dirs = [settings.model_dir, LOCAL_MODEL_DIR, bundled_model_dir(), default_install_dir(settings.data_dir)]
        install = settings.model_dir or default_install_dir(settings.data_dir)
        return cls([d for d in dirs if d is not None], install)

    # -- finding -------------------------------------------------------------
    def locate(self, role: str) -> Path | None:
        filename = MODELS[role].filename
        for folder in [*self.search_dirs, self.install_dir]:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        return None

    def require(self, role: str) -> Path:
        """The model file, verified against the SHA-256 recorded when it was installed."""
        path = self.locate(role)
        if path is not None:
            self.verify(path)
        if path is None:
            raise ModelStoreError(
                f"the {role} model ({MODELS[role].filename}) is not installed; run "
                f"'facegui models install --from FOLDER' (a folder holding {MODELS[role].source_name}) "
                f"or 'facegui models install' to download it")
        return path

    @staticmethod
    def verify(path: Path) -> None:
        recorded = _read_manifest(path.parent).get(path.name)
        reinstall = "reinstall it with 'facegui models install --from FOLDER'"
        if recorded is None:
            raise ModelStoreError(f"{path}: not installed by facegui (no SHA-256 recorded in "
                                  f"{MANIFEST_FILE}); {reinstall}")
        actual = sha256_file(path)
        if actual != recorded:
            raise ModelStoreError(f"{path}: SHA-256 {actual[:12]}… differs from the {recorded[:12]}… recorded "
                                  f"at install: the file was changed or damaged; {reinstall}")

    def status(self) -> list[ModelStatus]:
        result = []
        for role, spec in MODELS.items():
            path = self.locate(role)
            if path is None:
                result.append(ModelStatus(role, spec.filename, None, None, None, None))
                continue
            model_id, problem = None, None
            try:
                self.verify(path)
                model_id = model_id_of(path)
            except ModelStoreError as exc:  # a bad file is still listed, with the reason
                problem = str(exc)
            result.append(ModelStatus(role, spec.filename, path, path.stat().st_size, sha256_file(path),
                                      model_id, problem))
        return result

    # -- installing ----------------------------------------------------------
    def install_from(self, source: Path, progress: Callable[[str], None] = lambda _m: None) -> list[Path]:
        """Import every model found at ``source`` (a file or a folder); returns the written files."""
        source = Path(source)
        if source.is_dir():
            files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".pth", ".onnx"))
        elif source.is_file():
            files = [source]
        else:
            raise ModelStoreError(f"{source}: no such file or folder")
        installed = []
        for path in files:
            role_and_kind = self._identify(path)
            if role_and_kind is None:
                if source.is_file():
                    raise ModelStoreError(f"{path}: not a model facegui knows (neither the seed's "
                                          f"RetinaFace/ArcFace weights nor an ArcFace-style .onnx)")
                continue
            role, kind = role_and_kind
            progress(f"installing {path.name} as the {role} model")
            installed.append(self._install_onnx(path, role) if kind == "onnx" else self._convert(path, role))
        if not installed:
            raise ModelStoreError(f"{source}: no model files found (expected "
                                  f"{' or '.join(s.source_name for s in MODELS.values())} or an ArcFace .onnx)")
        return installed

    def download(self, progress: Callable[[str], None] = lambda _m: None) -> list[Path]:
        """Fetch the pinned upstream weights, check SHA-256, convert. Needs the network."""
        installed = []
        with tempfile.TemporaryDirectory() as tmp:
            for role, spec in MODELS.items():
                target = Path(tmp) / spec.source_name
                progress(f"downloading {spec.source_url}")
                try:
                    with urllib.request.urlopen(spec.source_url, timeout=60) as response:
                        target.write_bytes(response.read(spec.source_size + 1))
                except OSError as exc:
                    raise ModelStoreError(f"cannot download {spec.source_name} ({exc}); "
                                          f"copy it by hand and run 'facegui models install --from FILE'") from None
                installed.append(self._convert(target, role))
        return installed

    def _identify(self, path: Path) -> tuple[str, str] | None:
        if path.suffix.lower() == ".onnx":
            return self._onnx_role(path), "onnx"
        digest = sha256_file(path)
        for role, spec in MODELS.items():
            if digest == spec.source_sha256:
                return role, "pth"
        return None

    @staticmethod
    def _onnx_role(path: Path) -> str:
        try:
            model = onnx.load(str(path), load_external_data=False)
        except Exception:
            raise ModelStoreError(f"{path}: not a valid ONNX file") from None
        outputs = {o.name for o in model.graph.output}
        if {"loc", "conf", "landmarks"} <= outputs:
            return DETECTOR
        dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        if len(dims) == 4 and dims[1] == 3 and dims[2] == dims[3] == 112:
            return EMBEDDER
        raise ModelStoreError(f"{path}: ONNX input {dims} is neither RetinaFace (loc/conf/landmarks "
                              f"outputs) nor ArcFace-style (N,3,112,112)")

    def _convert(self, path: Path, role: str) -> Path:
        spec = MODELS[role]
        digest = sha256_file(path)
        if digest != spec.source_sha256:
            raise ModelStoreError(f"{path}: SHA-256 {digest[:12]}… is not that of {spec.source_name} "
                                  f"({spec.source_sha256[:12]}…); refusing a changed or corrupt file")
        try:
            model = _CONVERTERS[role](load_legacy_state_dict(path))
        except (CheckpointError, ValueError) as exc:
            raise ModelStoreError(f"{path}: cannot convert ({exc})") from None
        onnx.helper.set_model_props(model, {SOURCE_SHA_KEY: digest, SOURCE_NAME_KEY: spec.source_name})
        return self._write(model.SerializeToString(), spec.filename)

    def _install_onnx(self, path: Path, role: str) -> Path:
        return self._write(path.read_bytes(), MODELS[role].filename)

    def _write(self, data: bytes, filename: str) -> Path:
        """Atomic: a crash mid-install leaves the old model or the new one, never half a file."""
        self.install_dir.mkdir(parents=True, exist_ok=True)
        target = self.install_dir / filename
        atomic_write(target, data)
        manifest = _read_manifest(self.install_dir)
        manifest[filename] = hashlib.sha256(data).hexdigest()
        atomic_write(self.install_dir / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True).encode())
        return target


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
