"""Matching embeddings to names: the threshold, the unknown, and a real gallery of chosen vectors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from facegui.engine.matcher import UNKNOWN, match_faces
from facegui.storage import Gallery

from .records import DIM, face_at, unit_vector


@dataclass(frozen=True)
class Candidate:
    name: str
    similarity: float


class ListedGallery:
    """Answers each query row with the next prepared candidate list."""

    def __init__(self, answers: list[list[Candidate]]):
        self.answers = answers
        self.queries: list[np.ndarray] = []

    def search(self, vectors: np.ndarray, k: int = 1) -> list[list[Candidate]]:
        self.queries.append(vectors)
        return self.answers[: len(vectors)]


def faces(count: int) -> list:
    return [face_at(10 + 150 * i, 10, embedding=unit_vector(i)) for i in range(count)]


def test_a_face_is_named_at_or_above_the_threshold_only():
    gallery = ListedGallery([[Candidate("ada", 0.37)], [Candidate("bob", 0.3699)], [Candidate("cy", 0.9)]])
    results = match_faces(faces(3), gallery, threshold=0.37)
    assert [r.name for r in results] == ["ada", UNKNOWN, "cy"]
    assert [r.is_known for r in results] == [True, False, True]
    assert results[1].similarity == pytest.approx(0.3699)  # the unknown keeps its best score as evidence


def test_an_empty_gallery_names_nobody():
    results = match_faces(faces(2), ListedGallery([[], []]), threshold=0.3)
    assert [(r.name, r.similarity) for r in results] == [(UNKNOWN, -1.0), (UNKNOWN, -1.0)]


def test_no_faces_no_search():
    gallery = ListedGallery([])
    assert match_faces([], gallery, 0.3) == [] and gallery.queries == []


def test_all_faces_go_to_the_gallery_in_one_search():
    gallery = ListedGallery([[Candidate("ada", 0.9)]] * 4)
    match_faces(faces(4), gallery, 0.3)
    (query,) = gallery.queries
    assert query.shape == (4, DIM) and np.allclose(query[2], unit_vector(2))


def test_a_face_without_an_embedding_is_a_programming_error():
    with pytest.raises(ValueError, match="never embedded"):
        match_faces([face_at(0, 0)], ListedGallery([[]]), 0.3)


@pytest.fixture
def gallery(tmp_path):
    with Gallery(tmp_path, "unit-model:0", DIM) as opened:
        yield opened


def test_the_gallery_finds_the_nearest_enrolled_vector(gallery):
    for seed, name in enumerate(["ada", "bob", "cy"]):
        gallery.enroll(name, unit_vector(seed))
    query = unit_vector(1) + 0.1 * unit_vector(99)
    (best, second), = gallery.search(query, k=2)
    assert best.name == "bob" and best.similarity > second.similarity
    assert best.similarity == pytest.approx(float(query @ unit_vector(1)) / np.linalg.norm(query), abs=1e-5)


def test_matching_through_the_gallery_applies_the_threshold(gallery):
    gallery.enroll("ada", unit_vector(1))
    near = face_at(0, 0, embedding=unit_vector(1))
    far = face_at(200, 0, embedding=-unit_vector(1))
    assert [r.name for r in match_faces([near, far], gallery, 0.37)] == ["ada", UNKNOWN]


def test_a_removed_person_is_never_named_again(gallery):
    gallery.enroll("ada", unit_vector(1))
    gallery.enroll("ada", unit_vector(2), source_sha256="b" * 64)
    gallery.enroll("bob", unit_vector(3))
    assert gallery.remove("ada") == 2
    assert [m.name for m in gallery.search(unit_vector(1), k=5)[0]] == ["bob"]


def test_enrolling_the_same_photo_twice_stores_it_once(gallery):
    first = gallery.enroll("ada", unit_vector(1), "ada.jpg", "a" * 64)
    again = gallery.enroll("ada", unit_vector(1), "ada.jpg", "a" * 64)
    assert first == again and gallery.is_enrolled("a" * 64)
    assert [(p.name, p.embedding_count) for p in gallery.people()] == [("ada", 1)]


@pytest.mark.parametrize("name, reason", [("", "empty"), ("   ", "empty"), ("a\nb", "control")])
def test_unusable_names_are_refused(gallery, name, reason):
    with pytest.raises(ValueError, match=reason):
        gallery.enroll(name, unit_vector(1))


def test_names_are_one_person_however_their_accents_are_typed(gallery):
    gallery.enroll("Jos\u00e9", unit_vector(1))  # composed, as Windows types it
    gallery.enroll("Jose\u0301", unit_vector(2), source_sha256="c" * 64)  # decomposed, as macOS does
    assert [(p.name, p.embedding_count) for p in gallery.people()] == [("Jos\u00e9", 2)]


def test_vectors_of_the_wrong_size_or_not_finite_are_refused(gallery):
    with pytest.raises(ValueError):
        gallery.enroll("ada", unit_vector(1, dim=DIM + 1))
    bad = unit_vector(1)
    bad[0] = np.nan
    with pytest.raises(ValueError):
        gallery.enroll("ada", bad)
    assert gallery.people() == []


def test_the_gallery_survives_a_reopen(tmp_path):
    with Gallery(tmp_path, "unit-model:0", DIM) as first:
        first.enroll("ada", unit_vector(1))
    with Gallery(tmp_path, "unit-model:0", DIM) as again:
        assert again.search(unit_vector(1))[0][0].name == "ada"
    with Gallery(tmp_path, "other-model:0", DIM) as other:  # another model's vectors never mix in
        assert other.search(unit_vector(1)) == [[]]


def test_a_new_persons_photos_go_in_the_order_the_others_agree_with_and_the_odd_one_is_found():
    from facegui.service.enrollment import agreeing_first, unlike_the_rest

    person = unit_vector(1)
    close = [person + 0.1 * unit_vector(seed) for seed in (2, 3, 4)]
    close = [v / np.linalg.norm(v) for v in close]
    stranger = unit_vector(9)
    assert abs(float(stranger @ person)) < 0.25  # random directions are far apart
    # The stranger first in the folder: the three that agree go first, the stranger and an unreadable file last.
    assert agreeing_first([stranger, close[0], None, close[1], close[2]], 0.25) == [1, 3, 4, 0, 2]
    assert agreeing_first([stranger, close[0]], 0.25) == [0, 1]  # one against one: the folder's order
    odd = unlike_the_rest(np.stack([close[0], stranger, close[1]]).astype(np.float32), 0.25)
    assert list(odd) == [1] and odd[1] < 0.25
    assert unlike_the_rest(np.stack([close[0]]).astype(np.float32), 0.25) == {}
