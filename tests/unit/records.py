"""Data records for logic tests: boxes, landmarks and unit vectors with chosen values.

They stand for what the detector and embedder hand on, so a rule can be tested on an exact sequence;
they are not faces and claim nothing about what the real models find (the real-model tier does that).
"""
from __future__ import annotations

import numpy as np

from facegui.engine import Face, Recognition
from facegui.engine.align import ARCFACE_TEMPLATE

DIM = 16


def unit_vector(seed: int, dim: int = DIM) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def face_at(x: float, y: float, size: float = 120.0, embedding: np.ndarray | None = None,
            score: float = 0.99) -> Face:
    """A face record with its box at (x, y) and landmarks where the aligner expects them."""
    landmarks = ARCFACE_TEMPLATE * (size / 112.0) + np.array([x, y])
    return Face(np.array([x, y, x + size, y + size], np.float32), landmarks.astype(np.float32), score, embedding)


def recognition(name: str, similarity: float = 0.6, seed: int = 0) -> Recognition:
    return Recognition(face_at(90, 90, embedding=unit_vector(seed)), name, similarity)
