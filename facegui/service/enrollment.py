"""Enrollment rules, one home for the CLI and the window: detect → choose the face → align, and the
quality gate.

For the window (enrollment dialog, people panel): call these instead of detecting, picking the
largest face, aligning or checking quality yourself.

* :func:`analyze_file` / :func:`analyze_frame` → a :class:`Photo` with every face found, the
  preferred one first (:func:`order_faces`), each aligned and scored for sharpness;
  ``Photo.warning`` says when no face was confident and the largest was taken anyway.
* :func:`quality_problems` → the one-line reasons a photo's chosen face may not be enrolled
  (too small, too blurry, no face); :func:`quality_problem` for one face.
* :func:`enroll_photos` → writes the chosen faces to the gallery (skipping photos already enrolled,
  faces the matcher would name as someone else, :func:`lookalike_problem`, and faces unlike the
  person's own, :func:`unlike_own_problem`; both through :func:`enroll_checked`).
* :func:`find_face` → the chosen face of an image, embedded and aligned (CLI ``enroll``,
  ``encode``, ``embed``, ``compare``); :func:`choose_and_align` without the embedding (thumbnails).

Which face: the largest among those the detector scores at least ``enroll_min_score``. A shoulder
or a background shape can score 0.5-0.8 with a bigger box than the real face (0.99); taking the
largest box alone enrolled it. Only when no face reaches the score is the largest taken, with a
warning.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast

import cv2
import numpy as np

from ..config import Settings
from ..engine import Face, FaceEngine, ImageError
from ..engine.align import align_face
from ..engine.imageio import decode_image, read_image_bytes
from ..storage import EnrollmentRefused, Gallery, new_person_name


def sharpness(chip_bgr: np.ndarray) -> float:
    """Variance of the Laplacian of the grey aligned chip: low means blurred."""
    return float(cv2.Laplacian(cv2.cvtColor(chip_bgr, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def order_faces(faces: Sequence[Face], min_score: float) -> list[Face]:
    """Faces in order of preference: confident ones (score ≥ ``min_score``) largest first, then the rest
    largest first."""
    return sorted(faces, key=lambda f: (f.score < min_score, -f.area))


def low_score_warning(face: Face, min_score: float) -> str | None:
    """The warning when the preferred face is not confident (none was), else None."""
    if face.score >= min_score:
        return None
    return (f"no face scored at least {min_score:g} (setting enroll_min_score); took the largest face, "
            f"score {face.score:.2f}, which may not be a face")


@dataclass(frozen=True)
class ChosenFace:
    face: Face
    """With its embedding when :func:`find_face` made it."""
    chip: np.ndarray = field(repr=False)
    """The aligned 112x112 BGR crop."""
    warning: str | None = None

    @property
    def embedding(self) -> np.ndarray:
        return self.face.require_embedding()


def choose_and_align(engine: FaceEngine, image: np.ndarray, min_score: float) -> ChosenFace | None:
    """Detect, choose the preferred face, align it; None when there is no face."""
    faces = order_faces(engine.detect(image), min_score)
    if not faces:
        return None
    face = faces[0]
    return ChosenFace(face, align_face(image, face.landmarks), low_score_warning(face, min_score))


def find_face(engine: FaceEngine, image: np.ndarray, min_score: float) -> ChosenFace | None:
    """:func:`choose_and_align`, with the chosen face embedded."""
    chosen = choose_and_align(engine, image, min_score)
    if chosen is None:
        return None
    (embedded,) = engine.embed(image, [chosen.face])
    return ChosenFace(embedded, chosen.chip, chosen.warning)


@dataclass(frozen=True)
class EnrollProblem:
    """Why a face may not be enrolled, as data: ``str()`` is the one English line the command line prints,
    ``rule`` and ``values`` let the window say the same in its own language (``gui/core/problems.py``). A
    problem of a rule the window has no words for (a file that cannot be read) is shown as ``text``."""

    rule: str
    text: str
    values: tuple[float | str, ...] = ()

    def __str__(self) -> str:
        return self.text


TOO_SMALL, TOO_BLURRY, LOOKALIKE, UNLIKE_OWN = "too small", "too blurry", "looks like someone else", "unlike own"
NO_FACE, ALREADY_ENROLLED, UNREADABLE = "no face", "already enrolled", "unreadable"
UNLIKE_THE_REST, ALIKE_ANOTHER = "unlike the rest", "alike another"
"""What :func:`audit_gallery` finds among photos already enrolled (the same two rules, said of a photo)."""
GONE, OTHER_MODEL = "gone", "another model's"
"""Why a logged unknown face cannot be enrolled or dismissed: its record is gone (dismissed or enrolled at
another station or window), or another embedding model than the gallery's made it."""


