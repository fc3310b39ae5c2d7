"""Follow faces from frame to frame so that each is embedded rarely and its name holds steady.

Detection runs on every frame; embedding is the expensive step per face, so a tracked face is
re-embedded only when it is new, while its identity is uncertain, every so many frames, or when a
clearly larger view of it appears. Its name comes from the mean of its embeddings, which is steadier
than any single frame's, so it does not flicker between frames.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..config import Settings
from .face import Face
from .matcher import UNKNOWN, Recognition, SearchableGallery, match_faces


@dataclass(frozen=True)
class TrackingPolicy:
    """The tracking settings (documented in ``facegui.config.Settings``)."""

    iou_match: float
    max_misses: int
    reembed_interval: int
    uncertain_interval: int
    uncertain_margin: float
    settle_after: int
    better_view_ratio: float
    identity_reset_similarity: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "TrackingPolicy":
        return cls(settings.track_iou, settings.track_max_misses, settings.track_reembed_interval,
                   settings.track_uncertain_interval, settings.track_uncertain_margin,
                   settings.track_settle_after, settings.track_better_view_ratio, settings.track_identity_reset)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` (N,4) with every box in ``b`` (M,4)."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


@dataclass
class Track:
    track_id: int
    face: Face
    embedding_sum: np.ndarray | None = None
    name: str = UNKNOWN
    similarity: float = -1.0
    embedded_at_frame: int = -1
    embedded_area: float = 0.0
    embeddings: int = 0
    misses: int = 0
    name_changes: int = 0

    @property
    def mean_embedding(self) -> np.ndarray:
        if self.embedding_sum is None:
            raise ValueError(f"track {self.track_id} was never embedded")
        return self.embedding_sum / max(np.linalg.norm(self.embedding_sum), 1e-12)


@dataclass(frozen=True)
class TrackedRecognition:
    recognition: Recognition
    """Its face carries the track's mean embedding, the one the name was decided on."""
    track_id: int | None
    """None when faces are not tracked."""
    embedded_this_frame: bool


@dataclass
class FaceTracker:
    """Stateful per video source; not shared between threads."""

    policy: TrackingPolicy = field(default_factory=lambda: TrackingPolicy.from_settings(Settings()))
    tracks: list[Track] = field(default_factory=list)
    frame_index: int = 0
    embed_calls: int = 0
    """onnxruntime embedding calls made (one per frame that needed any)."""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        self.tracks.clear()

    def visible_faces(self) -> list[Face]:
        """Faces detected in the last frame."""
        return [t.face for t in self.tracks if t.misses == 0]

    def _associate(self, faces: list[Face]) -> list[Track]:
        """Greedy IoU matching; unmatched detections start new tracks, old tracks age."""
        assigned: list[Track | None] = [None] * len(faces)
        if self.tracks and faces:
            overlap = iou_matrix(np.stack([t.face.bbox for t in self.tracks]), np.stack([f.bbox for f in faces]))
            for flat in np.argsort(-overlap, axis=None):
                ti, fi = np.unravel_index(flat, overlap.shape)
                if overlap[ti, fi] < self.policy.iou_match:
                    break
                if assigned[fi] is None and all(a is not self.tracks[ti] for a in assigned):
                    assigned[fi] = self.tracks[ti]
        for track in self.tracks:
            if all(a is not track for a in assigned):
                track.misses += 1
        self.tracks = [t for t in self.tracks if t.misses <= self.policy.max_misses]
        result = []
        for face, held in zip(faces, assigned):
            track = held if held is not None else Track(next(self._ids), face)
            if held is None:
                self.tracks.append(track)
            track.face, track.misses = face, 0
            result.append(track)
        return result

    def _needs_embedding(self, track: Track, threshold: float) -> bool:
        if track.embeddings == 0:
            return True
        age = self.frame_index - track.embedded_at_frame
        if track.face.area >= self.policy.better_view_ratio * track.embedded_area:
            return True
        # Near the threshold either way, or too few looks yet: a clear stranger is as settled as a clear match.
        uncertain = (track.embeddings < self.policy.settle_after
                     or abs(track.similarity - threshold) < self.policy.uncertain_margin)
        return age >= (self.policy.uncertain_interval if uncertain else self.policy.reembed_interval)

    def update(self, faces: list[Face], embed: Callable[[list[Face]], list[Face]], gallery: SearchableGallery,
               threshold: float) -> list[TrackedRecognition]:
        """``embed(faces) -> faces with embeddings`` is called once, for the faces that need it."""
        self.frame_index += 1
        tracks = self._associate(faces)
        due = [t for t in tracks if self._needs_embedding(t, threshold)]
        if due:
            self.embed_calls += 1
            for track, embedded in zip(due, embed([t.face for t in due])):
                self._absorb(track, embedded.require_embedding())
            matches = match_faces([t.face.with_embedding(t.mean_embedding) for t in due], gallery, threshold)
            for track, match in zip(due, matches):
                if track.name != UNKNOWN and match.name != track.name:
                    track.name_changes += 1
                track.name, track.similarity = match.name, match.similarity
        due_ids = {id(t) for t in due}
        return [TrackedRecognition(Recognition(t.face.with_embedding(t.mean_embedding), t.name, t.similarity),
                                   t.track_id, id(t) in due_ids)
                for t in tracks]

    def _absorb(self, track: Track, embedding: np.ndarray) -> None:
        if track.embedding_sum is not None and float(embedding @ track.mean_embedding) \
                < self.policy.identity_reset_similarity:
            # Another person took over the box (a scene cut, a crossing): a new track begins.
            track.track_id, track.embedding_sum, track.embeddings = next(self._ids), None, 0
            track.name, track.similarity = UNKNOWN, -1.0
        track.embedding_sum = embedding.copy() if track.embedding_sum is None else track.embedding_sum + embedding
        track.embeddings += 1
        track.embedded_at_frame = self.frame_index
        track.embedded_area = track.face.area
