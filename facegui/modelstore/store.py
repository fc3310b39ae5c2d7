"""Where model files live, what they are, and how they get there.

Search order for each model file: ``--models DIR`` / FACEGUI_MODEL_DIR, the folder bundled with a
frozen app, then ``<user data dir>/models``. The working folder is never searched: a model planted
there would otherwise take over recognition. Every file is checked against the SHA-256 that the
store recorded in ``manifest.json`` when it installed it.

A model's identity (the id its embeddings are stored under) comes from bytes the store hashed
itself, never from the ONNX file's own metadata: the SHA-256 of the pinned upstream weights it
converted, or else the SHA-256 of the ONNX file.

A model is loaded from the bytes that were checked (``ModelStore.load``), so nothing can change the
file between the check and the load. Beside a model, the store may keep its graph as onnxruntime
optimised it for this computer's CPU (``record_optimized``): recorded in the model's own manifest
entry with its SHA-256, the SHA-256 of the model it came from and the runtime it is valid for, and
used only when all three still match (docs/benchmarks.md, "Start-up").
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import FileReadError, FileTooLarge, NotARegularFile, atomic_write, read_bounded

if TYPE_CHECKING:
    from ..config import Settings
    from .staging import StagedInstall

DETECTOR = "detector"
EMBEDDER = "embedder"
MANIFEST_FILE = "manifest.json"
"""Per model file as installed: its SHA-256 (a changed byte is caught at load) and, for a file the
store converted itself, the SHA-256 of the pinned weights it came from."""


MAX_MODEL_BYTES = 512 * 1024 * 1024
"""Larger files are refused before reading: the biggest ArcFace backbones are about 250 MB."""
OPTIMIZED_SUFFIX = ".cpu.optimized"
"""An optimised graph is kept beside its model (``arcface.cpu.optimized``), under a name no install
looks at."""


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
    note: str | None = None
    """Something the user should know although the file works, or None."""

    @property
    def present(self) -> bool:
        return self.path is not None

    def to_json(self) -> dict:
        return {"role": self.role, "file": self.filename, "present": self.present,
                "path": str(self.path) if self.path else None, "size": self.size,
                "sha256": self.sha256, "model_id": self.model_id, "problem": self.problem, "note": self.note}


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read through one small buffer: never a copy of the whole file."""
    digest, buffer = hashlib.sha256(), bytearray(1 << 20)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while count := fh.readinto(buffer):
            digest.update(view[:count])
    return digest.hexdigest()


def bundled_model_dir() -> Path | None:
    """Models shipped inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "model_data" if base else None


def default_install_dir(data_dir: Path) -> Path:
    return data_dir / "models"


@dataclass(frozen=True)
class OptimizedGraph:
    """A model's graph as onnxruntime optimised it for one runtime on one CPU, kept as a cache."""

    file: str
    """Beside the model, in the same folder."""
    sha256: str
    model_sha256: str
    """The SHA-256 of the model file it was made from: a reinstalled model never gets the old graph."""
    runtime: str
    """The onnxruntime version and CPU it was made for (``engine.session.optimization_target``)."""

    def to_json(self) -> dict:
        return {"file": self.file, "sha256": self.sha256, "model_sha256": self.model_sha256, "runtime": self.runtime}

    @classmethod
    def from_json(cls, value: object) -> OptimizedGraph | None:
        if not isinstance(value, dict):
            return None
        fields = [value.get(key) for key in ("file", "sha256", "model_sha256", "runtime")]
        texts = [field for field in fields if isinstance(field, str)]
        if len(texts) != len(fields):
            return None
        file, sha256, model_sha256, runtime = texts
        if Path(file).name != file or not file.endswith(OPTIMIZED_SUFFIX):  # never a path out of the folder
            return None
        return cls(file, sha256, model_sha256, runtime)


@dataclass(frozen=True)
class ManifestRecord:
    sha256: str
    source_sha256: str | None = None
    """Set only when the store converted this file from pinned upstream weights it verified."""
    from_older_facegui: bool = False
    """Recorded before model ids came from the store's own hashes (a bare SHA-256 in the manifest)."""
    optimized: OptimizedGraph | None = None

    def to_json(self) -> dict | str:
        record: dict = {"sha256": self.sha256}
        if self.source_sha256:
            record["source_sha256"] = self.source_sha256
        if self.optimized:
            record["optimized"] = self.optimized.to_json()
        return record


