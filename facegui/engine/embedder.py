"""ArcFace-style embedding models: aligned chip → L2-normalised vector."""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .model_contracts import EmbeddingModelError, check_embedder, check_embedding_dim  # noqa: F401 (re-exported)
from .session import OnnxModel

# ArcFace training contract: RGB, (x - 127.5) / 127.5.
PIXEL_MEAN = 127.5
PIXEL_SCALE = 1.0 / 127.5


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    # np.linalg.norm's own sum of squares (the same bits) without its argument checks: once per frame,
    # right after a network run, each numpy call costs tens of microseconds.
    norms = np.sqrt(np.add.reduce(vectors * vectors, axis=1, keepdims=True))
    unit = vectors / np.maximum(norms, 1e-12, out=norms)
    return unit if unit.dtype == np.float32 else unit.astype(np.float32)


class ArcFaceEmbedder:
    def __init__(self, model: OnnxModel, flip: bool = False):
        self.model = model
        self.flip = flip
        self.input_name, self.chip_size = check_embedder(model)
        declared = model.session.get_outputs()[0].shape[-1]
        self.dim: int = declared if isinstance(declared, int) else check_embedding_dim(
            model, int(self._run([np.zeros((self.chip_size, self.chip_size, 3), np.uint8)]).shape[1]))

    def network_input(self, chips_bgr: Sequence[np.ndarray]) -> np.ndarray:
        """Aligned BGR chips as the NCHW RGB float32 batch the network was trained on."""
        return cv2.dnn.blobFromImages(list(chips_bgr), PIXEL_SCALE, (self.chip_size, self.chip_size),
                                      (PIXEL_MEAN,) * 3, swapRB=True, crop=False)

    def _run(self, chips_bgr: Sequence[np.ndarray]) -> np.ndarray:
        blob = self.network_input(chips_bgr)
        return self.model.run({self.input_name: blob})[0].reshape(len(blob), -1)

    def embed(self, chips_bgr: list[np.ndarray]) -> np.ndarray:
        """(N, dim) unit vectors for aligned BGR chips, all in one onnxruntime call."""
        if not chips_bgr:
            return np.zeros((0, self.dim), np.float32)
        if not self.flip:
            return l2_normalise(self._run(chips_bgr))
        mirrored = [np.ascontiguousarray(c[:, ::-1]) for c in chips_bgr]
        raw = self._run(list(chips_bgr) + mirrored)
        n = len(chips_bgr)
        return l2_normalise(raw[:n] + raw[n:])
