"""The back office's rules about enrolled people, one home for the CLI and the window.

* :func:`rename_person`: a new name for someone enrolled; their photos, check-ins and history follow.
* :func:`person_photos` / :func:`delete_photo`: the photos a person was enrolled from, and removing one
  bad photo (never the last one: that is removing the person, which asks for more).
* :func:`enroll_unknowns` / :func:`dismiss_unknowns`: the review of unknown faces, several at once.

Each refusal is a :class:`PeopleError` whose text is one line for the user.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..storage import Gallery, PhotoRecord, new_person_name, normalize_person_name
from .enrollment import GONE, EnrollProblem, FaceRefused, Refusal

if TYPE_CHECKING:
    from .attendance import AttendanceService


class PeopleError(ValueError):
    """A back-office action refused, with the reason in one line."""


def _enrolled(gallery: Gallery, name: str) -> str:
    try:
        person = normalize_person_name(name)
    except ValueError as exc:
        raise PeopleError(str(exc)) from None
    if not any(p.name == person for p in gallery.people()):
        raise PeopleError(f"nobody called {person} is enrolled")
    return person


def rename_person(gallery: Gallery, old: str, new: str) -> str:
    """Rename ``old`` to ``new`` (returned normalised); PeopleError when ``old`` is not enrolled, ``new`` is
    unusable or already someone else's."""
    person = _enrolled(gallery, old)
    try:
        new_name = new_person_name(new)
    except ValueError as exc:
        raise PeopleError(str(exc)) from None
    if new_name == person:
        return person
    try:
        gallery.rename(person, new_name)
    except KeyError:
        raise PeopleError(f"nobody called {person} is enrolled") from None
    except ValueError as exc:  # taken meanwhile, by another station
        raise PeopleError(f"{exc}: choose another name") from None
    return new_name


def person_photos(gallery: Gallery, name: str) -> list[PhotoRecord]:
    """The photos ``name`` was enrolled from (this model), oldest first."""
    return gallery.photos(name)


def delete_photo(gallery: Gallery, name: str, embedding_id: int) -> None:
    """Delete one enrolled photo of ``name``; refuses another person's photo and the last one."""
    person = _enrolled(gallery, name)
    photos = gallery.photos(person)
    if not any(p.embedding_id == embedding_id for p in photos):
        raise PeopleError(f"this photo is not one of {person}'s")
    if len(photos) == 1:
        raise PeopleError(f"this is the only photo of {person}: add a better one first, or remove the person")
    if not gallery.delete_photo(embedding_id):
        raise PeopleError("this photo was already deleted")


@dataclass(frozen=True)
class BulkResult:
    done: int
    """How many of the faces the action applied to."""
    problems: Sequence[str | Refusal]
    """One per face it could not apply to (already gone, another model's, refused: a Refusal); ``str()`` of
    each is its English line."""


def enroll_unknowns(attendance: AttendanceService, unknown_ids: Iterable[int], name: str) -> BulkResult:
    """Several logged unknown faces become one person, ``name`` (new, or someone enrolled): each stored embedding
    joins the gallery; the rest go on when one cannot."""
    try:
        person = new_person_name(name)
    except ValueError as exc:
        raise PeopleError(str(exc)) from None
    done = 0
    problems: list[str | Refusal] = []
    for unknown_id in unknown_ids:
        try:
            attendance.enroll_unknown(unknown_id, person)
            done += 1
        except KeyError:
            problems.append(_gone(unknown_id))
        except FaceRefused as refused:
            problems.append(refused.refusal)
        except ValueError as exc:
            problems.append(str(exc))
    return BulkResult(done, problems)


def _gone(unknown_id: int) -> Refusal:
    return Refusal.of_unknown_face(unknown_id, EnrollProblem(GONE, "already gone (dismissed, or enrolled elsewhere)"))


def dismiss_unknowns(attendance: AttendanceService, unknown_ids: Iterable[int]) -> BulkResult:
    """Delete several unknown-face records and their snapshots without enrolling them."""
    done, problems = 0, []
    for unknown_id in unknown_ids:
        if attendance.dismiss_unknown(unknown_id):
            done += 1
        else:
            problems.append(_gone(unknown_id))
    return BulkResult(done, problems)
