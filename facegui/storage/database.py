"""The store of enrolled people and their face embeddings: a SQLite file or a PostgreSQL database.

The database is the source of truth; the faiss index (see ``vector_index``)
is a cache that can always be rebuilt from it.  Every write bumps a per-model
revision in the same transaction and logs which embeddings it added or
removed, so a cached index (on this PC or at another station) can tell it is
stale and catch up by reading only what changed.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from .backend import Backend
from .connection import DatabaseConnection

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where embeddings are handled, not here: `facegui people` lists names and
# counts from SQL alone and should not pay numpy's import (docs/benchmarks.md, "Start-up").

DATABASE_FILE_NAME = "facegui.sqlite3"
"""The SQLite database in the data folder (when no database URL is configured)."""

log = logging.getLogger(__name__)

# Embeddings are stored as raw float32 little-endian bytes whatever the host
# byte order, so a database copied between machines stays readable.
VECTOR_DTYPE = "<f4"


@dataclass(frozen=True)
class PersonRecord:
    name: str
    embedding_count: int
    first_enrolled_at: str | None
    id: int


@dataclass(frozen=True)
class Enrollment:
    """Outcome of :meth:`FaceDatabase.enroll`."""

    embedding_id: int
    # False when this (model, source, person) was already enrolled: nothing
    # was written and ``embedding_id`` is the existing row.
    created: bool
    # Revision of the model right after the transaction; lets a cache check
    # that no other writer slipped in between its last sync and this write.
    revision: int


class RevisionMoved(Exception):
    """Another writer committed to the model after the revision an enrollment was checked against;
    nothing was written (see ``expected_revision`` of :meth:`FaceDatabase.enroll`)."""


@dataclass(frozen=True)
class ChangeSet:
    """What changed in a model's embeddings between two revisions (see :meth:`FaceDatabase.changes_since`)."""

    revision: int
    removed_ids: np.ndarray
    added_ids: np.ndarray
    added_names: list[str]
    added_vectors: np.ndarray
    """float32 (N, D); (0, 0) when nothing was added."""

    @property
    def empty(self) -> bool:
        return not (len(self.removed_ids) or len(self.added_ids))


@dataclass(frozen=True)
class Unenrollment:
    """Outcome of :meth:`FaceDatabase.unenroll`."""

    removed_ids_by_model: Mapping[str, tuple[int, ...]]
    revisions: Mapping[str, int]  # only the models that lost embeddings

    @property
    def removed_count(self) -> int:
        return sum(len(ids) for ids in self.removed_ids_by_model.values())


@dataclass(frozen=True)
class Renaming:
    """Outcome of :meth:`FaceDatabase.rename_person`: the embeddings that now carry the new name."""

    ids_by_model: Mapping[str, tuple[int, ...]]
    revisions: Mapping[str, int]


@dataclass(frozen=True)
class PhotoRecord:
    """One enrolled photo of a person (an embedding row, without its vector)."""

    embedding_id: int
    model_id: str
    source_path: str | None
    enrolled_at: str