def read_manifest(folder: Path) -> dict[str, ManifestRecord]:
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    records = {}
    for name, value in data.items():
        if isinstance(value, str):  # written by facegui before model ids came from the bytes
            records[str(name)] = ManifestRecord(value, from_older_facegui=True)
        elif isinstance(value, dict) and isinstance(value.get("sha256"), str):
            source = value.get("source_sha256")
            records[str(name)] = ManifestRecord(value["sha256"], source if isinstance(source, str) else None,
                                                optimized=OptimizedGraph.from_json(value.get("optimized")))
    return records


def write_manifest(folder: Path, records: dict[str, ManifestRecord]) -> None:
    payload = {name: record.to_json() for name, record in sorted(records.items())}
    atomic_write(folder / MANIFEST_FILE, json.dumps(payload, indent=2).encode())


def read_model_file(path: Path, size_only: bool = False) -> bytes:
    """The bytes of a regular model file of bounded size (never a FIFO, a device or a bomb; checked on what
    was opened, ``files.read_bounded``); with ``size_only``, only that check (and b"")."""
    try:
        return read_bounded(path, MAX_MODEL_BYTES, check_only=size_only)
    except NotARegularFile as exc:
        raise ModelStoreError(f"{path}: is {exc.kind}, not a model file") from None
    except FileTooLarge as exc:
        raise ModelStoreError(f"{path}: {exc.size:,} bytes is larger than any face model ({MAX_MODEL_BYTES:,} at most)"
                              if exc.size is not None else
                              f"{path}: larger than any face model ({MAX_MODEL_BYTES:,} bytes at most)") from None
    except FileReadError as exc:
        raise ModelStoreError(f"{path}: cannot be read ({exc.reason})") from None


_PINNED_SOURCES = {spec.source_sha256: spec for spec in MODELS.values()}


def _model_id(path: Path, record: ManifestRecord) -> str:
    spec = _PINNED_SOURCES.get(record.source_sha256 or "")
    if spec is not None:
        return f"{Path(spec.source_name).stem}:{spec.source_sha256[:12]}"
    return f"{Path(path).stem}:{record.sha256[:12]}"


def model_id_of(path: Path) -> str:
    """``name:sha12`` of a model file the store has verified (see ``ModelStore.verify``).

    For a file the store converted from pinned weights the hash is the weights' SHA-256 (so a
    better graph of the same weights keeps every enrolled embedding valid: the converter's tests
    hold each graph to the same golden outputs); otherwise it is the SHA-256 of the file itself.
    """
    return _model_id(Path(path), ModelStore.verify(path))


class VerifiedModel:
    """A model file checked against its manifest entry, and what onnxruntime loads of it: ``optimized``,
    its graph as optimised for the runtime asked for (checked likewise), or else ``data``, the very
    bytes that were checked. With a usable optimised graph the model file is only hashed (through a
    small buffer); its bytes are read, and checked again, only if they are asked for after all."""

    def __init__(self, path: Path, record: ManifestRecord, data: bytes | None, optimized: bytes | None = None):
        self.path = path
        self.record = record
        self._data = data
        self.optimized = optimized

    @property
    def data(self) -> bytes:
        if self._data is None:
            data = read_model_file(self.path)
            _check(self.path, data, self.record)
            self._data = data
        return self._data

    @property
    def model_id(self) -> str:
        return _model_id(self.path, self.record)


def _check(path: Path, data: bytes, record: ManifestRecord) -> None:
    """ModelStoreError unless ``data`` (the bytes of ``path``) has the SHA-256 ``record`` holds."""
    _check_digest(path, hashlib.sha256(data).hexdigest(), record)


def _check_digest(path: Path, actual: str, record: ManifestRecord) -> None:
    if actual != record.sha256:
        raise ModelStoreError(f"{path}: SHA-256 {actual[:12]}… differs from the {record.sha256[:12]}… "
                              f"recorded at install: the file was changed or damaged; {REINSTALL}")


def _check_in_place(path: Path, record: ManifestRecord) -> None:
    """Check ``path``'s SHA-256 against ``record`` without keeping its bytes."""
    read_model_file(path, size_only=True)
    try:
        actual = sha256_file(path)
    except OSError as exc:
        raise ModelStoreError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    _check_digest(path, actual, record)


REINSTALL_COMMAND = "'facegui models install --from FOLDER', or 'facegui models install'"
REINSTALL = "reinstall it with 'facegui models install --from FOLDER'"


