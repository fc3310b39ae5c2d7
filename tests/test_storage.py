"""Contract tests of facegui.storage, using random unit vectors as embeddings."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
import unicodedata
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from facegui.storage import (
    DATABASE_FILE_NAME,
    AttendanceStore,
    EnrollmentRefused,
    FaceDatabase,
    Gallery,
    Match,
    NewEvent,
    SCHEMA_VERSION,
    SchemaVersionError,
    StorageError,
    VectorIndex,
    index_file_stem,
)
from facegui.storage.vector_index import sidecar_path

from .crash_harness import kill_mid_run
from .postgres_server import shared_server

REPO_ROOT = Path(__file__).resolve().parents[1]
DIM = 64
MODEL_A = "arcface_mobilefacenet:4c08e11a0a2b"
MODEL_B = "other_net:0123456789ab"


def unit_vectors(count: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "facegui-data"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each portable test runs on the embedded SQLite file ("") and on a fresh PostgreSQL database."""
    return "" if request.param == "sqlite" else shared_server().create_database()


@pytest.fixture
def gallery(data_dir: Path, db_url: str):
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as opened:
        yield opened


def database_of(data_dir: Path, db_url: str) -> FaceDatabase:
    return FaceDatabase(db_url or data_dir / DATABASE_FILE_NAME)


def enroll_people(gallery: Gallery, vectors: np.ndarray, names: list[str]) -> list[int]:
    return [
        gallery.enroll(name, vector, f"/photos/{i}.jpg", sha(f"photo {i}"))
        for i, (name, vector) in enumerate(zip(names, vectors))
    ]


def top_names(gallery: Gallery, vectors: np.ndarray) -> list[str | None]:
    return [row[0].name if row else None for row in gallery.search(vectors)]


# -- round trip ----------------------------------------------------------------


