"""One place that opens onnxruntime sessions: provider choice, threads, quiet logs."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

from ..config import Settings

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"

# Warnings from onnxruntime (e.g. unused initialisers) mean nothing to a user.
_QUIET = 3
_SILENT = 4
ort.set_default_logger_severity(_QUIET)


class ModelLoadError(RuntimeError):
    """A model file is missing, unreadable or not a valid ONNX graph."""


def requested_providers(settings: Settings) -> list[str]:
    available = ort.get_available_providers()
    if settings.execution_provider == "cpu" or CUDA not in available:
        return [CPU]
    return [CUDA, CPU]


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    # onnxruntime-gpu lists CUDA even where CUDA/cuDNN libraries are missing and logs a
    # red ERROR before falling back to CPU; the fallback is reported in one plain line instead.
    ort.set_default_logger_severity(_SILENT)
    try:
        yield
    finally:
        ort.set_default_logger_severity(_QUIET)


@dataclass
class OnnxModel:
    """A loaded ONNX graph and the providers onnxruntime really gave it."""

    session: ort.InferenceSession
    path: Path | None
    requested: list[str]

    @classmethod
    def load(cls, model: Path | bytes, settings: Settings) -> "OnnxModel":
        options = ort.SessionOptions()
        options.log_severity_level = _QUIET
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.inter_op_num_threads = 1
        if settings.intra_op_threads:
            options.intra_op_num_threads = settings.intra_op_threads
        options.add_session_config_entry("session.intra_op.allow_spinning",
                                         "1" if settings.allow_spinning else "0")
        providers = requested_providers(settings)
        source = str(model) if isinstance(model, Path) else model
        try:
            with _silenced():
                session = ort.InferenceSession(source, options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            name = model if isinstance(model, Path) else "model"
            raise ModelLoadError(f"{name}: cannot load the ONNX model ({str(exc).splitlines()[0][:200]})") from None
        return cls(session, model if isinstance(model, Path) else None, providers)

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
