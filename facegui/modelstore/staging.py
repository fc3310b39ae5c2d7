"""A staged model install: candidate files are checked and written into a hidden folder beside the
installed models, then moved in together by ``commit()``, or thrown away. A folder install is all
or nothing: no file is installed unless every model found there passed its checks."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..files import atomic_write
from .store import (DETECTOR, EMBEDDER, MODELS, ManifestRecord, ModelStoreError, read_manifest, read_model_file,
                    write_manifest)

MODEL_SUFFIXES = (".pth", ".onnx")

Progress = Callable[[str], None]

MODEL_TOOL_PACKAGES = ("onnx", "google", "ml_dtypes")
"""What checking a supplied .onnx and converting .pth weights import (onnx, its protobuf and ml_dtypes):
the desktop bundle leaves them out, since it ships its models converted (docs/packaging.md)."""
NO_MODEL_TOOLS = ("{path}: cannot check or convert model files here: the onnx package is not installed (the desktop "
                  "bundle leaves it out and ships its models converted); install the model with facegui installed "
                  "from Python ('facegui models install --models DIR --from {name}'), then start this one with "
                  "--models DIR")


@contextmanager
def _model_tools(path: Path) -> Iterator[None]:
    """Around importing the converters or the .onnx checks: no onnx is one line, not a traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in MODEL_TOOL_PACKAGES:
            raise
        raise ModelStoreError(NO_MODEL_TOOLS.format(path=path, name=path.name)) from None


def _convert(path: Path, role: str) -> bytes:
    with _model_tools(path):
        from .convert_arcface import convert_mobilefacenet
        from .convert_retinaface import convert_retinaface
    from .torch_legacy import CheckpointError, load_legacy_state_dict

    try:
        weights = load_legacy_state_dict(path)
        model = convert_retinaface(weights) if role == DETECTOR else convert_mobilefacenet(weights)
    except (CheckpointError, ValueError) as exc:
        raise ModelStoreError(f"{path}: cannot convert ({exc})") from None
    return model.SerializeToString()


class StagedInstall:
    def __init__(self, install_dir: Path):
        self.install_dir = Path(install_dir)
        self._folder: Path | None = None
        self._staged: dict[str, tuple[Path, ManifestRecord, str]] = {}
        """role → (staged file, its manifest record, where it came from)"""

    # -- what is staged ------------------------------------------------------
    @property
    def roles(self) -> list[str]:
        return list(self._staged)

    def path(self, role: str) -> Path | None:
        return self._staged[role][0] if role in self._staged else None

    def describe(self) -> str:
        return ", ".join(origin for _path, _record, origin in self._staged.values())

    # -- staging -------------------------------------------------------------
    def add(self, source: Path, progress: Progress = lambda _m: None) -> None:
        """Stage every model at ``source``: one file, or the model files of a folder."""
        source = Path(source)
        if source.is_dir():
            files = sorted(p for p in source.iterdir() if p.suffix.lower() in MODEL_SUFFIXES)
            found = [(path, role) for path in files if (role := self._role(path, strict=False)) is not None]
            if not found:
                raise ModelStoreError(f"{source}: no model files found (expected "
                                      f"{' or '.join(s.source_name for s in MODELS.values())} or an ArcFace .onnx)")
        elif source.exists():
            role = self._role(source, strict=True)
            assert role is not None  # strict: an unknown file raised
            found = [(source, role)]
        else:
            raise ModelStoreError(f"{source}: no such file or folder")
        for path, role in found:
            progress(f"checking {path.name} as the {role} model")
            self._stage_file(path, role)

    def download(self, progress: Progress = lambda _m: None) -> None:
        """Fetch the pinned upstream weights, check their SHA-256 and stage their conversion."""
        for role, spec in MODELS.items():
            target = self._staging_folder() / spec.source_name
            progress(f"downloading {spec.source_url}")
            try:
                with urllib.request.urlopen(spec.source_url, timeout=60) as response:
                    target.write_bytes(response.read(spec.source_size + 1))
            except OSError as exc:
                raise ModelStoreError(f"cannot download {spec.source_name} ({exc}); "
                                      f"copy it by hand and run 'facegui models install --from FILE'") from None
            self._stage_file(target, role, origin=spec.source_url)

    def _role(self, path: Path, strict: bool) -> str | None:
        if path.suffix.lower() == ".onnx":
            with _model_tools(path):
                from .onnx_check import inspect_onnx
            return inspect_onnx(read_model_file(path), str(path))
        digest = hashlib.sha256(read_model_file(path)).hexdigest()
        for role, spec in MODELS.items():
            if digest == spec.source_sha256:
                return role
        if strict:
            raise ModelStoreError(f"{path}: not a model facegui knows (neither the seed's RetinaFace/ArcFace "
                                  f"weights, by SHA-256, nor an ArcFace-style .onnx)")
        return None

    def _stage_file(self, path: Path, role: str, origin: str | None = None) -> None:
        if role in self._staged:
            raise ModelStoreError(f"{path}: a second {role} model (after {self._staged[role][2]}); "
                                  f"give one file per model")
        spec = MODELS[role]
        data = read_model_file(path)
        digest = hashlib.sha256(data).hexdigest()
        if path.suffix.lower() == ".onnx":
            onnx_bytes, record = data, ManifestRecord(digest)
        else:
            if digest != spec.source_sha256:
                raise ModelStoreError(f"{path}: SHA-256 {digest[:12]}… is not that of {spec.source_name} "
                                      f"({spec.source_sha256[:12]}…); refusing a changed or corrupt file")
            onnx_bytes = _convert(path, role)
            record = ManifestRecord(hashlib.sha256(onnx_bytes).hexdigest(), source_sha256=digest)
        staged = self._staging_folder() / spec.filename
        atomic_write(staged, onnx_bytes)
        self._staged[role] = (staged, record, origin or str(path))

    def _staging_folder(self) -> Path:
        if self._folder is None:
            self.install_dir.mkdir(parents=True, exist_ok=True)
            # In the install folder so the final moves are renames within one filesystem.
            self._folder = Path(tempfile.mkdtemp(dir=self.install_dir, prefix=".staging-"))
        return self._folder

    # -- ending --------------------------------------------------------------
    def commit(self) -> list[Path]:
        """Move every staged model into the store and record them; returns the installed paths."""
        if not self._staged:
            raise ModelStoreError("nothing to install")
        records = read_manifest(self.install_dir)
        installed = []
        for role in (DETECTOR, EMBEDDER):
            if role not in self._staged:
                continue
            staged, record, _origin = self._staged[role]
            target = self.install_dir / MODELS[role].filename
            os.replace(staged, target)
            records[target.name] = record
            installed.append(target)
        write_manifest(self.install_dir, records)
        self._staged.clear()
        return installed

    def discard(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._staged.clear()