def test_enrolled_faces_are_found_by_their_own_vectors(gallery: Gallery) -> None:
    vectors = unit_vectors(6)
    names = ["alice", "bob", "carol", "alice", "dave", "erin"]
    ids = enroll_people(gallery, vectors, names)

    results = gallery.search(vectors, k=1)

    assert [row[0].name for row in results] == names
    assert [row[0].embedding_id for row in results] == ids
    for row in results:
        assert row[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert len(gallery) == 6


def test_search_returns_best_first_and_fewer_than_k_when_gallery_is_small(gallery: Gallery) -> None:
    assert gallery.search(unit_vectors(2), k=3) == [[], []]
    vectors = unit_vectors(2)
    enroll_people(gallery, vectors, ["alice", "bob"])

    (row,) = gallery.search(vectors[0], k=5)  # a single (D,) query

    assert [match.name for match in row] == ["alice", "bob"]
    assert row[0].similarity >= row[1].similarity
    assert isinstance(row[0], Match) and isinstance(row[0].similarity, float)


def test_vectors_are_normalised_before_storage(gallery: Gallery) -> None:
    vector = unit_vectors(1)[0]
    gallery.enroll("alice", vector * 37.5)

    (match,), = gallery.search((vector * 0.01)[np.newaxis])
    _ids, _names, stored = gallery._db.load_embeddings(MODEL_A)

    assert match.similarity == pytest.approx(1.0, abs=1e-5)
    assert np.linalg.norm(stored[0]) == pytest.approx(1.0, abs=1e-6)


def test_a_query_already_of_unit_length_is_searched_as_it_is_and_any_other_is_normalised() -> None:
    from facegui.storage.vector_index import normalize_rows, unit_query

    row = unit_vectors(1)
    assert unit_query(row, DIM) is row  # a face's embedding, every frame: no copy, no second normalisation
    # 1e30's square overflows float32: the query is normalised in float64 instead.
    for other in (row * 3.0, row.astype(np.float64), unit_vectors(2), np.full((1, DIM), 1e30, np.float32)):
        np.testing.assert_allclose(unit_query(other, DIM), normalize_rows(other, DIM), atol=1e-7)
        assert np.linalg.norm(unit_query(other, DIM), axis=1) == pytest.approx(1.0, abs=1e-6)
    for bad in (np.full((1, DIM), np.nan, np.float32), np.zeros((1, DIM), np.float32),
                np.full((1, DIM), np.inf, np.float32), row[:, :-1]):
        with pytest.raises(ValueError):
            unit_query(bad, DIM)


def test_remove_deletes_the_person_and_their_vectors(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(5)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        enroll_people(gallery, vectors, ["alice", "bob", "alice", "carol", "alice"])

        assert gallery.remove("alice") == 3

        assert len(gallery) == 2
        assert "alice" not in top_names(gallery, vectors)
        assert "alice" not in {person.name for person in gallery.people()}
        assert "alice" not in gallery.names_by_id().values()
        assert gallery.remove("alice") == 0
        assert gallery.remove("nobody") == 0
        assert gallery.remove("   ") == 0  # no one can be enrolled under it

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert len(reopened) == 2
        assert top_names(reopened, vectors[[1, 3]]) == ["bob", "carol"]
        assert "alice" not in top_names(reopened, vectors)
    with database_of(data_dir, db_url) as db:
        assert [p.name for p in db.people()] == ["bob", "carol"]


def test_enrolling_the_same_source_twice_is_idempotent(gallery: Gallery) -> None:
    vector = unit_vectors(1)[0]
    digest = sha("photo of alice")
    assert not gallery.is_enrolled(digest)

    first = gallery.enroll("alice", vector, "/photos/a.jpg", digest)
    second = gallery.enroll("alice", vector, "/photos/copy-of-a.jpg", digest)

    assert first == second
    assert gallery.is_enrolled(digest)
    assert gallery.is_enrolled(digest)
    assert len(gallery) == 1
    assert gallery.people()[0].embedding_count == 1


def test_models_never_see_each_others_embeddings(data_dir: Path, db_url: str) -> None:
    vectors_a, vectors_b = unit_vectors(3, seed=1), unit_vectors(3, seed=2)
    digest = sha("shared photo")
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery_a, \
            Gallery(data_dir, MODEL_B, DIM, database_url=db_url) as gallery_b:
        enroll_people(gallery_a, vectors_a, ["alice", "bob", "carol"])
        gallery_b.enroll("mallory", vectors_b[0], "/photos/m.jpg", digest)
        gallery_b.enroll("alice", vectors_b[1])

        assert len(gallery_a) == 3 and len(gallery_b) == 2
        assert "mallory" not in top_names(gallery_a, vectors_b)
        assert not gallery_a.is_enrolled(digest) and gallery_b.is_enrolled(digest)
        assert [p.name for p in gallery_a.people()] == ["alice", "bob", "carol"]
        assert [p.name for p in gallery_b.people()] == ["alice", "mallory"]
        assert len(gallery_a.export_arrays()[0]) == 3
        assert gallery_a.index_path != gallery_b.index_path

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened_a:
        assert "mallory" not in top_names(reopened_a, vectors_b)


def test_removing_a_person_removes_them_for_every_model(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(2)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery_a, \
            Gallery(data_dir, MODEL_B, DIM, database_url=db_url) as gallery_b:
        gallery_a.enroll("alice", vectors[0])
        gallery_b.enroll("alice", vectors[1])

        assert gallery_a.remove("alice") == 2

        assert len(gallery_a) == 0
        gallery_b.sync()  # what a station's poller does twice a second
        assert gallery_b.search(vectors[1]) == [[]]


# -- the saved index is a cache: missing, corrupt or stale means rebuild ----------


def test_deleted_index_is_rebuilt_on_open(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(4)
    names = ["alice", "bob", "carol", "dave"]
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        enroll_people(gallery, vectors, names)
        index_path = gallery.index_path
        before = gallery.search(vectors, k=2)
    index_path.unlink()
    sidecar_path(index_path).unlink()

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert reopened.search(vectors, k=2) == before
    assert index_path.exists() and VectorIndex.load(index_path) is not None


def _garbage_index(index_path: Path) -> None:
    index_path.write_bytes(os.urandom(4096))


def _truncated_index(index_path: Path) -> None:
    index_path.write_bytes(index_path.read_bytes()[:100])


def _empty_index(index_path: Path) -> None:
    index_path.write_bytes(b"")


def _garbage_sidecar(index_path: Path) -> None:
    sidecar_path(index_path).write_bytes(b"\x00\xff{not json")


def _sidecar_not_an_object(index_path: Path) -> None:
    sidecar_path(index_path).write_text("[1, 2, 3]")


def _missing_sidecar(index_path: Path) -> None:
    sidecar_path(index_path).unlink()


def _garbage_index_with_matching_checksum(index_path: Path) -> None:
    # Gets past the checksum, so faiss's own parser must fail gracefully.
    garbage = b"IxM2" + os.urandom(200)
    index_path.write_bytes(garbage)
    metadata = json.loads(sidecar_path(index_path).read_text())
    metadata["index_sha256"] = hashlib.sha256(garbage).hexdigest()
    sidecar_path(index_path).write_text(json.dumps(metadata))


def _index_of_another_model(index_path: Path) -> None:
    metadata = json.loads(sidecar_path(index_path).read_text())
    metadata["model_id"] = MODEL_B
    sidecar_path(index_path).write_text(json.dumps(metadata))


@pytest.mark.parametrize(
    "corrupt",
    [
        _garbage_index,
        _truncated_index,
        _empty_index,
        _garbage_sidecar,
        _sidecar_not_an_object,
        _missing_sidecar,
        _garbage_index_with_matching_checksum,
        _index_of_another_model,
    ],
)
def test_corrupt_index_is_rebuilt_without_error(data_dir: Path, db_url: str, corrupt) -> None:
    vectors = unit_vectors(4)
    names = ["alice", "bob", "张学友", "dave"]
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        enroll_people(gallery, vectors, names)
        index_path = gallery.index_path

    corrupt(index_path)

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert len(reopened) == 4
        assert top_names(reopened, vectors) == names
    loaded = VectorIndex.load(index_path)
    assert loaded is not None and len(loaded[0]) == 4


def test_index_made_stale_behind_its_back_is_rebuilt_on_open(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(3)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        gallery.enroll("alice", vectors[0])
        gallery.enroll("bob", vectors[1])
    with database_of(data_dir, db_url) as db:
        db.add_embedding("carol", vectors[2], MODEL_A, None, None)
        db.remove_person("alice")

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert len(reopened) == 2
        assert top_names(reopened, vectors)[1:] == ["bob", "carol"]
        assert "alice" not in top_names(reopened, vectors)


def test_open_gallery_picks_up_writes_from_another_gallery(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(3)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gui, \
            Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as cli:
        gui.enroll("alice", vectors[0])
        cli.enroll("bob", vectors[1])
        gui.sync()
        assert top_names(gui, vectors[:2]) == ["alice", "bob"]

        cli.remove("alice")
        gui.enroll("carol", vectors[2])  # its sync must rebuild, then add

        cli.sync()
        assert top_names(gui, vectors)[1:] == ["bob", "carol"]
        assert top_names(cli, vectors)[1:] == ["bob", "carol"]
        assert len(gui) == len(cli) == 2



def test_a_local_gallery_searched_every_frame_sees_another_process_within_its_sync_interval(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search asks SQLite whether another connection committed at most every ``sync_interval_s`` (the
    same bound a shared database's poll gives); a write or a listing of its own still looks at once."""
    import facegui.storage.gallery as gallery_module

    clock = [1000.0]
    monkeypatch.setattr(gallery_module.time, "monotonic", lambda: clock[0])
    vectors = unit_vectors(3)
    with Gallery(data_dir, MODEL_A, DIM, sync_interval_s=0.5) as station, \
            Gallery(data_dir, MODEL_A, DIM) as command_line:
        station.enroll("alice", vectors[0])
        assert top_names(station, vectors[:1]) == ["alice"]
        asked = []
        counter = station._db.commit_counter
        monkeypatch.setattr(station._db, "commit_counter", lambda: asked.append(1) or counter())

        command_line.remove("alice")
        clock[0] += 0.2
        top_names(station, vectors[:1])
        assert asked == []  # the look 0.2 s ago still stands

        clock[0] += 0.31
        assert top_names(station, vectors[:1]) == [None]  # 0.51 s after the last look: alice is gone
        assert asked == [1]

        command_line.enroll("bob", vectors[1])
        station.enroll("carol", vectors[2])  # a write of its own looks first, whatever the clock
        assert top_names(station, vectors[1:]) == ["bob", "carol"]

def nearest_is_someone_else(gallery: Gallery, vector: np.ndarray, name: str) -> str | None:
    """A guard like the service's look-alike rule: a reason when the nearest enrolled face is another's
    and close (random 64-dimensional unit vectors are far apart: |cos| < 0.5)."""
    (row,) = gallery.search(vector)
    return f"looks like {row[0].name}" if row and row[0].name != name and row[0].similarity > 0.5 else None


def test_a_guarded_enrollment_is_checked_against_the_database_not_a_poll_behind(data_dir: Path,
                                                                                db_url: str) -> None:
    vector = unit_vectors(1)[0]
    # The other station polls once a minute: its copy cannot know alice when it enrolls her face as bea.
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as one, \
            Gallery(data_dir, MODEL_A, DIM, database_url=db_url, sync_interval_s=60) as other:
        one.enroll("alice", vector)
        with pytest.raises(EnrollmentRefused, match="looks like alice"):
            other.enroll("bea", vector, refuse=lambda: nearest_is_someone_else(other, vector, "bea"))
        assert [p.name for p in other.people()] == ["alice"]


def test_a_guarded_enrollment_looks_again_when_another_writer_commits_between_its_check_and_its_write(
        data_dir: Path, db_url: str) -> None:
    vector = unit_vectors(1)[0]
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as one, \
            Gallery(data_dir, MODEL_A, DIM, database_url=db_url, sync_interval_s=60) as other:
        looks: list[str | None] = []

        def guard() -> str | None:
            reason = nearest_is_someone_else(other, vector, "bea")
            looks.append(reason)
            if len(looks) == 1:
                one.enroll("alice", vector)  # lands after this look and before the write
            return reason

        with pytest.raises(EnrollmentRefused, match="looks like alice"):
            other.enroll("bea", vector, refuse=guard)
        assert looks == [None, "looks like alice"]
        assert [p.name for p in other.people()] == ["alice"]
        assert top_names(other, vector[np.newaxis]) == ["alice"]
        # Without another writer, the guard is asked once and the enrollment goes through.
        assert other.enroll("carol", unit_vectors(1, seed=7)[0],
                            refuse=lambda: nearest_is_someone_else(other, unit_vectors(1, seed=7)[0], "carol")) > 0


# -- names, validation ------------------------------------------------------------


def test_unicode_names_round_trip(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(3)
    names = ["张学友", "Zoë Ångström", "Ilyès 😀"]
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        enroll_people(gallery, vectors, names)
        decomposed = unicodedata.normalize("NFD", "Zoë Ångström")
        gallery.enroll(f"  {decomposed} ", unit_vectors(1, seed=9)[0])  # same person
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert top_names(reopened, vectors) == names
        counts = {person.name: person.embedding_count for person in reopened.people()}
        assert counts == {"张学友": 1, "Zoë Ångström": 2, "Ilyès 😀": 1}
        assert set(reopened.export_arrays()[1].tolist()) == set(names)
        assert reopened.remove("张学友") == 1


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "bad\nname"])
def test_unusable_names_are_rejected(gallery: Gallery, name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        gallery.enroll(name, unit_vectors(1)[0])
    assert len(gallery) == 0


@pytest.mark.parametrize(
    "vector",
    [
        np.ones(DIM - 1, dtype=np.float32),
        np.ones(DIM + 1, dtype=np.float32),
        np.ones((2, DIM), dtype=np.float32),
        np.full(DIM, np.nan, dtype=np.float32),
        np.r_[np.ones(DIM - 1), np.inf].astype(np.float32),
        np.zeros(DIM, dtype=np.float32),
    ],
    ids=["short", "long", "two rows", "nan", "inf", "zero"],
)
def test_bad_vectors_are_rejected(gallery: Gallery, vector: np.ndarray) -> None:
    with pytest.raises(ValueError):
        gallery.enroll("alice", vector)
    if vector.ndim == 1:  # (2, DIM) is a valid batch of two queries
        with pytest.raises(ValueError):
            gallery.search(vector)
    assert len(gallery) == 0 and gallery.people() == []


def test_opening_with_a_dim_that_contradicts_the_database_fails_clearly(data_dir: Path, db_url: str) -> None:
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        gallery.enroll("alice", unit_vectors(1)[0])
    with pytest.raises(StorageError, match="dimensional"):
        Gallery(data_dir, MODEL_A, DIM * 2, database_url=db_url)


# -- listing, export ----------------------------------------------------------


def test_people_lists_counts_and_first_enrollment_time(gallery: Gallery) -> None:
    vectors = unit_vectors(3)
    enroll_people(gallery, vectors, ["bob", "alice", "bob"])

    people = gallery.people()

    assert [(p.name, p.embedding_count) for p in people] == [("alice", 1), ("bob", 2)]
    for person in people:
        enrolled_at = datetime.fromisoformat(person.first_enrolled_at)
        assert enrolled_at.utcoffset() is not None
    with pytest.raises(AttributeError):
        people[0].name = "eve"  # frozen


def test_export_arrays_are_seed_compatible(gallery: Gallery, tmp_path: Path) -> None:
    vectors, names = gallery.export_arrays()
    assert vectors.shape == (0, DIM) and names.shape == (0,)

    enrolled = unit_vectors(3)
    enroll_people(gallery, enrolled, ["alice", "张学友", "alice"])
    vectors, names = gallery.export_arrays()

    assert vectors.dtype == np.float32 and vectors.shape == (3, DIM)
    np.testing.assert_allclose(vectors, enrolled, atol=1e-6)
    np.save(tmp_path / "face_encoding.npy", vectors)
    np.save(tmp_path / "face_name.npy", names)
    assert np.load(tmp_path / "face_name.npy", allow_pickle=False).tolist() == ["alice", "张学友", "alice"]


# -- database ---------------------------------------------------------------------


def test_database_is_wal_versioned_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with FaceDatabase(path) as db:
        first = db.add_embedding("alice", unit_vectors(1)[0], MODEL_A, "/a.jpg", sha("a"))
        assert db.embedding_count(MODEL_A) == 1 and db.embedding_count(MODEL_B) == 0
        assert db.max_embedding_id(MODEL_A) == first and db.max_embedding_id(MODEL_B) == 0
        assert db.has_source(MODEL_A, sha("a")) and not db.has_source(MODEL_B, sha("a"))
        ids, names, vectors = db.load_embeddings(MODEL_A)
        assert ids.dtype == np.int64 and names == ["alice"] and vectors.dtype == np.float32
        second = db.add_embedding("carol", unit_vectors(1)[0], MODEL_A, "/c.jpg", sha("c"))
        later_ids, later_names, _ = db.load_embeddings(MODEL_A, after_id=first)
        assert later_ids.tolist() == [second] and later_names == ["carol"]
        empty_ids, empty_names, empty_vectors = db.load_embeddings(MODEL_B)
        assert len(empty_ids) == 0 and empty_names == [] and empty_vectors.shape[0] == 0
        assert db.remove_person("alice") == 1
        assert db.add_embedding("bob", unit_vectors(1)[0], MODEL_A, None, None) > first  # ids never reused
        with pytest.raises(ValueError, match="dimensional"):
            db.add_embedding("bob", unit_vectors(1, dim=DIM + 1)[0], MODEL_A, None, None)

    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        raw.execute("PRAGMA foreign_keys=ON")
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO embeddings (person_id, model_id, dim, vector, enrolled_at) "
                "VALUES (999, 'm', 1, x'00000000', 'now')"
            )
    finally:
        raw.close()


def test_database_from_a_newer_facegui_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    FaceDatabase(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()

    with pytest.raises(SchemaVersionError, match="99"):
        FaceDatabase(path)


def test_unreadable_or_locked_database_raises_storage_error(tmp_path: Path) -> None:
    not_a_database = tmp_path / "facegui.sqlite3"
    not_a_database.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StorageError, match="facegui.sqlite3"):
        Gallery(tmp_path, MODEL_A, DIM)

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(StorageError, match="data folder"):
        Gallery(a_file / "data", MODEL_A, DIM)

    path = tmp_path / "locked.sqlite3"
    with FaceDatabase(path) as db:
        db._backend.raw.execute("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 10 s
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(StorageError, match="locked"):
                db.add_embedding("alice", unit_vectors(1)[0], MODEL_A, None, None)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert db.add_embedding("alice", unit_vectors(1)[0], MODEL_A, None, None) == 1


def test_data_dir_and_paths_with_non_ascii_characters(tmp_path: Path) -> None:
    data_dir = tmp_path / "données 张学友"
    vectors = unit_vectors(2)
    with Gallery(data_dir, MODEL_A, DIM) as gallery:
        enroll_people(gallery, vectors, ["alice", "bob"])
    with Gallery(data_dir, MODEL_A, DIM) as reopened:
        assert top_names(reopened, vectors) == ["alice", "bob"]
        assert VectorIndex.load(reopened.index_path) is not None


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_data_dir_is_private(data_dir: Path, gallery: Gallery) -> None:
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "index").stat().st_mode & 0o777 == 0o700


def test_abandoned_temp_files_are_cleaned_up_on_open(data_dir: Path) -> None:
    with Gallery(data_dir, MODEL_A, DIM) as gallery:
        index_path = gallery.index_path
    old_temp = index_path.parent / f".{index_path.name}.abc123.tmp"
    fresh_temp = index_path.parent / f".{sidecar_path(index_path).name}.def456.tmp"
    old_temp.write_bytes(b"half a save")
    fresh_temp.write_bytes(b"another process saving right now")
    two_hours_ago = time.time() - 7200
    os.utime(old_temp, (two_hours_ago, two_hours_ago))

    Gallery(data_dir, MODEL_A, DIM).close()

    assert not old_temp.exists() and fresh_temp.exists()


def test_index_file_names_are_portable_and_distinct() -> None:
    stems = {index_file_stem(model) for model in [MODEL_A, "arcface_mobilefacenet_4c08e11a0a2b", "../x:y"]}
    assert len(stems) == 3
    for stem in stems:
        assert not set(stem) & set('<>:"/\\|?*') and not stem.startswith(".")


# -- vector index -------------------------------------------------------------


def test_vector_index_add_remove_search_save_load(tmp_path: Path) -> None:
    index = VectorIndex(DIM)
    vectors = unit_vectors(4)
    index.add([10, 20, 30, 40], vectors)

    with pytest.raises(ValueError):
        index.add([20], vectors[:1])  # duplicate id
    assert index.remove([20, 999]) == 1
    similarities, ids = index.search(vectors, k=2)
    assert similarities.shape == ids.shape == (4, 2)
    assert ids[0, 0] == 10 and ids[1, 0] != 20
    assert similarities[0, 0] == pytest.approx(1.0, abs=1e-5)

    path = tmp_path / "index" / "x.faiss"
    path.parent.mkdir()
    assert VectorIndex.load(path) is None
    index.save(path, {"model_id": MODEL_A, "revision": 7})
    loaded, metadata = VectorIndex.load(path)
    assert metadata["model_id"] == MODEL_A and metadata["revision"] == 7
    assert metadata["dim"] == DIM and metadata["count"] == 3
    np.testing.assert_array_equal(loaded.search(vectors, k=2)[1], ids)
    assert sorted(path.parent.iterdir()) == [path, sidecar_path(path)]  # no temp files left

    empty_similarities, empty_ids = VectorIndex(DIM).search(vectors[:2], k=3)
    assert (empty_ids == -1).all() and np.isneginf(empty_similarities).all()


# -- concurrency and crash safety -----------------------------------------------


def test_worker_thread_can_search_while_enrolling(gallery: Gallery) -> None:
    vectors = unit_vectors(150)
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_continuously() -> None:
        try:
            while not stop.is_set():
                for row in gallery.search(vectors[:8], k=3):
                    assert all(match.name.startswith("person") for match in row)
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)

    worker = threading.Thread(target=search_continuously)
    worker.start()
    try:
        enroll_people(gallery, vectors, [f"person {i}" for i in range(len(vectors))])
    finally:
        stop.set()
        worker.join()

    assert errors == []
    assert top_names(gallery, vectors) == [f"person {i}" for i in range(len(vectors))]


def test_a_search_keeps_faiss_to_the_thread_that_asks(gallery: Gallery) -> None:
    """OpenMP's thread count is a setting of each thread: set only where faiss was imported, the camera's
    worker thread searched with a team, whose idle worker then spun on the other core for ~3.5 ms."""
    import faiss

    enroll_people(gallery, unit_vectors(3), ["alice", "bob", "carol"])
    teams: list[int] = []

    def search() -> None:
        gallery.search(unit_vectors(1, seed=1))
        teams.append(faiss.omp_get_max_threads())

    worker = threading.Thread(target=search)
    worker.start()
    worker.join()
    assert teams == [1]


def test_batch_defers_index_saves_but_keeps_search_current(gallery: Gallery) -> None:
    vectors = unit_vectors(20)
    with gallery.batch():
        enroll_people(gallery, vectors, [f"p{i}" for i in range(20)])
        assert top_names(gallery, vectors[-1:]) == ["p19"]
        saved = VectorIndex.load(gallery.index_path)
        assert saved is not None and len(saved[0]) == 0  # still the empty index saved on open
    loaded = VectorIndex.load(gallery.index_path)
    assert loaded is not None and len(loaded[0]) == 20


ENROLL_UNTIL_KILLED = r"""
import sys
from pathlib import Path
import numpy as np
from facegui.storage import Gallery

data_dir, model_id, dim = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)
with Gallery(data_dir, model_id, dim) as gallery:
    for i in range(2000):
        embedding_id = gallery.enroll(f"person {i % 40}", rng.standard_normal(dim), f"/p/{i}.jpg", f"{i:064x}")
        print(embedding_id, flush=True)
"""


def test_killing_the_process_mid_enrollment_loses_no_committed_enrollment(data_dir: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    printed = [int(line) for line in kill_mid_run(
        [sys.executable, "-c", ENROLL_UNTIL_KILLED, str(data_dir), MODEL_A, str(DIM)], 150, 2000, env)]

    raw = sqlite3.connect(data_dir / DATABASE_FILE_NAME)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored_ids = {row[0] for row in raw.execute("SELECT id FROM embeddings")}
    finally:
        raw.close()
    assert set(printed) <= stored_ids

    with Gallery(data_dir, MODEL_A, DIM) as gallery:
        assert len(gallery) == gallery._db.embedding_count(MODEL_A) == len(stored_ids)
        assert set(gallery.names_by_id()) == stored_ids


# -- layering -------------------------------------------------------------------


# -- the back office: rename a person, their photos, delete one photo ----------------------------------


def test_rename_keeps_embeddings_and_search_answers_the_new_name(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(3)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        gallery.enroll("alice", vectors[0], "/a1.jpg", sha("a1"))
        gallery.enroll("alice", vectors[1], "/a2.jpg", sha("a2"))
        gallery.enroll("bob", vectors[2], "/b.jpg", sha("b"))
        assert gallery.rename("alice", "Alice Smith") == 2
        assert top_names(gallery, vectors) == ["Alice Smith", "Alice Smith", "bob"]
        assert [(p.name, p.embedding_count) for p in gallery.people()] == [("Alice Smith", 2), ("bob", 1)]
    # A fresh open (the saved index holds no names) agrees.
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert top_names(reopened, vectors[:1]) == ["Alice Smith"]


def test_rename_refuses_a_taken_name_and_an_unknown_person(gallery: Gallery) -> None:
    vectors = unit_vectors(2)
    gallery.enroll("alice", vectors[0])
    gallery.enroll("bob", vectors[1])
    with pytest.raises(ValueError, match="already enrolled"):
        gallery.rename("alice", "bob")
    with pytest.raises(KeyError):
        gallery.rename("nobody", "carol")
    with pytest.raises(ValueError):
        gallery.rename("alice", "bad\nname")
    assert top_names(gallery, vectors) == ["alice", "bob"]


def test_another_station_learns_a_rename_from_the_change_log(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(2)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as admin, \
            Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as station:
        admin.enroll("alice", vectors[0])
        admin.enroll("bob", vectors[1])
        station.sync()
        assert top_names(station, vectors) == ["alice", "bob"]
        admin.rename("bob", "Robert")
        station.sync()
        assert top_names(station, vectors) == ["alice", "Robert"]


def test_attendance_follows_a_renamed_person(data_dir: Path, db_url: str) -> None:
    from datetime import datetime

    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery:
        gallery.enroll("alice", unit_vectors(1)[0])
        store = AttendanceStore(data_dir, database_url=db_url)
        try:
            at = datetime.now().astimezone()
            store.record([NewEvent("alice", at, "cam", 0.9)])
            gallery.rename("alice", "Alice")
            assert [e.name for e in store.events(at.date(), at.date())] == ["Alice"]
        finally:
            store.close()


def test_photos_lists_one_model_and_delete_photo_removes_only_that_one(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(3)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as gallery, \
            Gallery(data_dir, MODEL_B, DIM, database_url=db_url) as other:
        first = gallery.enroll("alice", vectors[0], "/a1.jpg", sha("a1"))
        second = gallery.enroll("alice", vectors[1], None, sha("a2"))
        other.enroll("alice", vectors[2], "/b.jpg", sha("b"))
        photos = gallery.photos("alice")
        assert [(p.embedding_id, p.source_path, p.model_id) for p in photos] == [
            (first, "/a1.jpg", MODEL_A), (second, None, MODEL_A)]
        assert gallery.photos("nobody") == [] and gallery.photos("  ") == []

        assert gallery.delete_photo(first)
        assert not gallery.delete_photo(first)  # gone already
        assert [p.embedding_id for p in gallery.photos("alice")] == [second]
        assert top_names(gallery, vectors[1:2]) == ["alice"]
        assert [match.embedding_id for match in gallery.search(vectors[0], k=5)[0]] == [second]
        assert len(other.photos("alice")) == 1  # the other model keeps its photo
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as reopened:
        assert len(reopened) == 1


def test_another_station_drops_a_deleted_photo(data_dir: Path, db_url: str) -> None:
    vectors = unit_vectors(2)
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as admin, \
            Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as station:
        bad = admin.enroll("alice", vectors[0])
        admin.enroll("alice", vectors[1])
        station.sync()
        assert len(station) == 2
        admin.delete_photo(bad)
        station.sync()
        assert len(station) == 1
        assert [m.embedding_id for m in station.search(vectors[0], k=5)[0]] != [bad]
