"""One place that opens onnxruntime sessions: provider choice, threads, quiet logs, and the graph
onnxruntime optimised for this CPU ahead of time when there is one.

Optimising a graph (fusing nodes, choosing the CPU's blocked layout) is most of what opening a
session costs: about 10 ms of a cold `identify`. ``optimize_for_cpu`` does it once, at install, and
saves the result (as ONNX: onnxruntime's own format loads 3 ms slower here); a later session loads
that with optimisation off and gives bit-identical outputs. The saved graph is only valid for the runtime and CPU it was made on
(onnxruntime says so itself: the blocked layout depends on the CPU's vector width), so it is made for,
and used under, ``optimization_target()`` alone, and only where the CPU provider runs the model (also
when CUDA was asked for but its libraries are missing).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import onnxruntime as ort

from ..config import Settings

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"

# Warnings from onnxruntime (e.g. unused initialisers) mean nothing to a user.
_QUIET = 3
_SILENT = 4
ort.set_default_logger_severity(_QUIET)


class ModelLoadError(RuntimeError):
    """A model file is missing, unreadable or not a valid ONNX graph."""


class CheckedModel(Protocol):
    """A model whoever found it has read and checked (the model store): the bytes to load, the file
    they came from, and its graph optimised for ``optimization_target()`` when there is one."""

    @property
    def path(self) -> Path: ...

    @property
    def data(self) -> bytes: ...

    @property
    def optimized(self) -> bytes | None: ...


def optimization_target() -> str | None:
    """The runtime and CPU an optimised graph is made for: the onnxruntime version, the machine and the
    CPU features numpy found (as onnxruntime's kernels choose by them); None where they are unknown."""
    import numpy as np

    # Where numpy keeps what its own dispatch detected (numpy 2; 1.x had it under numpy.core).
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    features = getattr(getattr(core, "_multiarray_umath", None), "__cpu_features__", None)
    if not isinstance(features, dict) or not features:
        return None
    enabled = ",".join(sorted(name for name, present in features.items() if present))
    return f"onnxruntime {ort.__version__} {platform.machine()} cpu {hashlib.sha256(enabled.encode()).hexdigest()[:16]}"


def requested_providers(settings: Settings) -> list[str]:
    available = ort.get_available_providers()
    if settings.execution_provider == "cpu" or CUDA not in available:
        return [CPU]
    return [CUDA, CPU]


_silencing_lock = threading.Lock()
_silencing = 0
"""Sessions opening at this moment (two open at once, on threads: service.model_opening)."""


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    # onnxruntime-gpu lists CUDA even where CUDA/cuDNN libraries are missing and logs a
    # red ERROR before falling back to CPU; the fallback is reported in one plain line instead.
    # The logger's severity is process-wide: the last session to finish opening sets it back.
    global _silencing
    with _silencing_lock:
        if _silencing == 0:
            ort.set_default_logger_severity(_SILENT)
        _silencing += 1
    try:
        yield
    finally:
        with _silencing_lock:
            _silencing -= 1
            if _silencing == 0:
                ort.set_default_logger_severity(_QUIET)


@dataclass
class OnnxModel:
    """A loaded ONNX graph and the providers onnxruntime really gave it."""

    session: ort.InferenceSession
    path: Path | None
    requested: list[str]

    optimized: bool = False
    """Loaded from the graph optimised ahead of time (``optimize_for_cpu``)."""

    @classmethod
    def load(cls, model: Path | bytes | CheckedModel, settings: Settings, threads: int | None = None) -> "OnnxModel":
        """Open ``model`` with the configured providers, on ``threads`` intra-op threads (None: the
        setting ``intra_op_threads``; 0: onnxruntime's default)."""
        providers = requested_providers(settings)
        path: Path | None
        source: str | bytes
        optimized: bytes | None = None
        if isinstance(model, Path):
            path, source = model, str(model)
        elif isinstance(model, bytes):
            path, source = None, model
        else:
            path, source, optimized = model.path, model.data, model.optimized
        if optimized is not None:
            try:  # a cache: should it not load, the model itself still does
                with _silenced():
                    session = ort.InferenceSession(optimized, _options(settings, path, optimize=False, threads=threads),
                                                   providers=providers)
            except Exception:  # onnxruntime raises its own untyped errors
                session = None
            # Only where the CPU provider runs it all: on a working CUDA provider the graph made for the
            # CPU would split the work between the two devices.
            if session is not None and CUDA not in session.get_providers():
                return cls(session, path, providers, optimized=True)
        try:
            with _silenced():
                session = ort.InferenceSession(source, _options(settings, path, threads=threads), providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelLoadError(f"{path or 'model'}: cannot load the ONNX model "
                                 f"({str(exc).splitlines()[0][:200]})") from None
        return cls(session, path, providers)

    @property
    def providers(self) -> list[str]:
        return self.session.get_providers()

    @property
    def device(self) -> str:
        return "CUDA" if CUDA in self.providers else "CPU"

    @property
    def fell_back_to_cpu(self) -> bool:
        return CUDA in self.requested and CUDA not in self.providers

    def run(self, feeds: dict) -> list:
        return self.session.run(None, feeds)

    def run_many(self, feeds: Sequence[dict], at_once: int) -> list[list]:
        """One call per item of ``feeds``, their outputs in the same order, up to ``at_once`` of them running
        together: onnxruntime lets go of Python's lock while it runs, and one session may run on several
        threads at once. The calling thread does its share; helper threads (one fewer than the cores this
        process may use, at most) do the rest."""
        count = min(at_once, len(feeds), _helpers_for(at_once - 1) + 1)
        if count <= 1:
            return [self.run(feed) for feed in feeds]
        outputs: list[list] = [[] for _ in feeds]
        pending = iter(range(len(feeds)))
        taking = threading.Lock()

        def work() -> None:  # each worker takes the next call not yet taken, until none is left
            while True:
                with taking:
                    index = next(pending, None)
                if index is None:
                    return
                outputs[index] = self.run(feeds[index])

        helpers = [_helper_pool().submit(work) for _ in range(count - 1)]
        try:
            work()
        finally:
            for helper in helpers:
                # A helper still queued behind another thread's calls has nothing left to take: dropped.
                if not helper.cancel():
                    helper.result()  # waits, and raises what a helper's call raised
        return outputs


def usable_cores() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not offered on macOS and Windows
        return os.cpu_count() or 1


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _helpers_for(wanted: int) -> int:
    """How many helper threads calls may use: ``wanted``, at most one fewer than the usable cores."""
    return max(0, min(wanted, usable_cores() - 1))


def _helper_pool() -> ThreadPoolExecutor:
    """The process's helper threads for ``run_many``, made on first use (most commands never need them)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max(1, usable_cores() - 1), thread_name_prefix="facegui-onnx")
        return _pool


def _options(settings: Settings, path: Path | None, optimize: bool = True,
             threads: int | None = None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = _QUIET
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize else \
        ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    threads = settings.intra_op_threads if threads is None else threads
    if threads:
        options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if settings.allow_spinning else "0")
    if path is not None:
        # Bytes have no folder: external data (which facegui never installs) would otherwise be looked
        # for in the working folder; this keeps it to the model's own folder, as loading by path does.
        options.add_session_config_entry("session.model_external_initializers_file_folder_path", str(path.parent))
    return options


def optimize_for_cpu(model: CheckedModel, settings: Settings) -> bytes:
    """``model``'s graph as onnxruntime optimises it for the CPU provider on this computer (valid for
    ``optimization_target()`` only); ModelLoadError if it cannot."""
    import tempfile  # only here: with shutil and random, 2 ms of every start that never optimises

    options = _options(settings, model.path)
    with tempfile.TemporaryDirectory(prefix="facegui-optimize-") as folder:
        target = Path(folder) / "model.onnx"
        options.optimized_model_filepath = str(target)
        try:
            ort.InferenceSession(model.data, options, providers=[CPU])
            return target.read_bytes()
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelLoadError(f"{model.path}: cannot optimise the ONNX model "
                                 f"({str(exc).splitlines()[0][:200]})") from None
