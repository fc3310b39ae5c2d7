"""The service layer: wires the model store, the engine and the gallery for the CLI and GUI."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import Settings
from ..engine import FaceEngine, ImageError, Recognition, load_image
from ..engine.imageio import decode_image, read_image_bytes
from ..modelstore import ModelStore
from ..storage import Gallery, new_person_name
from .model_opening import ModelOpening

if TYPE_CHECKING:
    from .enrollment import ChosenFace

# The enrollment rules load only where a face is chosen for enrolling: `identify` does not need them.

_NUMBERED_NAME = re.compile(r"^(?P<name>.+)_\d+$")


def person_name_from_file(path: Path) -> str:
    """``NAME_1.jpg`` → ``NAME``: the part before the last ``_N`` (else the whole stem)."""
    stem = Path(path).stem
    match = _NUMBERED_NAME.match(stem)
    return (match.group("name") if match else stem).strip()


@dataclass(frozen=True)
class EnrollOutcome:
    path: Path
    status: str
    """``enrolled``, ``skipped`` (already in the database) or ``failed``."""
    name: str | None = None
    reason: str | None = None
    warning: str | None = None
    """E.g. no face was confident and the largest was taken (see service.enrollment)."""


@dataclass
class EncodeSummary:
    outcomes: list[EnrollOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[EnrollOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class NoFaceError(ValueError):
    def __init__(self, path: Path | str):
        super().__init__(f"{path}: no face found")


def load_engine(settings: Settings, store: ModelStore | None = None) -> FaceEngine:
    """Both models from the store, opened with the configured providers: each file read once and
    checked against its recorded SHA-256, and its graph optimised ahead of time used where the CPU
    provider runs it, when the store keeps a valid one (engine.session); the two at once, on threads
    of their own (service.model_opening)."""
    return ModelOpening(settings, store).engine()


def open_gallery(settings: Settings, engine: FaceEngine) -> Gallery:
    """The gallery of ``engine``'s embedding model in the configured database."""
    return Gallery(settings.data_dir, engine.embedder_id, engine.embedder.dim,
                   approximate_search_threshold=settings.approximate_search_threshold,
                   database_url=settings.database_url, sync_interval_s=settings.station_sync_interval_s)