@dataclass(frozen=True)
class Refusal:
    """One photo or logged face not enrolled, and why."""

    subject: str
    """The photo's label (its file name), or ``unknown face #N``."""
    problem: EnrollProblem
    unknown_face: int | None = None
    """The logged unknown face's id, when the subject is one."""

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"

    @classmethod
    def of_unknown_face(cls, unknown_face: int, problem: EnrollProblem) -> "Refusal":
        return cls(f"unknown face #{unknown_face}", problem, unknown_face)


def photo_problem(photo: Photo) -> EnrollProblem:
    """Why a photo has no face to enroll: nothing found, or the file itself (``photo.error``)."""
    if photo.error and photo.error != NO_FACE_FOUND:
        return EnrollProblem(UNREADABLE, photo.error)
    return EnrollProblem(NO_FACE, NO_FACE_FOUND)


NO_FACE_FOUND = "no face found"


def quality_problem(width: float, chip_sharpness: float, settings: Settings) -> EnrollProblem | None:
    """Why a face may not be enrolled (too small, too blurry), in words that say what to do; None if fine."""
    if width < settings.enroll_min_face_size:
        return EnrollProblem(TOO_SMALL, f"the face is {width:.0f} px wide, smaller than the minimum of "
                             f"{settings.enroll_min_face_size} px (setting enroll_min_face_size) — use a closer or "
                             "larger photo", (round(width), settings.enroll_min_face_size))
    if chip_sharpness < settings.enroll_min_sharpness:
        return EnrollProblem(TOO_BLURRY, f"the face is too blurry (sharpness {chip_sharpness:.0f}, minimum "
                             f"{settings.enroll_min_sharpness:.0f}, setting enroll_min_sharpness) — use a sharper photo",
                             (round(chip_sharpness), round(settings.enroll_min_sharpness)))
    return None


def lookalike_problem(gallery: Gallery, name: str, embedding: np.ndarray, threshold: float) -> EnrollProblem | None:
    """Why a face may not join the person ``name`` (normalised): its nearest enrolled face is someone
    else's, at or above the matching ``threshold``, so the station would already name it as them; under a
    second name it could show either, and a wrong name is worse than none. None when it is fine (nobody
    near, or the nearest is ``name`` already). Every way of enrolling asks this, each before it writes."""
    candidates = gallery.search(embedding, 1)[0]
    best = candidates[0] if candidates else None
    if best is None or best.similarity < threshold or best.name == name:
        return None
    return EnrollProblem(LOOKALIKE, f"this face looks like {best.name}, who is already enrolled (similarity "
                         f"{best.similarity:.2f}, threshold {threshold:.2f}) — under a second name the station could "
                         f"show either; enroll it as {best.name}", (best.name, best.similarity, threshold))


