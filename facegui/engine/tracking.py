"""Follow faces from frame to frame, and say which of them need a fresh embedding.

Embedding is the expensive step per face, so a tracked face is re-embedded only when it is new, while
its identity is uncertain, every so many frames once it is settled, when a clearly larger view of it
appears, or when the head turned (its landmarks moved within the box). The tracker never searches the
gallery: the caller embeds the faces it names as due, hands them to :meth:`FaceTracker.absorb`,
matches them and their tracks' means, and hands the matches back with :meth:`FaceTracker.record`.

A name is only ever shown on fresh evidence of the same face. A track ends, and its detection starts a
new track that is embedded before anything is shown, when the face changed abruptly: at a scene cut
(told by the caller), when the box jumps or changes shape from one frame to the next, or when a new
embedding is unlike the track's earlier ones. A named track whose last similarity is near the
threshold, or whose head turned, is embedded every frame, so a held name does not cover a frame its own
embedding would not name (bench/bench_tracking.py compares with an untracked run frame by frame).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

import numpy as np

from ..config import Settings
from .face import Face
from .matcher import UNKNOWN, Recognition


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
    max_size_change: float
    max_shift: float
    pose_change: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "TrackingPolicy":
        return cls(settings.track_iou, settings.track_max_misses, settings.track_reembed_interval,
                   settings.track_uncertain_interval, settings.track_uncertain_margin,
                   settings.track_settle_after, settings.track_better_view_ratio, settings.track_identity_reset,
                   settings.track_max_size_change, settings.track_max_shift, settings.track_pose_change)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` (N,4) with every box in ``b`` (M,4)."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def abrupt_change(before: Face, after: Face, max_size_change: float, max_shift: float) -> bool:
    """Whether ``after`` is too unlike ``before`` (one frame apart) to be the same face moving:
    its width or height changed by more than ``max_size_change`` times, or its centre moved by more
    than ``max_shift`` of the box's width."""
    for old, new in ((before.width, after.width), (before.height, after.height)):
        if old <= 0 or new <= 0 or max(old, new) > max_size_change * min(old, new):
            return True
    shift = np.hypot(*((after.bbox[:2] + after.bbox[2:]) - (before.bbox[:2] + before.bbox[2:])) / 2)
    return bool(shift > max_shift * max(before.width, after.width))


def pose(face: Face) -> np.ndarray:
    """The five landmarks in box coordinates (0-1): they move within the box when the head turns or tilts."""
    size = np.maximum(face.bbox[2:] - face.bbox[:2], 1e-6)
    return (face.landmarks - face.bbox[:2]) / size


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


@dataclass
class Track:
    track_id: int
    face: Face
    """The face of the latest frame it was detected in."""
    latest: Recognition | None = None
    """The last fresh match: the face as it was then, with its own embedding, name and similarity."""
    embedding_sum: np.ndarray | None = None
    """Sum of the embeddings of this identity, to notice another person taking over the box."""
    looks: int = 0
    """Fresh embeddings of this identity."""
    embedded_at_frame: int = -1
    embedded_area: float = 0.0
    reference_poses: dict[bool, np.ndarray] = field(default_factory=dict)
    """The head's pose since the last embedding, per kind of detection (True: a region pass), since the
    two kinds place landmarks slightly differently: the one at the embedding, and the first region look."""
    from_regions: bool = False
    """Whether ``face`` came from a region-of-interest pass."""
    misses: int = 0


def _copy(track: Track) -> Track:
    return dataclasses.replace(track, reference_poses=dict(track.reference_poses))


@dataclass(frozen=True)
class TrackedRecognition:
    recognition: Recognition
    """When ``fresh``, this frame's own match; otherwise the track's last fresh match (name, similarity
    and embedding of that frame) on this frame's box."""
    track_id: int | None
    """None when faces are not tracked."""
    fresh: bool
    """Embedded in this frame: only fresh recognitions are evidence (check-in votes, unknown faces)."""