class Recognizer:
    """Engine + gallery for one embedding model."""

    def __init__(self, engine: FaceEngine, gallery: Gallery, settings: Settings):
        self.engine = engine
        self.gallery = gallery
        self.settings = settings

    @classmethod
    def open(cls, settings: Settings, store: ModelStore | None = None,
             opening: ModelOpening | None = None) -> "Recognizer":
        """The engine and gallery of ``settings``; ``opening``: the models already being opened (a command
        starts that before it imports the rest of the stack)."""
        engine = (opening or ModelOpening(settings, store)).engine()
        return cls(engine, open_gallery(settings, engine), settings)

    def close(self) -> None:
        self.gallery.close()

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def configure(self, settings: Settings) -> None:
        self.settings = settings
        self.engine.configure(settings)

    # -- reading -------------------------------------------------------------
    def load(self, path: Path) -> np.ndarray:
        return load_image(path, self.settings.max_image_pixels, self.settings.max_image_bytes)

    def identify(self, image: np.ndarray) -> list[Recognition]:
        return self.engine.identify(image, self.gallery)

    def identify_file(self, path: Path) -> tuple[np.ndarray, list[Recognition]]:
        image = self.load(path)
        return image, self.identify(image)

    def chosen_face(self, path: Path) -> ChosenFace:
        """The face enrollment would take from ``path`` (see service.enrollment), embedded; NoFaceError
        or ImageError."""
        chosen = self._face_in(read_image_bytes(path, self.settings.max_image_bytes), path)
        if chosen is None:
            raise NoFaceError(path)
        return chosen

    # -- enrolling -----------------------------------------------------------
    def enroll_file(self, path: Path, name: str | None = None, force: bool = False,
                    found: tuple[bytes, ChosenFace] | None = None) -> EnrollOutcome:
        """Enroll the chosen face of ``path`` (the largest confident one) if it passes the quality gate
        and the rules of one face, one name (``enrollment.enroll_checked``; ``force`` skips them all); never
        raises for a bad file or name. ``found``: the file's bytes, already read, and that face found in
        them, so the digest is of the bytes the face came from."""
        path = Path(path)
        try:
            name = new_person_name(name if name is not None else person_name_from_file(path))
        except ValueError as exc:
            return EnrollOutcome(path, "failed", reason=str(exc))
        if found is not None:
            data, chosen = found
        else:
            try:
                data = read_image_bytes(path, self.settings.max_image_bytes)
            except ImageError as exc:
                return EnrollOutcome(path, "failed", name, exc.reason)
            chosen = None
        digest = hashlib.sha256(data).hexdigest()
        if self.gallery.is_enrolled(digest):
            return EnrollOutcome(path, "skipped", name, "already enrolled")
        from .enrollment import FaceRefused, enroll_checked, quality_problem, sharpness

        if chosen is None:
            try:
                chosen = self._face_in(data, path)
            except ImageError as exc:
                return EnrollOutcome(path, "failed", name, exc.reason)
            if chosen is None:
                return EnrollOutcome(path, "failed", name, "no face found")
        if force:
            self.gallery.enroll(name, chosen.embedding, str(path), digest)
            return EnrollOutcome(path, "enrolled", name, warning=chosen.warning)
        problem = quality_problem(chosen.face.width, sharpness(chosen.chip), self.settings)
        if problem:
            return EnrollOutcome(path, "failed", name, f"{problem}, or add --force", chosen.warning)
        try:
            enroll_checked(self.gallery, name, chosen.embedding, self.settings, str(path), digest)
        except FaceRefused as refused:
            return EnrollOutcome(path, "failed", name, f"{refused.problem}, or add --force", chosen.warning)
        return EnrollOutcome(path, "enrolled", name, warning=chosen.warning)

    def encode_folder(self, paths: list[Path], on_progress: Callable[[int, EnrollOutcome], None] = lambda _i, _o: None,
                      force: bool = False) -> EncodeSummary:
        summary = EncodeSummary()
        # Each enrollment is its own transaction; the index is saved once at the end.
        with self.gallery.batch():
            for index, (path, found) in enumerate(self._agreeing_first(paths) if not force else
                                                  ((path, None) for path in paths)):
                outcome = self.enroll_file(path, force=force, found=found)
                summary.outcomes.append(outcome)
                on_progress(index, outcome)
        return summary

    def _face_in(self, data: bytes, path: Path) -> ChosenFace | None:
        """The face enrollment takes from a photo's bytes; ImageError when they are not an image."""
        from .enrollment import find_face

        return find_face(self.engine, decode_image(data, path, self.settings.max_image_pixels),
                         self.settings.enroll_min_score)

    def _agreeing_first(self, paths: list[Path]) -> Iterator[tuple[Path, tuple[bytes, ChosenFace] | None]]:
        """``paths`` by person (``NAME_N.jpg``); a person not enrolled yet with three photos or more gets them
        in :func:`enrollment.agreeing_first` order, each with its bytes and the face already found in them.
        One person at a time, so a long folder's progress moves as it goes."""
        from .enrollment import agreeing_first

        groups: dict[str, list[Path]] = {}
        for path in paths:
            try:
                name = new_person_name(person_name_from_file(Path(path)))
            except ValueError:
                name = ""  # fails on its own, in its turn
            groups.setdefault(name, []).append(Path(path))
        for name, group in groups.items():
            if not name or len(group) < 3 or len(self.gallery.embeddings_of(name)[0]):
                yield from ((path, None) for path in group)
                continue
            found: list[tuple[bytes, ChosenFace] | None] = []
            for path in group:
                try:
                    data = read_image_bytes(path, self.settings.max_image_bytes)
                    chosen = self._face_in(data, path)
                except (ImageError, ValueError):  # said again, in one line, when its turn comes
                    chosen = None
                found.append(None if chosen is None else (data, chosen))
            order = agreeing_first([None if face is None else face[1].embedding for face in found],
                                   self.settings.enroll_min_own_similarity)
            yield from ((group[row], found[row]) for row in order)
