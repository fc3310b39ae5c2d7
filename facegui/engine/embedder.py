"""ArcFace-style embedding models: aligned chip → L2-normalised vector."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ..config import Settings
from .model_contracts import EmbeddingModelError, check_embedder, check_embedding_dim  # noqa: F401 (re-exported)
from .session import CheckedModel, OnnxModel, usable_cores

# ArcFace training contract: RGB, (x - 127.5) / 127.5.
PIXEL_MEAN = 127.5
PIXEL_SCALE = 1.0 / 127.5


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    # np.linalg.norm's own sum of squares (the same bits) without its argument checks: once per frame,
    # right after a network run, each numpy call costs tens of microseconds.
    norms = np.sqrt(np.add.reduce(vectors * vectors, axis=1, keepdims=True))
    unit = vectors / np.maximum(norms, 1e-12, out=norms)
    return unit if unit.dtype == np.float32 else unit.astype(np.float32)


def embedder_threads(settings: Settings) -> int:
    """The embedding model's intra-op threads (0: onnxruntime's default)."""
    return settings.embedder_threads or settings.intra_op_threads


def embed_calls_at_once(settings: Settings) -> int:
    """How many of one step's embedding calls may run together (the setting's 0: one per usable core)."""
    return settings.embed_calls_at_once or usable_cores()


class ArcFaceEmbedder:
    def __init__(self, model: OnnxModel, flip: bool = False, batch_size: int = 0, calls_at_once: int = 1):
        self.model = model
        self.flip = flip
        self.batch_size = batch_size
        """Chips per network call (0: one on the CPU, all on CUDA; see ``Settings.embed_batch_size``)."""
        self.calls_at_once = calls_at_once
        """Network calls of one embedding step running together (``Settings.embed_calls_at_once``)."""
        self.input_name, self.chip_size = check_embedder(model)
        self._on_cuda = model.device == "CUDA"
        declared = model.session.get_outputs()[0].shape[-1]
        self.dim: int = declared if isinstance(declared, int) else check_embedding_dim(
            model, int(self._run([np.zeros((self.chip_size, self.chip_size, 3), np.uint8)]).shape[1]))

    @classmethod
    def load(cls, model: Path | bytes | CheckedModel, settings: Settings) -> "ArcFaceEmbedder":
        """The embedding model opened as ``settings`` say: its own threads, flip and batch size."""
        return cls.from_model(OnnxModel.load(model, settings, embedder_threads(settings)), settings)

    @classmethod
    def from_model(cls, model: OnnxModel, settings: Settings) -> "ArcFaceEmbedder":
        """An embedding model already opened (on ``embedder_threads``), with ``settings``' flip, batch size and
        calls at once."""
        return cls(model, settings.embed_flip, settings.embed_batch_size, embed_calls_at_once(settings))

    def network_input(self, chips_bgr: Sequence[np.ndarray]) -> np.ndarray:
        """Aligned BGR chips as the NCHW RGB float32 batch the network was trained on."""
        return cv2.dnn.blobFromImages(list(chips_bgr), PIXEL_SCALE, (self.chip_size, self.chip_size),
                                      (PIXEL_MEAN,) * 3, swapRB=True, crop=False)

    def network_inputs(self, chips_bgr: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The inputs of the network calls that embed these chips, ``batch_size`` chips each (0: one each on
        the CPU, all in one on CUDA)."""
        step = self.batch_size or (len(chips_bgr) if self._on_cuda else 1)
        return [self.network_input(chips_bgr[start:start + step]) for start in range(0, len(chips_bgr), step)]

    def _run(self, chips_bgr: Sequence[np.ndarray]) -> np.ndarray:
        blobs = self.network_inputs(chips_bgr)
        outputs = self.model.run_many([{self.input_name: blob} for blob in blobs], self.calls_at_once)
        raw = [output[0].reshape(len(blob), -1) for output, blob in zip(outputs, blobs)]
        return raw[0] if len(raw) == 1 else np.concatenate(raw)

    def embed(self, chips_bgr: list[np.ndarray]) -> np.ndarray:
        """(N, dim) unit vectors for aligned BGR chips, ``batch_size`` chips per onnxruntime call."""
        if not chips_bgr:
            return np.zeros((0, self.dim), np.float32)
        if not self.flip:
            return l2_normalise(self._run(chips_bgr))
        mirrored = [np.ascontiguousarray(c[:, ::-1]) for c in chips_bgr]
        raw = self._run(list(chips_bgr) + mirrored)
        n = len(chips_bgr)
        return l2_normalise(raw[:n] + raw[n:])
