"""The two models checked and opened on threads of their own while the caller goes on.

Checking a model file against its SHA-256 and opening its onnxruntime session are most of what
opening the models costs (about 45 ms of a cold `identify`), and neither holds Python's lock for
long: hashlib and onnxruntime release it while they work. Importing the rest of the stack (faiss, the
storage layer, the use cases) holds it. So a command starts opening the models first and imports
the rest meanwhile, and the detector's session opens beside the embedder's: on two cores the work
overlaps (docs/benchmarks.md, "Start-up").

The threads import nothing: everything they run is imported here, before they start, so no module
is ever imported on two threads at once (tests/test_startup.py checks it). An error on a thread
(a missing or tampered model, an ONNX file onnxruntime refuses) is raised where the engine is asked
for, as it would have been raised there had the models opened in turn, the detector's first.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..config import Settings
from ..engine.embedder import embedder_threads
from ..engine.session import OnnxModel, optimization_target
from ..modelstore import DETECTOR, EMBEDDER, ModelStore
from ..modelstore.store import VerifiedModel

if TYPE_CHECKING:
    from ..engine import FaceEngine


class _ModelThread(threading.Thread):
    """One model: its file checked, then its session opened."""

    def __init__(self, store: ModelStore, role: str, runtime: str | None, settings: Settings,
                 threads: int | None) -> None:
        super().__init__(name=f"facegui-open-{role}", daemon=True)
        self._open = (store, role, runtime, settings, threads)
        self.checked: VerifiedModel | None = None
        self.model: OnnxModel | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        store, role, runtime, settings, threads = self._open
        try:
            self.checked = store.load(role, runtime)
            self.model = OnnxModel.load(self.checked, settings, threads)
        except BaseException as exc:  # handed to whoever asks for the engine, and raised there
            self.error = exc

    def result(self) -> tuple[VerifiedModel, OnnxModel]:
        self.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        assert self.checked is not None and self.model is not None
        return self.checked, self.model


class ModelOpening:
    """Both models of ``store`` (by default the settings' store) being checked and opened with the configured
    providers, from the moment this is made; ``engine()`` waits for them."""

    def __init__(self, settings: Settings, store: ModelStore | None = None) -> None:
        store = store or ModelStore.from_settings(settings)
        runtime = optimization_target()
        self._settings = settings
        self._detector = _ModelThread(store, DETECTOR, runtime, settings, None)
        self._embedder = _ModelThread(store, EMBEDDER, runtime, settings, embedder_threads(settings))
        self._detector.start()
        self._embedder.start()

    def engine(self) -> FaceEngine:
        """The engine of both models once they are open; ModelStoreError or ModelLoadError as opening them
        raised it (the detector's first)."""
        from ..engine.pipeline import FaceEngine

        _, detector = self._detector.result()
        checked, embedder = self._embedder.result()
        return FaceEngine.from_models(detector, embedder, self._settings, checked.model_id)