@dataclass
class FaceTracker:
    """Stateful per video source; not shared between threads."""

    policy: TrackingPolicy = field(default_factory=lambda: TrackingPolicy.from_settings(Settings()))
    tracks: list[Track] = field(default_factory=list)
    frame_index: int = 0
    embed_calls: int = 0
    """Frames in which any face was embedded (one embedding call each)."""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def checkpoint(self) -> tuple[int, list[Track]]:
        """The tracker's state, for :meth:`rewind` (a frame's detections tried and then replaced)."""
        return self.frame_index, [_copy(t) for t in self.tracks]

    def rewind(self, checkpoint: tuple[int, list[Track]]) -> None:
        self.frame_index, self.tracks = checkpoint[0], [_copy(t) for t in checkpoint[1]]

    def visible_tracks(self) -> list[Track]:
        """Tracks whose face was detected in the last frame."""
        return [t for t in self.tracks if t.misses == 0]

    def visible_faces(self) -> list[Face]:
        """Faces detected in the last frame."""
        return [t.face for t in self.visible_tracks()]

    def forget_names(self) -> None:
        """The gallery changed (someone enrolled, removed or renamed): a name a track carries from before
        is no longer evidence, so every track is embedded again the next time it is seen."""
        for track in self.tracks:
            track.latest = None

    def seen_by_regions_since_embedding(self) -> bool:
        """Whether every visible track has had its first region look since it was embedded: that look is
        the reference its later region poses are compared with, so it must come from the picture the
        embedding saw, not from a later, held-over one."""
        return all(True in t.reference_poses for t in self.tracks if t.misses == 0)

    def hold(self) -> list[Track]:
        """A frame showing what the last detected one showed: the tracks seen then are seen again as they
        were, and the others age as a pass on the same picture would have left them. Returns the tracks seen."""
        self.frame_index += 1
        self._age_all_but([t for t in self.tracks if t.misses == 0])
        return [t for t in self.tracks if t.misses == 0]

    def _age_all_but(self, seen: list[Track]) -> None:
        """The tracks not in ``seen`` missed this frame; those that missed too many in a row end."""
        kept = {id(t) for t in seen}
        for track in self.tracks:
            if id(track) not in kept:
                track.misses += 1
        self.tracks = [t for t in self.tracks if t.misses <= self.policy.max_misses]

    def update(self, faces: list[Face], scene_cut: bool = False, from_regions: bool = False) -> list[Track]:
        """This frame's detections, each on its track (in the order of ``faces``).

        At a scene cut every track ends. A detection continues the track it overlaps most (greedy IoU)
        unless the box changed abruptly; otherwise it starts a new track. Unmatched tracks age.
        """
        self.frame_index += 1
        if scene_cut:
            self.tracks.clear()
        policy = self.policy
        assigned: list[Track | None] = [None] * len(faces)
        if self.tracks and faces:
            overlap = iou_matrix(np.stack([t.face.bbox for t in self.tracks]), np.stack([f.bbox for f in faces]))
            taken: set[int] = set()
            for flat in np.argsort(-overlap, axis=None):
                ti, fi = (int(i) for i in np.unravel_index(flat, overlap.shape))
                if overlap[ti, fi] < policy.iou_match:
                    break
                if assigned[fi] is not None or ti in taken:
                    continue
                track = self.tracks[ti]
                if abrupt_change(track.face, faces[fi], policy.max_size_change, policy.max_shift):
                    continue
                assigned[fi] = track
                taken.add(ti)
        self._age_all_but([t for t in assigned if t is not None])
        result = []
        for face, held in zip(faces, assigned):
            track = held if held is not None else Track(next(self._ids), face)
            if held is None:
                self.tracks.append(track)
            track.face, track.misses, track.from_regions = face, 0, from_regions
            track.reference_poses.setdefault(from_regions, pose(face))
            result.append(track)
        return result

    def needs_embedding(self, track: Track, threshold: float, routine: bool = True) -> bool:
        """Whether ``track`` must be embedded in this frame for what it shows to be true. Without
        ``routine``, the periodic re-embedding of a settled face is left for a later frame (the caller's
        next full-frame pass): only what cannot wait counts."""
        latest = track.latest
        if latest is None:
            return True
        if track.face.area >= self.policy.better_view_ratio * track.embedded_area:
            return True
        reference = track.reference_poses.get(track.from_regions)
        if reference is not None and float(np.abs(pose(track.face) - reference).max()) > self.policy.pose_change:
            return True
        age = self.frame_index - track.embedded_at_frame
        # Near the threshold either way, or too few looks yet: a clear stranger is as settled as a clear match.
        uncertain = (track.looks < self.policy.settle_after
                     or abs(latest.similarity - threshold) < self.policy.uncertain_margin)
        if not uncertain:
            return routine and age >= self.policy.reembed_interval
        # An uncertain name is only shown on this frame's own evidence; an uncertain "unknown" may wait.
        return latest.is_known or age >= self.policy.uncertain_interval

    def due(self, tracks: list[Track], threshold: float, routine: bool = True) -> list[Track]:
        return [t for t in tracks if self.needs_embedding(t, threshold, routine)]

    def absorb(self, tracks: list[Track], embedded: list[Face]) -> list[Face]:
        """Take this frame's embeddings of ``tracks`` (the faces of :meth:`due`, embedded); returns each
        face with its track's mean embedding, for the caller to match along with the fresh ones."""
        if tracks:
            self.embed_calls += 1
        steady = []
        for track, face in zip(tracks, embedded):
            embedding = face.require_embedding()
            if track.embedding_sum is not None and float(embedding @ _unit(track.embedding_sum)) \
                    < self.policy.identity_reset_similarity:
                # Another person took over the box (a crossing the box checks missed): a new track begins.
                track.track_id, track.embedding_sum, track.looks = next(self._ids), None, 0
            track.embedding_sum = embedding.copy() if track.embedding_sum is None else track.embedding_sum + embedding
            track.looks += 1
            track.embedded_at_frame = self.frame_index
            track.embedded_area = track.face.area
            track.reference_poses = {track.from_regions: pose(track.face)}
            steady.append(face.with_embedding(_unit(track.embedding_sum)))
        return steady

    def record(self, tracks: list[Track], fresh: list[Recognition], steady: list[Recognition]) -> None:
        """The matches of this frame's embeddings (``fresh``) and of the tracks' means (``steady``).

        A name is shown only when both agree: this frame's own embedding names the person, so no frame
        is named that an untracked run would not name, and so does the track's history, so one stray
        frame of a stranger just above the threshold names nobody. The similarity shown is this frame's.
        """
        for track, now, overall in zip(tracks, fresh, steady):
            agreed = now.is_known and overall.name == now.name
            track.latest = now if agreed or not now.is_known else Recognition(now.face, UNKNOWN, now.similarity)

    def recognitions(self, tracks: list[Track]) -> list[TrackedRecognition]:
        """What to show for ``tracks`` in this frame (all of them matched at least once)."""
        results = []
        for track in tracks:
            latest = track.latest
            assert latest is not None, "every track is embedded in its first frame"
            fresh = track.embedded_at_frame == self.frame_index
            recognition = latest if fresh else Recognition(
                track.face.with_embedding(latest.face.require_embedding()), latest.name, latest.similarity)
            results.append(TrackedRecognition(recognition, track.track_id, fresh))
        return results