MAX_PERSON_NAME_LENGTH = 100
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
"""Control characters and line/paragraph separators: a name is one line in every table, CSV and log."""
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides and isolates would let a name display as another (trojan-source style)."""
_INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad\u180e")
"""Zero-width space, word joiner, byte-order mark, soft hyphen, Mongolian vowel separator: "oba\u200bma" shows
as obama, a second person of the same look (often pasted from a web page). The zero-width joiner and
non-joiner stay: Persian and Indic names need them."""


def normalize_person_name(name: str) -> str:
    """Canonical form of a person's name, or ValueError if it is unusable.

    NFC makes a name typed on macOS (decomposed accents) and on Windows
    (composed) the same person.
    """
    if not isinstance(name, str):
        raise ValueError(f"person name must be a string, got {type(name).__name__}")
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise ValueError("person name must not be empty or only whitespace")
    if any(unicodedata.category(ch) in _FORBIDDEN_NAME_CATEGORIES or ch in _BIDI_CONTROLS for ch in cleaned):
        raise ValueError(f"person name must not contain control characters or line breaks: {cleaned!r}")
    if len(cleaned) > MAX_PERSON_NAME_LENGTH:
        raise ValueError(f"person name is longer than {MAX_PERSON_NAME_LENGTH} characters")
    return cleaned


def new_person_name(name: str) -> str:
    """``normalize_person_name`` for a name a face is enrolled under or a person is renamed to: one with an
    invisible character is refused too. Looking a person up (remove, photos, rename from) takes any name
    stored before this rule, so such a person can still be renamed or removed."""
    cleaned = normalize_person_name(name)
    invisible = sorted({f"U+{ord(ch):04X}" for ch in cleaned if ch in _INVISIBLE})
    if invisible:
        raise ValueError(f"person name must not contain invisible characters ({', '.join(invisible)}): "
                         f"{cleaned!r}; type it again rather than pasting it")
    return cleaned


def local_timestamp() -> str:
    """ISO 8601 local time with UTC offset, e.g. 2024-05-01T09:30:00+02:00."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _vector_to_blob(vector: np.ndarray) -> tuple[bytes, int]:
    import numpy as np

    array = np.asarray(vector)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"embedding must be a non-empty 1-D vector, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"embedding must be numeric, got dtype {array.dtype}")
    as_float32 = array.astype(VECTOR_DTYPE)
    if not np.all(np.isfinite(as_float32)):
        raise ValueError("embedding contains NaN or infinite values")
    return as_float32.tobytes(), int(as_float32.shape[0])