def unlike_own_problem(gallery: Gallery, name: str, embedding: np.ndarray, minimum: float) -> EnrollProblem | None:
    """Why a face may not join the person ``name`` (normalised) who is already enrolled: none of their
    enrolled faces is at least ``minimum`` similar to it, so it is taken for somebody else's face filed
    under their name (a mislabelled photo), which the station would then greet as them. None when it is
    fine (nobody of that name yet, or one of their faces is close enough)."""
    _ids, own = gallery.embeddings_of(name)
    if not len(own):
        return None
    query = np.asarray(embedding, np.float32).reshape(-1)
    best = float(np.max(own @ (query / max(float(np.linalg.norm(query)), 1e-12))))
    if best >= minimum:
        return None
    return EnrollProblem(UNLIKE_OWN, f"this face does not look like {name}'s enrolled faces (best similarity "
                         f"{best:.2f}, minimum {minimum:.2f}, setting enroll_min_own_similarity) — it may be "
                         "somebody else's photo under their name", (name, best, minimum))


class FaceRefused(ValueError):
    """A face was not enrolled; ``problem`` says why, ``refusal`` also what (a logged unknown face, when
    ``unknown_face`` is given: then ``str()`` is "unknown face #N: …")."""

    def __init__(self, problem: EnrollProblem, unknown_face: int | None = None) -> None:
        self.problem = problem
        self.refusal = Refusal("", problem) if unknown_face is None else Refusal.of_unknown_face(unknown_face, problem)
        super().__init__(str(self.refusal) if unknown_face is not None else str(problem))


def enroll_checked(gallery: Gallery, name: str, embedding: np.ndarray, settings: Settings,
                   source_path: str | None = None, source_sha256: str | None = None) -> int:
    """``gallery.enroll`` guarded by the two rules of one face, one name (:func:`lookalike_problem`,
    :func:`unlike_own_problem`), judged against the database as written: another station's enrollment of
    the same face a moment ago (still a poll away from this station's copy) counts. The embedding id;
    FaceRefused with the problem otherwise."""
    name = new_person_name(name)

    def refuse() -> EnrollProblem | None:
        return (lookalike_problem(gallery, name, embedding, settings.similarity_threshold)
                or unlike_own_problem(gallery, name, embedding, settings.enroll_min_own_similarity))

    try:
        return gallery.enroll(name, embedding, source_path, source_sha256, refuse=refuse)
    except EnrollmentRefused as refused:
        raise FaceRefused(cast(EnrollProblem, refused.reason)) from None


# -- what is already enrolled, against the same rules ------------------------------------------
@dataclass(frozen=True)
class AuditFinding:
    """An enrolled photo that breaks one face, one name: ``problem`` says which rule (UNLIKE_THE_REST or
    ALIKE_ANOTHER, with its values), ``other_photo`` is the look-alike's embedding id."""

    name: str
    photo: int
    """The embedding id (``facegui photos NAME`` lists them; ``facegui remove-photo NAME ID`` deletes one)."""
    problem: EnrollProblem
    other_photo: int | None = None

    def __str__(self) -> str:
        return f"{self.name}: photo {self.photo}: {self.problem}"


def unlike_the_rest(vectors: np.ndarray, minimum: float) -> dict[int, float]:
    """{row: its best similarity to the others} for the rows of one person's unit ``vectors`` that are less
    than ``minimum`` similar to every other row (the rule of :func:`unlike_own_problem`); {} for fewer than
    two."""
    if len(vectors) < 2:
        return {}
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -np.inf)
    best = similarities.max(axis=1)
    return {int(row): float(best[row]) for row in np.flatnonzero(best < minimum)}


def agreeing_first(vectors: Sequence[np.ndarray | None], minimum: float) -> list[int]:
    """The order to enroll one new person's photos in: the faces most of the others look like (at least
    ``minimum``) first, ties and faces that could not be embedded (None) in their own order. The first photo
    makes the person and the others are checked against what is enrolled, so one mislabelled photo put
    first must not get the person's real photos refused."""
    present = [row for row, vector in enumerate(vectors) if vector is not None]
    if len(present) < 3:  # one against one cannot say which is right
        return list(range(len(vectors)))
    stacked = np.stack([np.asarray(vectors[row], np.float32) for row in present])
    agreeing = (stacked @ stacked.T >= minimum).sum(axis=1) - 1
    order = [present[i] for i in sorted(range(len(present)), key=lambda i: -agreeing[i])]
    return order + [row for row, vector in enumerate(vectors) if vector is None]


