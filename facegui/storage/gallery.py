"""The enrolled faces of one recognition model: database + search index.

The database (the SQLite file, or the shared PostgreSQL database) is the
source of truth; the faiss index is a cache kept in step with it through the
database's per-model revision counter and change log.  When the two disagree
(index missing, corrupt, or another process or station wrote to the
database) the index catches up with, or is rebuilt from, the database, which
is always safe.

Small galleries keep one exact index, saved after every write; large ones
switch to layers rebuilt in the background (see ``layered_index``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from ..files import atomic_write, make_private_dir
from .approximate_index import APPROXIMATE_INDEX_KIND, MIN_VECTORS, ApproximateIndex
from .backend import DatabaseUnavailable, StorageError
from .database import (DATABASE_FILE_NAME, ChangeSet, Enrollment, FaceDatabase, PersonRecord, PhotoRecord,
                       RevisionMoved, normalize_person_name)
from .layered_index import LayeredIndex, SearchIndex
from .vector_index import VectorIndex, index_kind_of, normalize_rows, remove_abandoned_temp_files, unit_query

log = logging.getLogger(__name__)

INDEX_DIR_NAME = "index"

# Above this many embeddings an exact scan takes over ~1.5 ms per face on a
# laptop core; see docs/benchmarks-gallery.md.
APPROXIMATE_SEARCH_THRESHOLD = 50_000
# Enrollments + removals collected in the exact delta and the tombstones
# before the approximate base is rebuilt in the background.  Searching a
# delta this size costs well under a millisecond.
REBUILD_AFTER_CHANGES = 10_000
# How often a station polls the shared database's change log; well under the 2 s
# in which an enrollment at one station must be recognised at the others.
SYNC_INTERVAL_S = 0.5
# How often a guarded enrollment looks again when other writers keep committing between its check and
# its write; enrollments are a person's pace, so more than a couple means something else is wrong.
GUARDED_ENROLL_ATTEMPTS = 5


class EnrollmentRefused(ValueError):
    """A guarded enrollment's check gave a reason against it (:meth:`Gallery.enroll`); nothing was written.
    ``reason`` is what the check returned, as it returned it; ``str()`` of it is the message."""

    def __init__(self, reason: object) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Match:
    name: str
    similarity: float  # cosine similarity in [-1, 1]
    embedding_id: int


def index_file_stem(model_id: str) -> str:
    """File-name-safe, collision-free stem for a model's index files.

    model ids contain ':' (illegal on Windows); the hash suffix keeps
    e.g. "a:b" and "a_b" apart after sanitising.
    """
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id).strip("._")[:64] or "model"
    digest = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


class GalleryCache:
    """The faiss index of one model as a cache of the database: which embedding ids it holds,
    under which names, at which database revision; opened, caught up, rebuilt and saved.

    Every method is called with the owning Gallery's lock held.  Also the owner of its
    LayeredIndex: the builder thread asks it whether ids are still live and to save.
    """

    def __init__(self, db: FaceDatabase, model_id: str, dim: int, index_path: Path,
                 approximate_search_threshold: int, rebuild_after_changes: int, lock: threading.RLock) -> None:
        self._db = db
        self.model_id = self.name = model_id
        self.dim = dim
        self.index_path = index_path
        self.approximate_search_threshold = approximate_search_threshold
        self._save_deferrals = 0
        self._save_pending = False
        self._closed = False
        self._index = LayeredIndex(dim, approximate_search_threshold, rebuild_after_changes, lock, self)
        self._names_by_id: dict[int, str] = {}
        self._revision = -1  # "never synced": differs from any database revision
        self._quiet_since: tuple[int | None, int] | None = None
        """(the database's commit counter, the cache's revision) when a look last found the two in step."""
        self._quiet_at = 0.0
        """time.monotonic() of that look."""

    def load_or_rebuild(self) -> None:
        revision, count = self._db.state(self.model_id)
        loaded = _load_saved_index(self.index_path)
        if loaded is None:
            log.info("No usable saved index for %s; rebuilding from the database", self.model_id)
            self.rebuild()
            return
        index, metadata = loaded
        if metadata.get("model_id") != self.model_id or index.dim != self.dim:
            log.info(
                "Rebuilding the index of %s: the saved one belongs to model %r dim %d",
                self.model_id, metadata.get("model_id"), index.dim,
            )
            self.rebuild()
            return
        names_by_id = self._db.embedding_names(self.model_id)
        index_ids = index.ids()
        up_to_date = (
            metadata.get("revision") == revision
            and len(index) == count
            and np.array_equal(np.sort(index_ids), np.sort(np.fromiter(names_by_id, np.int64, len(names_by_id))))
        )
        if isinstance(index, ApproximateIndex):
            # Worth keeping even when stale: catching up costs one database
            # read, rebuilding it a full index build.
            self._index.replace(index, frozen=True)
            self._names_by_id = dict.fromkeys(index_ids.tolist(), "")
            if up_to_date:
                self._names_by_id, self._revision = names_by_id, revision
            else:
                log.info("Catching the saved approximate index of %s up with the database", self.model_id)
                self.catch_up()
                # Save a current file in the background, so the next open
                # need not read every vector from the database again.
                self._index.maybe_start_build(force=True)
        elif up_to_date:
            self._index.replace(index, frozen=False)
            self._names_by_id, self._revision = names_by_id, revision
        else:
            log.info(
                "Rebuilding the index of %s: it is at revision %r with %d vectors, "
                "the database at revision %d with %d",
                self.model_id, metadata.get("revision"), len(index), revision, count,
            )
            self.rebuild()
            return
        self._index.maybe_start_build()

    def load_offline(self) -> bool:
        """Open from the saved index and names alone, the server being away; False if there are none.

        An id of the index without a saved name is left out (removed since): never a wrong name.
        Once the server answers, the change log since the index's revision is applied as usual.
        """
        loaded = _load_saved_index(self.index_path)
        names = _load_names(names_path(self.index_path), self.model_id)
        if loaded is None or names is None:
            return False
        index, metadata = loaded
        revision = metadata.get("revision")
        if metadata.get("model_id") != self.model_id or index.dim != self.dim or not isinstance(revision, int):
            return False
        index_ids = index.ids().tolist()
        frozen = isinstance(index, ApproximateIndex) or len(index) >= self.approximate_search_threshold
        self._index.replace(index, frozen=frozen)
        self._names_by_id = {i: names[i] for i in index_ids if i in names}
        unnamed = [i for i in index_ids if i not in names]
        if unnamed:
            self._index.remove(np.array(unnamed, dtype=np.int64))
        self._revision = revision
        return True

    def rebuild(self) -> None:
        """Replace every layer with an exact index of the whole database.

        Large galleries get an approximate index from a background build;
        until it is swapped in, search stays exact (slower, never wrong).
        """
        # Read the revision *before* the data: if a write lands in between,
        # the index may hold newer data under an older revision, which only
        # causes one more catch-up later, never a silently stale index.
        revision = self._db.revision(self.model_id)
        ids, names, vectors = self._db.load_embeddings(self.model_id)
        index = VectorIndex(self.dim)
        if len(ids):
            if vectors.shape[1] != self.dim:
                raise StorageError(
                    f"the database holds {vectors.shape[1]}-dimensional embeddings for model "
                    f"{self.model_id!r}, but this gallery was opened with dim={self.dim}"
                )
            index.add(ids, vectors)
        self._index.replace(index, frozen=len(index) >= self.approximate_search_threshold)
        self._names_by_id = dict(zip(ids.tolist(), names))
        self._revision = revision
        self.after_write()

    def catch_up(self) -> None:
        """Apply what other writers changed in the database, without a full rebuild."""
        changes = self._db.changes_since(self.model_id, self._revision) if self._revision >= 0 else None
        if changes is None:
            self.reconcile()
        else:
            self.apply_changes(changes)

    def apply_changes(self, changes: ChangeSet) -> None:
        """Follow the change log: remove and add only the embeddings that changed."""
        removed = changes.removed_ids[np.isin(changes.removed_ids, list(self._names_by_id))]
        if len(removed):
            self.remove_ids(removed)
        fresh = np.array([i not in self._names_by_id for i in changes.added_ids.tolist()], dtype=bool)
        # An id we hold logged as added again was renamed: same vector, new name.
        renamed = {i: n for i, n, known in zip(changes.added_ids.tolist(), changes.added_names, ~fresh) if known}
        self._names_by_id.update(renamed)
        if fresh.any():
            self.add(changes.added_ids[fresh], [n for n, keep in zip(changes.added_names, fresh) if keep],
                             normalize_rows(changes.added_vectors[fresh], self.dim))
        self._revision = changes.revision
        if len(removed) or fresh.any() or renamed:
            self.after_write()

    def reconcile(self) -> None:
        """Catch up by comparing every id with the database (when the change log cannot tell)."""
        revision = self._db.revision(self.model_id)
        database_names = self._db.embedding_names(self.model_id)
        removed = set(self._names_by_id).difference(database_names)
        added = set(database_names).difference(self._names_by_id)
        if removed:
            self.remove_ids(np.fromiter(removed, np.int64, len(removed)))
        if added:
            # Ids only grow, so what another writer added is (nearly always) at the end: read only that.
            ids, names, vectors = self._db.load_embeddings(self.model_id, after_id=min(added) - 1)
            wanted = np.isin(ids, np.fromiter(added, np.int64, len(added)))
            self.add(ids[wanted], [name for name, keep in zip(names, wanted) if keep], vectors[wanted])
        # Fills in the names of a base loaded from disk, known only by id.
        self._names_by_id = {
            embedding_id: database_names.get(embedding_id, name)
            for embedding_id, name in self._names_by_id.items()
        }
        self._revision = revision
        self.after_write()

    def sync_with_database(self, trusted_for_s: float = 0.0) -> None:
        """Catch up when another connection has committed since the last look. With ``trusted_for_s``, a look
        that found the cache in step less than that long ago, with no write of ours since, is taken as still
        true: a search asks on every frame, and a change written by another process may wait as long as a
        shared database's poll would (asking SQLite cost a third of a frame's search)."""
        if trusted_for_s and self._quiet_since is not None and self._quiet_since[1] == self._revision \
                and time.monotonic() - self._quiet_at < trusted_for_s:
            return
        # A local file says cheaply whether another connection has committed since the last look; while
        # none has and the cache is still where that look left it, the revision cannot have moved.
        commits = self._db.commit_counter()
        if commits is not None and self._quiet_since == (commits, self._revision):
            self._quiet_at = time.monotonic()
            return
        revision = self._db.revision(self.model_id)
        if revision != self._revision:
            log.info(
                "Database of %s changed elsewhere (revision %d -> %d); catching up",
                self.model_id, self._revision, revision,
            )
            self.catch_up()
        self._quiet_since = (commits, revision) if self._revision == revision else None
        self._quiet_at = time.monotonic()

    def add(self, ids: np.ndarray, names: list[str], unit_vectors: np.ndarray) -> None:
        self._index.add(ids, unit_vectors)
        self._names_by_id.update(zip(np.asarray(ids).tolist(), names))

    def rename_ids(self, ids: tuple[int, ...], name: str) -> None:
        self._names_by_id.update(dict.fromkeys(ids, name))

    def remove_ids(self, ids: np.ndarray) -> None:
        self._index.remove(ids)
        for embedding_id in ids.tolist():
            self._names_by_id.pop(embedding_id, None)

    def after_write(self) -> None:
        if not self._index.frozen:
            self.save()
        self._index.maybe_start_build()

    def save(self) -> None:
        if self._index.frozen:
            # Layered: only the background builder saves, whole snapshots.
            self._save_pending = False
            return
        if self._save_deferrals:
            self._save_pending = True
            return
        self._save_pending = False
        self.save_index(self._index.base, self._revision)

    # -- what the layered index asks of its owner ------------------------------

    def save_index(self, index: SearchIndex, revision: int) -> None:
        try:
            index.save(self.index_path, {"model_id": self.model_id, "revision": revision})
            if self._db.remote:
                # Names too, so that a station whose server is away at start-up still names faces.
                names = dict(self._names_by_id)  # one C-level copy: safe from the builder thread
                atomic_write(names_path(self.index_path), json.dumps(
                    {"model_id": self.model_id, "names": list(names.items())}, ensure_ascii=False).encode("utf-8"))
        except OSError as error:
            # The saved index is only a cache: the next open sees it is stale
            # and catches up, so a full disk must not fail an enrollment that
            # the database already committed.
            log.warning("Could not save the index %s: %s", self.index_path, error)

    def is_live(self, embedding_id: int) -> bool:
        return embedding_id in self._names_by_id

    def current_revision(self) -> int:
        return self._revision

    def exact_index_changed(self) -> None:
        self.save()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- what the Gallery reads and changes ---------------------------------------

    @property
    def revision(self) -> int:
        return self._revision

    def advance(self, revision: int) -> None:
        """Our own write was the only one since the last sync: the cache is now at ``revision``."""
        self._revision = revision
        self.after_write()

    def search(self, unit_queries: np.ndarray, k: int) -> list[list[Match]]:
        similarities, ids = self._index.search(unit_queries, k)
        names_by_id = self._names_by_id
        # Float rounding can put a perfect match at 1.0000001 (clipped here, in Python: a handful of values).
        return [
            [
                Match(names_by_id[embedding_id], min(1.0, max(-1.0, similarity)), embedding_id)
                for similarity, embedding_id in zip(row_similarities, row_ids)
                if embedding_id != -1
            ]
            for row_similarities, row_ids in zip(similarities.tolist(), ids.tolist())
        ]

    def names(self) -> dict[int, str]:
        return dict(self._names_by_id)

    def __len__(self) -> int:
        return len(self._names_by_id)

    @property
    def is_approximate(self) -> bool:
        return self._index.is_approximate

    @property
    def is_rebuilding(self) -> bool:
        return self._index.is_rebuilding

    def defer_saves(self) -> None:
        self._save_deferrals += 1

    def resume_saves(self) -> None:
        self._save_deferrals -= 1
        if not self._save_deferrals and self._save_pending and not self._closed:
            self.save()

    def mark_closed(self) -> None:
        self._closed = True

    def stop_building(self) -> None:
        """Wait for a background build to end (call without the lock)."""
        self._index.stop()

    def flush(self) -> None:
        if self._save_pending:
            self._save_deferrals = 0
            self.save()


class Gallery:
    """Enroll, remove and search faces for one model_id.

    Thread-safe: a worker thread may search while the GUI thread enrolls.
    Other processes may write the same database.  With a local file their
    changes are noticed by the next write or listing, and by a search at most
    ``sync_interval_s`` after the last look (one cheap query of SQLite's commit
    counter); with a shared server a thread reads the change log every
    ``sync_interval_s``, so a search never waits on the network.  Either way
    only what changed is read.
    """

    def __init__(
        self,
        data_dir: Path,
        model_id: str,
        dim: int,
        approximate_search_threshold: int = APPROXIMATE_SEARCH_THRESHOLD,
        rebuild_after_changes: int = REBUILD_AFTER_CHANGES,
        database_url: str = "",
        sync_interval_s: float = SYNC_INTERVAL_S,
    ) -> None:
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError("model_id must be a non-empty string")
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim <= 0:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        if approximate_search_threshold < MIN_VECTORS:
            raise ValueError(f"approximate_search_threshold must be at least {MIN_VECTORS}")
        if rebuild_after_changes < 1:
            raise ValueError("rebuild_after_changes must be at least 1")
        self.data_dir = Path(data_dir)
        self.model_id = model_id
        self.dim = int(dim)
        self.approximate_search_threshold = int(approximate_search_threshold)
        self.rebuild_after_changes = int(rebuild_after_changes)
        index_dir = self.data_dir / INDEX_DIR_NAME
        try:
            # Face embeddings are biometric personal data: owner-only folders.
            make_private_dir(self.data_dir)
            make_private_dir(index_dir)
        except OSError as error:
            raise StorageError(f"cannot create the data folder {index_dir}: {error.strerror or error}") from error
        self.index_path = index_dir / f"{index_file_stem(model_id)}.faiss"
        remove_abandoned_temp_files(self.index_path)

        self._lock = threading.RLock()
        self._closed = False
        # A station whose server is away at start-up opens from its saved index (below).
        self._db = FaceDatabase(database_url or self.data_dir / DATABASE_FILE_NAME, start_offline=True)
        self._cache = GalleryCache(self._db, model_id, self.dim, self.index_path, self.approximate_search_threshold,
                                   self.rebuild_after_changes, self._lock)
        self.sync_interval_s = float(sync_interval_s)
        self._poller: threading.Thread | None = None
        self._stop_polling = threading.Event()
        try:
            try:
                stored_dim = self._db.embedding_dim(model_id)
                if stored_dim is not None and stored_dim != self.dim:
                    raise StorageError(
                        f"the database holds {stored_dim}-dimensional embeddings for model "
                        f"{model_id!r}, but this gallery was opened with dim={self.dim}"
                    )
                with self._lock:
                    self._cache.load_or_rebuild()
            except DatabaseUnavailable:
                with self._lock:
                    if not self._cache.load_offline():
                        raise
                log.warning("Recognising from the saved index of %s until %s answers (%s)", model_id,
                            self._db.description, self._db.last_error)
            if self._db.remote:
                # Searches never wait on the network: a thread follows the server's change log.
                self._poller = threading.Thread(target=self._poll_changes, daemon=True,
                                                name=f"gallery sync ({model_id})")
                self._poller.start()
        except BaseException:
            self._cache.stop_building()
            self._db.close()
            raise

    @property
    def revision(self) -> int:
        """The database revision the index is at: it moves with every enrollment, removal or rename seen
        (this process's at once, another's at its next search or poll); read without touching the database."""
        with self._lock:
            return self._cache.revision

    @property
    def is_approximate(self) -> bool:
        """Whether searches currently go through an approximate index."""
        with self._lock:
            return self._cache.is_approximate

    @property
    def is_rebuilding(self) -> bool:
        """Whether a background thread is building the next index."""
        with self._lock:
            return self._cache.is_rebuilding

    # -- following the database ------------------------------------------------

    def sync(self) -> bool:
        """Catch up with the database now; returns whether anything changed.

        The network read happens outside the lock, so searches go on meanwhile.
        """
        with self._lock:
            revision = self._cache.revision
        if revision < 0:
            return False
        changes = self._db.changes_since(self.model_id, revision)
        with self._lock:
            if self._closed or self._cache.revision != revision:
                return False  # a write of ours (or another sync) got there first; the next poll sees the rest
            if changes is None:
                self._cache.reconcile()
                return True
            if changes.revision == revision:
                return False
            self._cache.apply_changes(changes)
            return True

    def _poll_changes(self) -> None:
        while not self._stop_polling.wait(self.sync_interval_s):
            try:
                self.sync()
            except StorageError:
                pass  # offline: search goes on from the cache; the database notes the state
            except Exception:
                log.exception("Following the database's changes failed; retrying")

    @property
    def online(self) -> bool:
        """Whether the last use of the database succeeded (always True for a local file)."""
        return self._db.online

    def _prepare_vector(self, vector: np.ndarray) -> np.ndarray:
        array = np.asarray(vector)
        if array.shape != (self.dim,):
            raise ValueError(f"expected an embedding of shape ({self.dim},), got {array.shape}")
        return normalize_rows(array.reshape(1, self.dim), self.dim)[0]

    # -- public API ----------------------------------------------------------

    def enroll(
        self,
        name: str,
        vector: np.ndarray,
        source_path: str | None = None,
        source_sha256: str | None = None,
        refuse: Callable[[], object | None] | None = None,
    ) -> int:
        """Store one embedding of `name`; returns its embedding id.

        The database commit comes first, so once this returns the enrollment
        survives a crash even if the index save below does not.  Enrolling
        the same source (sha256) for the same person again is a no-op that
        returns the existing id.

        ``refuse`` (the service's rules of one face, one name) is asked once this gallery
        has caught up with the database, and asked again whenever another
        station or process commits to this model between that look and the
        write, so its answer holds for the database as written, not for a
        cache a poll behind; a reason raises EnrollmentRefused, nothing written.
        """
        name = normalize_person_name(name)
        unit_vector = self._prepare_vector(vector)
        with self._lock:
            for _attempt in range(GUARDED_ENROLL_ATTEMPTS if refuse is not None else 1):
                self._cache.sync_with_database()
                reason = refuse() if refuse is not None else None
                if reason:
                    raise EnrollmentRefused(reason)
                try:
                    result = self._db.enroll(name, unit_vector, self.model_id, source_path, source_sha256,
                                             None if refuse is None else self._cache.revision)
                except RevisionMoved:
                    continue  # another writer committed after the check: look again with what it wrote
                return self._after_enrollment(result, name, unit_vector)
            raise StorageError(f"could not enroll {name}: other stations kept enrolling faces of this model "
                               f"between its check and its write ({GUARDED_ENROLL_ATTEMPTS} tries); try again")

    def _after_enrollment(self, result: Enrollment, name: str, unit_vector: np.ndarray) -> int:
        """The cache brought to ``result``'s revision (the lock held); the embedding id."""
        if not result.created:
            if result.revision != self._cache.revision:
                self._cache.catch_up()
            return result.embedding_id
        if result.revision == self._cache.revision + 1:
            self._cache.add(np.array([result.embedding_id]), [name], unit_vector[np.newaxis])
            self._cache.advance(result.revision)
        else:
            # Another writer committed between our sync and our write.
            self._cache.catch_up()
        return result.embedding_id

    def is_enrolled(self, sha256: str) -> bool:
        """Whether a source with this sha256 is enrolled (anyone) for this model."""
        return self._db.has_source(self.model_id, sha256)

    def remove(self, name: str) -> int:
        """Delete a person entirely; returns embeddings removed across all models."""
        with self._lock:
            self._cache.sync_with_database()
            result = self._db.unenroll(name)
            removed_here = result.removed_ids_by_model.get(self.model_id, ())
            if removed_here:
                if result.revisions[self.model_id] == self._cache.revision + 1:
                    self._cache.remove_ids(np.array(removed_here, dtype=np.int64))
                    self._cache.advance(result.revisions[self.model_id])
                else:
                    self._cache.catch_up()
            return result.removed_count

    def rename(self, old: str, new: str) -> int:
        """Give a person a new name (see :meth:`FaceDatabase.rename_person`); returns their embeddings of this
        model, which now match under the new name."""
        with self._lock:
            self._cache.sync_with_database()
            result = self._db.rename_person(old, new)
            renamed_here = result.ids_by_model.get(self.model_id, ())
            if renamed_here:
                if result.revisions[self.model_id] == self._cache.revision + 1:
                    self._cache.rename_ids(renamed_here, normalize_person_name(new))
                    self._cache.advance(result.revisions[self.model_id])
                else:
                    self._cache.catch_up()
            return len(renamed_here)

    def photos(self, name: str) -> list[PhotoRecord]:
        """The enrolled photos of a person for this model, oldest first."""
        return self._db.photos(name, self.model_id)

    def embeddings(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Every enrolled embedding of this model from the database: (ids int64 (N,), names, unit vectors
        float32 (N, D)), ordered by id."""
        ids, names, vectors = self._db.load_embeddings(self.model_id)
        return ids, names, vectors.reshape(-1, self.dim)

    def embeddings_of(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A person's enrolled embeddings of this model, read from the database, oldest first: (ids (N,), unit
        vectors (N, D)); N = 0 for nobody."""
        ids, _names, vectors = self._db.load_embeddings(self.model_id, person=name)
        return ids, vectors.reshape(-1, self.dim)

    def delete_photo(self, embedding_id: int) -> bool:
        """Delete one enrolled photo (embedding) of this model; False when there was none."""
        with self._lock:
            self._cache.sync_with_database()
            if not self._cache.is_live(int(embedding_id)):
                return False
            result = self._db.delete_embedding(embedding_id)
            if result is None:
                return False
            _model_id, revision = result
            if revision == self._cache.revision + 1:
                self._cache.remove_ids(np.array([int(embedding_id)], dtype=np.int64))
                self._cache.advance(revision)
            else:
                self._cache.catch_up()
            return True

    def search(self, vectors: np.ndarray, k: int = 1) -> list[list[Match]]:
        """Best k matches for each query embedding, most similar first.

        `vectors` is (M, D), or a single (D,) embedding treated as M=1.  A
        row's list is shorter than k when fewer embeddings are enrolled.
        """
        queries = np.asarray(vectors)
        if queries.ndim == 1:
            queries = queries.reshape(1, -1)
        unit_queries = unit_query(queries, self.dim)
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        with self._lock:
            if not self._db.remote:  # a local file is cheap to ask; a server is followed by the poller
                self._cache.sync_with_database(trusted_for_s=self.sync_interval_s)
            return self._cache.search(unit_queries, k)

    def people(self) -> list[PersonRecord]:
        """People enrolled for this model, with their embedding counts."""
        return self._db.people(self.model_id)

    def names_by_id(self) -> dict[int, str]:
        """{embedding id: person name} for this model (a copy)."""
        with self._lock:
            return self._cache.names()

    def rebuild(self) -> None:
        """Rebuild the index from the database.

        Small galleries are rebuilt and saved before this returns; large
        ones search exactly until the background build of their approximate
        index is swapped in (see :attr:`is_rebuilding`).
        """
        with self._lock:
            self._cache.rebuild()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Defer index saves until the block ends, for bulk enrollment.

        Saving rewrites the whole index, so enrolling N faces one by one
        costs O(N^2) disk writes; inside a batch it is one save.  Every
        enrollment is still its own database transaction.
        """
        with self._lock:
            self._cache.defer_saves()
        try:
            yield
        finally:
            with self._lock:
                self._cache.resume_saves()

    def export_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors float32 (N, D), names str (N,)) ordered by embedding id.

        For the seed-compatible face_encoding.npy / face_name.npy files; the
        names array has a Unicode dtype so np.load needs no pickle.
        """
        _ids, names, vectors = self.embeddings()
        return vectors, np.array(names, dtype=str)

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    def close(self) -> None:
        """Stop any background build (it is redone on the next open) and close the database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cache.mark_closed()
        self._stop_polling.set()
        if self._poller is not None:
            self._poller.join()
        self._cache.stop_building()
        with self._lock:
            self._cache.flush()
            self._db.close()

    def __enter__(self) -> Gallery:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def names_path(index_path: Path) -> Path:
    return Path(index_path).with_suffix(".names.json")


def _load_names(path: Path, model_id: str) -> dict[int, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["model_id"] != model_id:
            return None
        return {int(embedding_id): str(name) for embedding_id, name in data["names"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _load_saved_index(path: Path) -> tuple[SearchIndex, dict] | None:
    if index_kind_of(path) == APPROXIMATE_INDEX_KIND:
        return ApproximateIndex.load(path)
    return VectorIndex.load(path)
