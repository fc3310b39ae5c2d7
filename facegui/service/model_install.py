"""Installing models, for ``facegui models install`` and the window's first-run dialog alike.

A model is installed only after it ran on the self-test face (``selftest.check_models``): right
output shapes, finite values, the one face found, self-similarity 1. Everything found at the
source is staged and checked first, then committed together; on any failure nothing is installed.
Each installed model's graph is then optimised for this computer's CPU and kept beside it, so that
opening it later skips that work (engine.session).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..config import Settings
from ..engine import ImageError, ModelLoadError
from ..engine.session import optimization_target, optimize_for_cpu
from ..modelstore import DETECTOR, EMBEDDER, MODELS, ModelStore, ModelStoreError
from .selftest import check_models

Progress = Callable[[str], None]

# The window reaches the model store through this module (the layering contract keeps facegui.gui
# away from facegui.modelstore): the roles, the store it shows and the error it reports.
__all__ = ["DETECTOR", "EMBEDDER", "MODELS", "ModelRefusedError", "ModelStore", "ModelStoreError", "install_models"]


class ModelRefusedError(ModelStoreError):
    """A model was found but failed its smoke run; nothing was installed."""


def install_models(settings: Settings, sources: Sequence[Path] | None = None,
                   progress: Progress = lambda _m: None, store: ModelStore | None = None) -> list[Path]:
    """Install the models at ``sources`` (files or folders), or download the pinned weights when
    ``sources`` is None. Returns the installed files; ModelStoreError (one line) on any failure."""
    store = store or ModelStore.from_settings(settings)
    with store.staging() as staged:
        if sources is None:
            staged.download(progress)
        else:
            for source in sources:
                staged.add(Path(source), progress)
        detector = staged.path(DETECTOR) or _installed(store, DETECTOR)
        embedder = staged.path(EMBEDDER) or _installed(store, EMBEDDER)
        if detector is None:
            raise ModelRefusedError(
                f"{staged.describe()}: not installed: checking an embedder needs the face detector; install "
                f"both together (e.g. --from a folder holding {MODELS[DETECTOR].source_name})")
        progress("running the models on the self-test face")
        try:
            result = check_models(detector, embedder, settings, require_embedder=False)
        except (ModelLoadError, ImageError) as exc:
            raise ModelRefusedError(f"{staged.describe()}: refused: {_first_line(exc)}") from None
        if not result.ok:
            reason = result.line.split("FAILED: ", 1)[-1]
            raise ModelRefusedError(f"{staged.describe()}: refused: its smoke run on the self-test face "
                                    f"failed: {reason}")
        roles = staged.roles
        installed = staged.commit()
    optimize_installed(store, roles, settings)
    return installed


def optimize_installed(store: ModelStore, roles: Sequence[str], settings: Settings) -> None:
    """Keep each model's graph as optimised for this computer's CPU beside it. A cache: a model that
    cannot be optimised, or a folder that cannot be written, still loads as it is."""
    target = optimization_target()
    if target is None:
        return
    for role in roles:
        try:
            model = store.load(role)
            store.record_optimized(model, optimize_for_cpu(model, settings), target)
        except (ModelStoreError, ModelLoadError, OSError):
            continue


def _installed(store: ModelStore, role: str) -> Path | None:
    """The installed model of ``role`` when it is intact, else None."""
    path = store.locate(role)
    if path is None:
        return None
    try:
        store.verify(path)
    except ModelStoreError:
        return None
    return path


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
