"""Gallery behaviour above the approximate-search threshold, at a small scale.

The threshold is lowered to 2,000 vectors so the approximate index and its
background builds kick in within a second.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from facegui.storage import DATABASE_FILE_NAME, FaceDatabase, Gallery
from facegui.storage.approximate_index import APPROXIMATE_INDEX_KIND, ApproximateIndex
from facegui.storage.vector_index import index_kind_of

DIM = 64
MODEL = "arcface_mobilefacenet:4c08e11a0a2b"
THRESHOLD = 2_000
COUNT = 3_000


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def noisy_copies(vectors: np.ndarray, cosine: float, seed: int = 1) -> np.ndarray:
    """Unit vectors at exactly `cosine` to the given ones: new photos of the same people."""
    noise = np.random.default_rng(seed).standard_normal(vectors.shape).astype(np.float32)
    noise -= np.sum(noise * vectors, axis=1, keepdims=True) * vectors
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    return cosine * vectors + np.sqrt(1 - cosine**2) * noise


def fill_database(data_dir: Path, vectors: np.ndarray) -> list[int]:
    """Enroll straight into SQLite, as another process (or an older gallery) would."""
    with FaceDatabase(data_dir / DATABASE_FILE_NAME) as db:
        return [db.add_embedding(f"person {i}", vector, MODEL, None, None) for i, vector in enumerate(vectors)]


def open_gallery(data_dir: Path, **overrides) -> Gallery:
    options = {"approximate_search_threshold": THRESHOLD, "rebuild_after_changes": 100} | overrides
    return Gallery(data_dir, MODEL, DIM, **options)


def wait_for_build(gallery: Gallery, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while gallery.is_rebuilding:
        assert time.monotonic() < deadline, "the background build did not finish"
        time.sleep(0.01)


def top_ids(gallery: Gallery, queries: np.ndarray) -> list[int | None]:
    return [row[0].embedding_id if row else None for row in gallery.search(queries)]


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, list[int]]:
    """A saved approximate gallery; tests copy it rather than change it."""
    data_dir = tmp_path_factory.mktemp("approximate") / "data"
    vectors = unit_vectors(COUNT)
    ids = fill_database(data_dir, vectors)
    with open_gallery(data_dir) as gallery:
        wait_for_build(gallery)
    return data_dir, vectors, ids


@pytest.fixture
def data_dir(enrolled, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(enrolled[0], copy)
    return copy


def test_large_gallery_opens_exact_then_swaps_in_a_saved_approximate_index(tmp_path: Path) -> None:
    vectors = unit_vectors(COUNT)
    ids = fill_database(tmp_path / "data", vectors)
    with open_gallery(tmp_path / "data") as gallery:
        # Right after open, before any build could finish, search is exact.
        assert top_ids(gallery, vectors[:50]) == ids[:50]
        wait_for_build(gallery)
        assert gallery.is_approximate and len(gallery) == COUNT
        assert index_kind_of(gallery.index_path) == APPROXIMATE_INDEX_KIND


def test_approximate_results_agree_with_exact_for_new_photos(enrolled) -> None:
    data_dir, vectors, ids = enrolled
    queries = noisy_copies(vectors[:500], cosine=0.6)
    with open_gallery(data_dir) as gallery:
        assert gallery.is_approximate
        found = top_ids(gallery, queries)
    exact = np.argmax(queries @ vectors.T, axis=1)
    agreement = np.mean(np.array(found) == np.array(ids)[exact])
    assert agreement >= 0.99


def test_reopen_restores_the_approximate_index_without_rebuilding(data_dir: Path) -> None:
    with open_gallery(data_dir) as gallery:
        assert gallery.is_approximate and not gallery.is_rebuilding


def test_remove_in_approximate_mode_hides_the_person_at_once_and_after_rebuild(enrolled, data_dir: Path) -> None:
    _, vectors, ids = enrolled
    with open_gallery(data_dir, rebuild_after_changes=10) as gallery:
        assert gallery.remove("person 7") == 1
        assert top_ids(gallery, vectors[7:8]) != [ids[7]]
        assert 7 not in [match.embedding_id for match in gallery.search(vectors[7], k=50)[0]]
        assert len(gallery) == COUNT - 1
        for i in range(8, 20):  # enough changes to trigger a background rebuild
            gallery.remove(f"person {i}")
        wait_for_build(gallery)
        assert ids[7] not in top_ids(gallery, vectors[7:20])
        assert top_ids(gallery, vectors[20:30]) == ids[20:30]
    with open_gallery(data_dir) as reopened:
        assert len(reopened) == COUNT - 13
        assert ids[7] not in top_ids(reopened, vectors[7:20])


def test_enrollment_during_a_background_rebuild_is_found_immediately(data_dir: Path) -> None:
    extra = unit_vectors(300, seed=5)
    with open_gallery(data_dir, rebuild_after_changes=50) as gallery:
        enrolled_ids = []
        for i, vector in enumerate(extra):
            enrolled_ids.append(gallery.enroll(f"newcomer {i}", vector))
            assert top_ids(gallery, vector[np.newaxis]) == [enrolled_ids[-1]]
        wait_for_build(gallery)
        assert top_ids(gallery, extra) == enrolled_ids
        gallery.remove("newcomer 3")
        assert enrolled_ids[3] not in top_ids(gallery, extra)
    with open_gallery(data_dir) as reopened:
        assert len(reopened) == COUNT + 299
        found = top_ids(reopened, extra)
        assert found[:3] == enrolled_ids[:3] and found[4:] == enrolled_ids[4:]


def test_searches_continue_while_enrolling_and_rebuilding(data_dir: Path) -> None:
    extra = unit_vectors(200, seed=6)
    errors: list[BaseException] = []
    stop = threading.Event()
    with open_gallery(data_dir, rebuild_after_changes=20) as gallery:
        probe = gallery.search(unit_vectors(1)[0])[0][0]

        def search_continuously() -> None:
            try:
                while not stop.is_set():
                    assert gallery.search(unit_vectors(1)[0])[0][0].embedding_id == probe.embedding_id
            except BaseException as error:
                errors.append(error)

        worker = threading.Thread(target=search_continuously)
        worker.start()
        try:
            for i, vector in enumerate(extra):
                gallery.enroll(f"newcomer {i}", vector)
        finally:
            stop.set()
            worker.join()
        wait_for_build(gallery)
        assert errors == []
        assert len(gallery) == COUNT + 200


def test_writes_by_another_process_are_caught_up_in_approximate_mode(enrolled, data_dir: Path) -> None:
    _, vectors, ids = enrolled
    newcomer = unit_vectors(1, seed=9)[0]
    with open_gallery(data_dir) as gallery:
        with FaceDatabase(data_dir / DATABASE_FILE_NAME) as other_process:
            new_id = other_process.add_embedding("visitor", newcomer, MODEL, None, None)
            other_process.remove_person("person 0")
        assert top_ids(gallery, newcomer[np.newaxis]) == [new_id]
        assert ids[0] not in top_ids(gallery, vectors[:1])
        assert len(gallery) == COUNT


def test_a_stale_saved_approximate_index_is_caught_up_on_open(enrolled, data_dir: Path) -> None:
    _, vectors, ids = enrolled
    newcomer = unit_vectors(1, seed=9)[0]
    with FaceDatabase(data_dir / DATABASE_FILE_NAME) as db:
        new_id = db.add_embedding("visitor", newcomer, MODEL, None, None)
        db.remove_person("person 1")
    with open_gallery(data_dir) as gallery:
        assert gallery.is_approximate  # kept, not thrown away
        assert top_ids(gallery, newcomer[np.newaxis]) == [new_id]
        assert ids[1] not in top_ids(gallery, vectors[1:2])
        wait_for_build(gallery)
    loaded = ApproximateIndex.load(gallery.index_path)
    assert loaded is not None and new_id in loaded[0].ids() and ids[1] not in loaded[0].ids()


def test_shrinking_below_the_threshold_goes_back_to_exact(data_dir: Path) -> None:
    with open_gallery(data_dir, approximate_search_threshold=COUNT + 500) as gallery:
        assert gallery.is_approximate
        for i in range(120):  # more than rebuild_after_changes: the rebuild picks the kind by size
            gallery.remove(f"person {i}")
        wait_for_build(gallery)
        assert not gallery.is_approximate
        assert len(gallery) == COUNT - 120
