"""Match: turn a gallery's nearest neighbours into names at one similarity threshold."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from .face import Face

UNKNOWN = "unknown"


class Candidate(Protocol):
    # Read-only members, so frozen dataclasses such as storage's Match qualify.
    @property
    def name(self) -> str: ...

    @property
    def similarity(self) -> float: ...


class SearchableGallery(Protocol):
    """What the engine needs of a gallery; the storage layer provides it."""

    def search(self, vectors: np.ndarray, k: int = 1) -> Sequence[Sequence[Candidate]]: ...


@dataclass(frozen=True)
class Recognition:
    face: Face
    name: str
    """The enrolled person's name, or ``UNKNOWN``."""
    similarity: float
    """Cosine similarity to the nearest enrolled face (-1 when the gallery is empty)."""

    @property
    def is_known(self) -> bool:
        return self.name != UNKNOWN

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "similarity": round(self.similarity, 4),
            "score": round(self.face.score, 4),
            "box": [round(float(v), 1) for v in self.face.bbox],
            "landmarks": [[round(float(x), 1), round(float(y), 1)] for x, y in self.face.landmarks],
        }


def match_faces(faces: list[Face], gallery: SearchableGallery, threshold: float) -> list[Recognition]:
    """A face is named when its best similarity is at or above ``threshold``."""
    if not faces:
        return []
    # One face is the usual frame: its row as it is (np.stack, a copy, costs 80 µs after a network run).
    vectors = faces[0].require_embedding()[np.newaxis] if len(faces) == 1 else \
        np.stack([f.require_embedding() for f in faces])
    results = []
    for face, candidates in zip(faces, gallery.search(vectors, 1)):
        best = candidates[0] if candidates else None
        if best is not None and best.similarity >= threshold:
            results.append(Recognition(face, best.name, float(best.similarity)))
        else:
            results.append(Recognition(face, UNKNOWN, float(best.similarity) if best else -1.0))
    return results