class FaceDatabase(DatabaseConnection):
    """People and embeddings in one SQLite file or one PostgreSQL database.

    ``location`` is the SQLite file's path, or a ``postgresql://`` URL.  One
    connection, shared between threads and serialised by a lock: a GUI worker
    thread reads while the GUI thread enrolls.  Other processes (the CLI,
    other stations) may use the same database concurrently; SQLite's WAL
    locking and busy timeout, or PostgreSQL's row locks, arbitrate.
    """

    @staticmethod
    def _lock_model(conn: Backend, model_id: str) -> int:
        """The model's revision, its row locked until commit (PostgreSQL; SQLite locks the file).

        So writers of one model commit their revisions in order: a station
        that has read revision N has seen every write up to N.
        """
        conn.execute("INSERT INTO model_revisions (model_id, revision) VALUES (?, 0) "
                     "ON CONFLICT (model_id) DO NOTHING", (model_id,))
        row = conn.execute("SELECT revision FROM model_revisions WHERE model_id = ?" + conn.lock_row_suffix(),
                           (model_id,)).fetchone()
        return int(row[0])

    @staticmethod
    def _bump_revision(conn: Backend, model_id: str) -> int:
        row = conn.execute("UPDATE model_revisions SET revision = revision + 1 WHERE model_id = ? RETURNING revision",
                           (model_id,)).fetchone()
        return int(row[0])

    @staticmethod
    def _log_changes(conn: Backend, model_id: str, revision: int, embedding_ids: list[int], added: bool) -> None:
        conn.executemany(
            "INSERT INTO embedding_changes (model_id, revision, embedding_id, added) VALUES (?, ?, ?, ?)",
            [(model_id, revision, embedding_id, int(added)) for embedding_id in embedding_ids],
        )

    # -- writes --------------------------------------------------------------

    def enroll(
        self,
        name: str,
        vector: np.ndarray,
        model_id: str,
        source_path: str | None,
        source_sha256: str | None,
        expected_revision: int | None = None,
    ) -> Enrollment:
        """Add one embedding (and the person if new) in a single transaction.

        Idempotent per (model_id, source_sha256, person): enrolling the same
        photo of the same person twice returns the existing row. With
        ``expected_revision``, RevisionMoved and nothing written when the
        model is at another revision once its row is locked: what the caller
        checked the face against is no longer the whole database.
        """
        name = new_person_name(name)
        if not model_id:
            raise ValueError("model_id must not be empty")
        blob, dim = _vector_to_blob(vector)
        source_path = None if source_path is None else str(source_path)
        now = local_timestamp()

        with self._write_transaction() as conn:
            # First, so concurrent enrollments of one model queue here.
            current_revision = self._lock_model(conn, model_id)
            if expected_revision is not None and current_revision != expected_revision:
                raise RevisionMoved(model_id)
            existing_dim = conn.execute(
                "SELECT dim FROM embeddings WHERE model_id = ? LIMIT 1", (model_id,)
            ).fetchone()
            if existing_dim is not None and existing_dim[0] != dim:
                raise ValueError(
                    f"embedding has {dim} dimensions but model {model_id!r} "
                    f"already has {existing_dim[0]}-dimensional embeddings"
                )
            conn.execute(
                "INSERT INTO people (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, now),
            )
            person_id = conn.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()[0]
            if source_sha256 is not None:
                duplicate = conn.execute(
                    "SELECT id FROM embeddings "
                    "WHERE model_id = ? AND source_sha256 = ? AND person_id = ?",
                    (model_id, source_sha256, person_id),
                ).fetchone()
                if duplicate is not None:
                    return Enrollment(int(duplicate[0]), False, current_revision)
            embedding_id = int(conn.execute(
                "INSERT INTO embeddings (person_id, model_id, dim, vector, source_path, "
                "source_sha256, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (person_id, model_id, dim, blob, source_path, source_sha256, now),
            ).fetchone()[0])
            revision = self._bump_revision(conn, model_id)
            self._log_changes(conn, model_id, revision, [embedding_id], added=True)
        return Enrollment(embedding_id, True, revision)

    def add_embedding(
        self,
        name: str,
        vector: np.ndarray,
        model_id: str,
        source_path: str | None,
        source_sha256: str | None,
    ) -> int:
        """Like :meth:`enroll`, returning only the embedding id."""
        return self.enroll(name, vector, model_id, source_path, source_sha256).embedding_id

    def unenroll(self, name: str) -> Unenrollment:
        """Delete a person and all their embeddings, for every model.

        A name nobody could have been enrolled under (empty, whitespace)
        simply matches nobody.
        """
        if not isinstance(name, str):
            raise TypeError(f"person name must be a string, got {type(name).__name__}")
        try:
            name = normalize_person_name(name)
        except ValueError:
            return Unenrollment(removed_ids_by_model={}, revisions={})
        with self._write_transaction() as conn:
            models = [row[0] for row in conn.execute(
                "SELECT DISTINCT e.model_id FROM embeddings e JOIN people p ON p.id = e.person_id WHERE p.name = ?",
                (name,)).fetchall()]
            for model_id in sorted(models):  # one order everywhere: two removals cannot deadlock
                self._lock_model(conn, model_id)
            rows = conn.execute(
                "SELECT e.model_id, e.id FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? ORDER BY e.id",
                (name,),
            ).fetchall()
            removed: dict[str, list[int]] = {}
            for model_id, embedding_id in rows:
                removed.setdefault(model_id, []).append(int(embedding_id))
            # Embeddings go with the person through ON DELETE CASCADE.
            conn.execute("DELETE FROM people WHERE name = ?", (name,))
            revisions = {}
            for model_id in sorted(removed):
                revisions[model_id] = self._bump_revision(conn, model_id)
                self._log_changes(conn, model_id, revisions[model_id], removed[model_id], added=False)
        return Unenrollment(
            removed_ids_by_model={model: tuple(ids) for model, ids in removed.items()},
            revisions=revisions,
        )

    def erase_all(self) -> int:
        """Delete every person, embedding, check-in, sighting and unknown face; returns people deleted.

        For a shared database, whose file cannot simply be removed: each model's removals are
        logged, so every station's index drops them within one poll.  The admin PIN stays.
        """
        with self._write_transaction() as conn:
            models = [row[0] for row in conn.execute("SELECT DISTINCT model_id FROM embeddings").fetchall()]
            for model_id in sorted(models):
                self._lock_model(conn, model_id)
                ids = [int(row[0]) for row in conn.execute(
                    "SELECT id FROM embeddings WHERE model_id = ?", (model_id,)).fetchall()]
                self._log_changes(conn, model_id, self._bump_revision(conn, model_id), ids, added=False)
            people = conn.execute("DELETE FROM people").rowcount  # embeddings and attendance cascade
            conn.execute("DELETE FROM unknown_faces")
            conn.execute("DELETE FROM applied_batches")
        return int(people)

    def remove_person(self, name: str) -> int:
        """Delete a person; returns how many embeddings (all models) went with them."""
        return self.unenroll(name).removed_count

    def rename_person(self, old: str, new: str) -> Renaming:
        """Give a person a new name, keeping their embeddings, check-ins and sightings (they follow the row).

        KeyError when nobody is called ``old``; ValueError for an unusable new name or one already taken.
        Every model's embeddings of the person are logged as changed, so other stations' caches learn the
        new name from the change log.
        """
        old_name, new_name = normalize_person_name(old), new_person_name(new)
        with self._write_transaction() as conn:
            models = [row[0] for row in conn.execute(
                "SELECT DISTINCT e.model_id FROM embeddings e JOIN people p ON p.id = e.person_id WHERE p.name = ?",
                (old_name,)).fetchall()]
            for model_id in sorted(models):  # the same lock order as unenroll
                self._lock_model(conn, model_id)
            if conn.execute("SELECT 1 FROM people WHERE name = ?", (old_name,)).fetchone() is None:
                raise KeyError(old_name)
            if new_name == old_name:
                return Renaming(ids_by_model={}, revisions={})
            if conn.execute("SELECT 1 FROM people WHERE name = ?", (new_name,)).fetchone() is not None:
                raise ValueError(f"{new_name} is already enrolled")
            conn.execute("UPDATE people SET name = ? WHERE name = ?", (new_name, old_name))
            rows = conn.execute(
                "SELECT e.model_id, e.id FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? ORDER BY e.id", (new_name,)).fetchall()
            renamed: dict[str, list[int]] = {}
            for model_id, embedding_id in rows:
                renamed.setdefault(model_id, []).append(int(embedding_id))
            revisions = {}
            for model_id in sorted(renamed):
                revisions[model_id] = self._bump_revision(conn, model_id)
                # Logged as added again: a cache that holds the id takes the new name (Gallery._apply_changes_locked).
                self._log_changes(conn, model_id, revisions[model_id], renamed[model_id], added=True)
        return Renaming(ids_by_model={model: tuple(ids) for model, ids in renamed.items()}, revisions=revisions)

    def delete_embedding(self, embedding_id: int) -> tuple[str, int] | None:
        """Delete one enrolled photo (embedding); returns (its model, the model's new revision), or None if
        there was no such embedding."""
        with self._write_transaction() as conn:
            row = conn.execute("SELECT model_id FROM embeddings WHERE id = ?", (int(embedding_id),)).fetchone()
            if row is None:
                return None
            model_id = str(row[0])
            self._lock_model(conn, model_id)
            if conn.execute("DELETE FROM embeddings WHERE id = ? RETURNING id",
                            (int(embedding_id),)).fetchone() is None:
                return None
            revision = self._bump_revision(conn, model_id)
            self._log_changes(conn, model_id, revision, [int(embedding_id)], added=False)
        return model_id, revision

    # -- reads ---------------------------------------------------------------

    def has_source(self, model_id: str, sha256: str) -> bool:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM embeddings WHERE model_id = ? AND source_sha256 = ? LIMIT 1",
                (model_id, sha256),
            ).fetchone()
        return row is not None

    def people(self, model_id: str | None = None) -> list[PersonRecord]:
        """People with their embedding counts, sorted by name.

        With a model_id, only people enrolled for that model are listed and
        counts are for that model; with None, everyone, counting all models.
        """
        # "First enrolled" is the row with the smallest id rather than
        # MIN(enrolled_at): timestamps with different UTC offsets (DST) do not
        # sort chronologically as text, ids do.
        model_filter = "" if model_id is None else "WHERE model_id = ? "
        query = (
            "WITH counted AS (SELECT person_id, COUNT(*) AS n, MIN(id) AS first_id FROM embeddings "
            + model_filter + "GROUP BY person_id) "
            "SELECT p.id, p.name, COALESCE(c.n, 0), first.enrolled_at FROM people p "
            + ("LEFT JOIN" if model_id is None else "JOIN") + " counted c ON c.person_id = p.id "
            "LEFT JOIN embeddings first ON first.id = c.first_id"
        )
        params: tuple[str, ...] = () if model_id is None else (model_id,)
        with self._connection() as conn:
            rows = conn.execute(query, params).fetchall()
        records = [
            PersonRecord(name=name, embedding_count=int(count), first_enrolled_at=first_at, id=int(pid))
            for pid, name, count, first_at in rows
        ]
        records.sort(key=lambda record: (record.name.casefold(), record.name))
        return records

    def photos(self, name: str, model_id: str | None = None) -> list[PhotoRecord]:
        """The enrolled photos of a person (of one model, or all), oldest first; [] for nobody."""
        try:
            name = normalize_person_name(name)
        except ValueError:
            return []
        model_filter = "" if model_id is None else " AND e.model_id = ?"
        params: tuple[str, ...] = (name,) if model_id is None else (name, model_id)
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.id, e.model_id, e.source_path, e.enrolled_at FROM embeddings e "
                "JOIN people p ON p.id = e.person_id WHERE p.name = ?" + model_filter + " ORDER BY e.id",
                params).fetchall()
        return [PhotoRecord(int(i), str(m), None if path is None else str(path), str(at)) for i, m, path, at in rows]

    def first_source(self, name: str) -> str | None:
        """The source_path of the person's earliest embedding that has one (any model), or None.

        The desktop app makes a thumbnail from it for people enrolled with the CLI.
        """
        try:
            name = normalize_person_name(name)
        except ValueError:
            return None
        with self._connection() as conn:
            row = conn.execute(
                "SELECT e.source_path FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE p.name = ? AND e.source_path IS NOT NULL ORDER BY e.id LIMIT 1",
                (name,),
            ).fetchone()
        return None if row is None else str(row[0])

    def load_embeddings(self, model_id: str, after_id: int = 0,
                        person: str | None = None) -> tuple[np.ndarray, list[str], np.ndarray]:
        """The embeddings of a model with an id above ``after_id`` (all by default), of one ``person`` where
        given (nobody's for an unusable name), ordered by id.

        Returns (ids int64 (N,), names, vectors float32 (N, D)); with no
        embeddings the vectors array has shape (0, 0) since D is unknown.
        """
        person_filter = ""
        params: tuple[str | int, ...] = (model_id, after_id)
        if person is not None:
            try:
                person = normalize_person_name(person)
            except ValueError:
                person = ""
            person_filter, params = " AND p.name = ?", (*params, person)
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.id, p.name, e.dim, e.vector FROM embeddings e "
                "JOIN people p ON p.id = e.person_id WHERE e.model_id = ? AND e.id > ?" + person_filter +
                " ORDER BY e.id", params,
            ).fetchall()
        return _embedding_rows(model_id, rows)

    def changes_since(self, model_id: str, revision: int) -> ChangeSet | None:
        """What changed in the model's embeddings after ``revision``, read from one snapshot.

        None when the change log does not reach back that far (the database
        was upgraded from before the log existed): rebuild from
        :meth:`load_embeddings` instead.  An embedding added and removed
        again in between appears in neither list.
        """
        import numpy as np

        with self._read_transaction() as conn:
            row = conn.execute(
                "SELECT revision, changes_from FROM model_revisions WHERE model_id = ?", (model_id,)
            ).fetchone()
            current, changes_from = (0, 0) if row is None else (int(row[0]), int(row[1]))
            if current == revision:
                return ChangeSet(current, np.empty(0, np.int64), np.empty(0, np.int64), [],
                                 np.empty((0, 0), np.float32))
            if revision < changes_from or revision > current:
                return None
            changes = conn.execute(
                "SELECT embedding_id, added FROM embedding_changes "
                "WHERE model_id = ? AND revision > ? AND revision <= ? ORDER BY revision",
                (model_id, revision, current),
            ).fetchall()
            added_rows = conn.execute(
                "SELECT e.id, p.name, e.dim, e.vector FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE e.model_id = ? AND e.id IN (SELECT embedding_id FROM embedding_changes "
                "WHERE model_id = ? AND revision > ? AND revision <= ? AND added = 1) ORDER BY e.id",
                (model_id, model_id, revision, current),
            ).fetchall()
        final = {int(embedding_id): bool(added) for embedding_id, added in changes}
        removed = [embedding_id for embedding_id, added in final.items() if not added]
        ids, names, vectors = _embedding_rows(model_id, [r for r in added_rows if final.get(int(r[0]))])
        return ChangeSet(current, np.array(sorted(removed), dtype=np.int64), ids, names, vectors)

    def embedding_names(self, model_id: str) -> dict[int, str]:
        """{embedding id: person name} for a model, without loading vectors."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT e.id, p.name FROM embeddings e JOIN people p ON p.id = e.person_id "
                "WHERE e.model_id = ?",
                (model_id,),
            ).fetchall()
        return {int(embedding_id): name for embedding_id, name in rows}

    def embedding_dim(self, model_id: str) -> int | None:
        """Dimension of the model's stored embeddings, None if it has none."""
        dim = self._scalar("SELECT dim FROM embeddings WHERE model_id = ? LIMIT 1", (model_id,))
        return None if dim is None else int(dim)

    def embedding_count(self, model_id: str) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM embeddings WHERE model_id = ?", (model_id,)))

    def max_embedding_id(self, model_id: str) -> int:
        """Largest embedding id of the model; 0 when it has none (ids start at 1)."""
        return int(self._scalar("SELECT COALESCE(MAX(id), 0) FROM embeddings WHERE model_id = ?", (model_id,)))

    def revision(self, model_id: str) -> int:
        """Counter bumped by every write touching the model; 0 if never written."""
        return int(self._scalar("SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,), 0))

    def state(self, model_id: str) -> tuple[int, int]:
        """(revision, embedding count) of a model, read from one snapshot."""
        with self._read_transaction() as conn:
            revision_row = conn.execute(
                "SELECT revision FROM model_revisions WHERE model_id = ?", (model_id,)
            ).fetchone()
            count_row = conn.execute(
                "SELECT COUNT(*) FROM embeddings WHERE model_id = ?", (model_id,)
            ).fetchone()
        return (0 if revision_row is None else int(revision_row[0])), int(count_row[0])

    def __enter__(self) -> FaceDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _embedding_rows(model_id: str, rows: list) -> tuple[np.ndarray, list[str], np.ndarray]:
    import numpy as np

    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    names = [row[1] for row in rows]
    if not rows:
        return ids, names, np.empty((0, 0), dtype=np.float32)
    dims = {row[2] for row in rows}
    if len(dims) != 1:
        raise ValueError(f"model {model_id!r} has embeddings of mixed dimensions {sorted(dims)}")
    dim = dims.pop()
    flat = np.frombuffer(b"".join(bytes(row[3]) for row in rows), dtype=VECTOR_DTYPE)
    vectors = flat.reshape(len(rows), dim).astype(np.float32)  # native order, writable copy
    return ids, names, vectors
