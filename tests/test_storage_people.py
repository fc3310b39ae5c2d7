"""Storage for the back office: rename a person, list their photos, delete one photo — on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from facegui.storage import AttendanceStore, Gallery, NewEvent

from .postgres_server import shared_server
from .test_storage import DIM, MODEL_A, MODEL_B, sha, top_names, unit_vectors


# The fixtures of tests/test_storage.py: every test runs on SQLite and on a real PostgreSQL server.
@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "facegui-data"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    return "" if request.param == "sqlite" else shared_server().create_database()


@pytest.fixture
def gallery(data_dir: Path, db_url: str):
    with Gallery(data_dir, MODEL_A, DIM, database_url=db_url) as opened:
        yield opened


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