def photos_unlike_the_rest(gallery: Gallery, name: str, minimum: float) -> dict[int, float]:
    """{embedding id: best similarity to the person's other photos} for each enrolled photo of ``name`` that
    looks like none of the others (``enroll_min_own_similarity``): the person's view marks them."""
    ids, vectors = gallery.embeddings_of(name)
    return {int(ids[row]): best for row, best in unlike_the_rest(vectors, minimum).items()}


AUDIT_BLOCK_VALUES = 1 << 22
"""Similarities computed at once by :func:`audit_gallery` (16 MB of float32)."""


def audit_gallery(gallery: Gallery, settings: Settings) -> list[AuditFinding]:
    """The photos already enrolled that the rules of enrollment would refuse today, e.g. enrolled before
    them or with ``--force``: one unlike every other photo of its person (:func:`unlike_own_problem`; a
    person of one photo has nothing to compare with), and pairs of photos of two people that look alike
    (:func:`lookalike_problem`), each pair once. Exact, every photo against every other, in blocks; ValueError
    above ``approximate_search_threshold`` photos, where that would take hours."""
    ids, names, vectors = gallery.embeddings()
    if len(ids) > settings.approximate_search_threshold:
        raise ValueError(f"{len(ids):,} enrolled photos: checking every pair would take hours (at most "
                         f"{settings.approximate_search_threshold:,}, setting approximate_search_threshold)")
    minimum, threshold = settings.enroll_min_own_similarity, settings.similarity_threshold
    rows_of: dict[str, list[int]] = {}
    for row, name in enumerate(names):
        rows_of.setdefault(name, []).append(row)
    person_of = np.empty(len(names), dtype=np.int64)
    for person, rows in enumerate(rows_of.values()):
        person_of[rows] = person
    findings: list[AuditFinding] = []
    for name, rows in sorted(rows_of.items()):
        for row, best in unlike_the_rest(vectors[rows], minimum).items():
            findings.append(AuditFinding(name, int(ids[rows[row]]), EnrollProblem(
                UNLIKE_THE_REST, f"does not look like {name}'s other enrolled faces (best similarity {best:.2f}, "
                f"minimum {minimum:.2f}, setting enroll_min_own_similarity) — it may be somebody else's photo "
                "under their name", (name, best, minimum))))
    block = max(1, AUDIT_BLOCK_VALUES // max(1, len(ids)))
    for start in range(0, len(ids), block):
        similarities = vectors[start:start + block] @ vectors.T
        for offset, other in np.argwhere(similarities >= threshold):
            first = start + offset
            if other <= first or person_of[first] == person_of[other]:
                continue  # each pair once, and a person's own photos are meant to look alike
            similarity = float(similarities[offset, other])
            findings.append(AuditFinding(names[first], int(ids[first]), EnrollProblem(
                ALIKE_ANOTHER, f"looks like {names[other]}'s photo {int(ids[other])} (similarity {similarity:.2f}, "
                f"threshold {threshold:.2f}) — the station can show either name for this face",
                (names[other], similarity, threshold)), int(ids[other])))
    return findings


# -- photos with every face, for the window's dialog ---------------------------------------
@dataclass(frozen=True)
class FaceCandidate:
    embedding: np.ndarray = field(repr=False)
    chip: np.ndarray = field(repr=False)
    """The aligned 112x112 BGR crop."""
    width: float
    sharpness: float
    bbox: tuple[float, float, float, float]
    score: float = 1.0


@dataclass
class Photo:
    label: str
    path: Path | None
    sha256: str | None
    faces: list[FaceCandidate] = field(default_factory=list)
    """Preferred first (:func:`order_faces`)."""
    chosen: int = 0
    error: str | None = None
    warning: str | None = None
    """Set when no face reached ``enroll_min_score`` and the largest one is offered anyway."""

    @property
    def face(self) -> FaceCandidate | None:
        return self.faces[self.chosen] if self.faces else None


def analyze_image(engine: FaceEngine, image: np.ndarray, label: str, path: Path | None, sha256: str | None,
                  min_score: float) -> Photo:
    faces = order_faces(engine.analyze(image), min_score)
    candidates = []
    for face in faces:
        chip = align_face(image, face.landmarks)
        candidates.append(FaceCandidate(face.require_embedding(), chip, face.width, sharpness(chip),
                                        (float(face.bbox[0]), float(face.bbox[1]), float(face.bbox[2]),
                                         float(face.bbox[3])), float(face.score)))
    return Photo(label, path, sha256, candidates, error=None if candidates else NO_FACE_FOUND,
                 warning=low_score_warning(faces[0], min_score) if faces else None)


def analyze_file(engine: FaceEngine, settings: Settings, path: Path) -> Photo:
    """Every face of an image file; a file that cannot be read becomes a Photo with its error."""
    path = Path(path)
    try:
        data = read_image_bytes(path, settings.max_image_bytes)
        image = decode_image(data, path, settings.max_image_pixels)
    except ImageError as exc:
        return Photo(path.name, path, None, error=exc.reason)
    return analyze_image(engine, image, path.name, path, hashlib.sha256(data).hexdigest(), settings.enroll_min_score)


def analyze_frame(engine: FaceEngine, settings: Settings, frame: np.ndarray) -> Photo:
    label = f"camera frame {time.strftime('%H:%M:%S')}"
    return analyze_image(engine, frame, label, None, hashlib.sha256(frame.tobytes()).hexdigest(),
                         settings.enroll_min_score)


def quality_problems(photos: Sequence[Photo], settings: Settings) -> list[Refusal]:
    """One refusal per photo whose chosen face may not be enrolled (none found, too small, too blurry)."""
    problems = []
    for photo in photos:
        face = photo.face
        problem = photo_problem(photo) if face is None else quality_problem(face.width, face.sharpness, settings)
        if problem:
            problems.append(Refusal(photo.label, problem))
    return problems


class ThumbnailSink(Protocol):
    def has(self, name: str) -> bool: ...

    def save(self, name: str, chip_bgr: np.ndarray) -> None: ...


@dataclass(frozen=True)
class EnrollReport:
    name: str
    enrolled: int
    skipped: list[Refusal]


def enroll_photos(gallery: Gallery, thumbnails: ThumbnailSink | None, name: str,
                  photos: Sequence[Photo], settings: Settings) -> EnrollReport:
    """Append each photo's chosen face to the gallery; photos already enrolled (same SHA-256) are skipped,
    and so are faces that look like someone else enrolled or unlike the person's own enrolled faces
    (:func:`enroll_checked`). ValueError for an unusable name (empty, control characters, too long)."""
    name = new_person_name(name)
    enrolled, skipped = 0, []
    for photo in photos:
        face = photo.face
        if face is None:
            skipped.append(Refusal(photo.label, photo_problem(photo)))
            continue
        if photo.sha256 and gallery.is_enrolled(photo.sha256):
            skipped.append(Refusal(photo.label, EnrollProblem(ALREADY_ENROLLED, "already enrolled")))
            continue
        try:
            enroll_checked(gallery, name, face.embedding, settings,
                           str(photo.path) if photo.path else None, photo.sha256)
        except FaceRefused as refused:
            skipped.append(Refusal(photo.label, refused.problem))
            continue
        enrolled += 1
        if thumbnails is not None and not thumbnails.has(name):
            thumbnails.save(name, face.chip)
    return EnrollReport(name, enrolled, skipped)