class ModelStore:
    def __init__(self, search_dirs: Iterable[Path], install_dir: Path):
        self.search_dirs = [Path(d) for d in search_dirs]
        self.install_dir = Path(install_dir)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ModelStore":
        dirs = [settings.model_dir, bundled_model_dir(), default_install_dir(settings.data_dir)]
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

    def missing(self) -> list[str]:
        """Roles (``detector``, ``embedder``) this store cannot find."""
        return [role for role in MODELS if self.locate(role) is None]

    def require_located(self, role: str) -> Path:
        """The model file's path (not yet verified), or ModelStoreError saying how to install it."""
        path = self.locate(role)
        if path is None:
            raise ModelStoreError(
                f"the {role} model ({MODELS[role].filename}) is not installed; run "
                f"'facegui models install --from FOLDER' (a folder holding {MODELS[role].source_name}) "
                f"or 'facegui models install' to download it")
        return path

    def require(self, role: str) -> Path:
        """The model file, verified against the SHA-256 recorded when it was installed."""
        path = self.require_located(role)
        self.verify(path)
        return path

    def load(self, role: str, runtime: str | None = None) -> VerifiedModel:
        """The model of ``role``, checked against its recorded SHA-256 (see ``require``), with its graph
        optimised for ``runtime`` when the store keeps a valid one."""
        path = self.require_located(role)
        record = self._record(path)
        optimized = self._optimized_graph(path, record, runtime)
        if optimized is None:
            data = read_model_file(path)
            _check(path, data, record)
            return VerifiedModel(path, record, data)
        _check_in_place(path, record)
        return VerifiedModel(path, record, None, optimized)

    @staticmethod
    def _optimized_graph(path: Path, record: ManifestRecord, runtime: str | None) -> bytes | None:
        """The bytes of the graph recorded for ``record`` and ``runtime``, if they still match it."""
        graph = record.optimized
        if runtime is None or graph is None or graph.runtime != runtime or graph.model_sha256 != record.sha256:
            return None
        try:
            data = read_model_file(path.parent / graph.file)
        except ModelStoreError:
            return None
        return data if hashlib.sha256(data).hexdigest() == graph.sha256 else None

    def record_optimized(self, model: VerifiedModel, graph: bytes, runtime: str) -> None:
        """Keep ``graph`` (``model`` as optimised for ``runtime``) beside the model, in its manifest entry."""
        folder = model.path.parent
        name = Path(model.path.name).stem + OPTIMIZED_SUFFIX
        records = read_manifest(folder)
        current = records.get(model.path.name)
        if current is None or current.sha256 != model.record.sha256 or current.from_older_facegui:
            return  # replaced meanwhile (the graph would not match it), or a record to keep as it is
        atomic_write(folder / name, graph)
        optimized = OptimizedGraph(name, hashlib.sha256(graph).hexdigest(), current.sha256, runtime)
        records[model.path.name] = ManifestRecord(current.sha256, current.source_sha256,
                                                  current.from_older_facegui, optimized)
        write_manifest(folder, records)

    @staticmethod
    def verify(path: Path) -> ManifestRecord:
        """The manifest record of ``path`` after checking the file's bytes against it."""
        path = Path(path)
        record = ModelStore._record(path)
        _check_in_place(path, record)
        return record

    @staticmethod
    def _record(path: Path) -> ManifestRecord:
        record = read_manifest(path.parent).get(path.name)
        if record is None:
            raise ModelStoreError(f"{path}: not installed by facegui (no SHA-256 recorded in "
                                  f"{MANIFEST_FILE}); {REINSTALL}")
        return record

    def status(self) -> list[ModelStatus]:
        result = []
        for role, spec in MODELS.items():
            path = self.locate(role)
            if path is None:
                result.append(ModelStatus(role, spec.filename, None, None, None, None))
                continue
            model_id, problem, note = None, None, None
            try:
                model_id = model_id_of(path)
                if role == EMBEDDER and self.verify(path).from_older_facegui:  # its id keys the gallery
                    note = (f"installed by an older facegui, so its id is that of the file; people enrolled "
                            f"before are kept under the old id: install it again ({REINSTALL_COMMAND}) to "
                            f"use them")
            except ModelStoreError as exc:  # a bad file is still listed, with the reason
                problem = str(exc)
            result.append(ModelStatus(role, spec.filename, path, path.stat().st_size, sha256_file(path),
                                      model_id, problem, note))
        return result

    # -- installing ----------------------------------------------------------
    @contextmanager
    def staging(self) -> Iterator[StagedInstall]:
        """A staged install into this store: nothing is installed unless ``commit()`` is called."""
        from .staging import StagedInstall

        staged = StagedInstall(self.install_dir)
        try:
            yield staged
        finally:
            staged.discard()

    def install_from(self, source: Path, progress: Callable[[str], None] = lambda _m: None) -> list[Path]:
        """Import every model at ``source`` (a file or a folder), all or nothing.

        Checks the files statically only; users install through the service's ``install_models``,
        which also runs each model on the self-test face before it commits.
        """
        with self.staging() as staged:
            staged.add(Path(source), progress)
            return staged.commit()
