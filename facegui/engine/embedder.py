"""ArcFace-style embedding models: aligned chip → L2-normalised vector."""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .session import OnnxModel

# ArcFace training contract: RGB, (x - 127.5) / 127.5.
PIXEL_MEAN = 127.5
PIXEL_SCALE = 1.0 / 127.5


class EmbeddingModelError(ValueError):
    """The ONNX graph is not an ArcFace-style embedding model."""


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class ArcFaceEmbedder:
    def __init__(self, model: OnnxModel, flip: bool = False):
        self.model = model
        self.flip = flip
        inp = model.session.get_inputs()[0]
        out = model.session.get_outputs()[0]
        shape = inp.shape
        if len(shape) != 4 or shape[1] != 3 or shape[2] != shape[3] or not isinstance(shape[2], int):
            raise EmbeddingModelError(f"expected an input of shape (N, 3, S, S), got {shape}")
        self.input_name = inp.name
        self.chip_size = int(shape[2])
        declared_dim = out.shape[-1]
        # A symbolic output size: one run on a blank chip tells it.
        self.dim: int = declared_dim if isinstance(declared_dim, int) else \
            int(self._run([np.zeros((self.chip_size, self.chip_size, 3), np.uint8)]).shape[1])

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
