"""The enrolled faces of one recognition model: database + search index.

The SQLite database is the source of truth; the faiss index is a cache kept
in step with it through the database's per-model revision counter.  When the
two disagree (index missing, corrupt, or another process wrote to the
database) the index is rebuilt from SQLite, which is always safe.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from .database import FaceDatabase, PersonRecord, StorageError, normalize_person_name
from .vector_index import VectorIndex, normalize_rows, remove_abandoned_temp_files

log = logging.getLogger(__name__)

DATABASE_FILE_NAME = "facegui.sqlite3"
INDEX_DIR_NAME = "index"


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


class Gallery:
    """Enroll, remove and search faces for one model_id.

    Thread-safe: a worker thread may search while the GUI thread enrolls.
    Other processes may write the same database; their changes are noticed
    on the next call (one cheap revision query) and trigger a rebuild.
    """

    def __init__(self, data_dir: Path, model_id: str, dim: int) -> None:
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError("model_id must be a non-empty string")
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim <= 0:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        self.data_dir = Path(data_dir)
        self.model_id = model_id
        self.dim = int(dim)
        index_dir = self.data_dir / INDEX_DIR_NAME
        try:
            # Face embeddings are biometric personal data: owner-only folders.
            os.makedirs(self.data_dir, mode=0o700, exist_ok=True)
            os.makedirs(index_dir, mode=0o700, exist_ok=True)
        except OSError as error:
            raise StorageError(f"cannot create the data folder {index_dir}: {error}") from error
        self.index_path = index_dir / f"{index_file_stem(model_id)}.faiss"
        remove_abandoned_temp_files(self.index_path)

        self._lock = threading.RLock()
        self._save_deferrals = 0
        self._save_pending = False
        self._closed = False
        self._index = VectorIndex(self.dim)
        self._names_by_id: dict[int, str] = {}
        self._revision = -1  # "never synced": differs from any database revision

        self._db = FaceDatabase(self.data_dir / DATABASE_FILE_NAME)
        try:
            stored_dim = self._db.embedding_dim(model_id)
            if stored_dim is not None and stored_dim != self.dim:
                raise StorageError(
                    f"the database holds {stored_dim}-dimensional embeddings for model "
                    f"{model_id!r}, but this gallery was opened with dim={self.dim}"
                )
            with self._lock:
                self._load_or_rebuild_locked()
        except BaseException:
            self._db.close()
            raise

    # -- index upkeep (call with self._lock held) ----------------------------

    def _load_or_rebuild_locked(self) -> None:
        revision, count = self._db.state(self.model_id)
        loaded = VectorIndex.load(self.index_path)
        if loaded is None:
            log.info("No usable saved index for %s; rebuilding from the database", self.model_id)
            self._rebuild_locked()
            return
        index, metadata = loaded
        stale_reason = None
        names_by_id: dict[int, str] = {}
        if metadata.get("model_id") != self.model_id or index.dim != self.dim:
            stale_reason = f"it belongs to model {metadata.get('model_id')!r} dim {index.dim}"
        elif metadata.get("revision") != revision or len(index) != count:
            stale_reason = (
                f"it is at revision {metadata.get('revision')!r} with {len(index)} vectors, "
                f"the database at revision {revision} with {count}"
            )
        else:
            names_by_id = self._db.embedding_names(self.model_id)
            if set(names_by_id) != set(index.ids().tolist()):
                stale_reason = "its ids differ from the database's"
        if stale_reason:
            log.info("Rebuilding the index of %s: %s", self.model_id, stale_reason)
            self._rebuild_locked()
            return
        self._index = index
        self._names_by_id = names_by_id
        self._revision = revision

    def _rebuild_locked(self) -> None:
        # Read the revision *before* the data: if a write lands in between,
        # the index may hold newer data under an older revision, which only
        # causes one more rebuild later, never a silently stale index.
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
        self._index = index
        self._names_by_id = dict(zip(ids.tolist(), names))
        self._revision = revision
        self._save_locked()

    def _sync_locked(self) -> None:
        revision = self._db.revision(self.model_id)
        if revision != self._revision:
            log.info(
                "Database of %s changed elsewhere (revision %d -> %d); rebuilding the index",
                self.model_id, self._revision, revision,
            )
            self._rebuild_locked()

    def _save_locked(self) -> None:
        if self._save_deferrals:
            self._save_pending = True
            return
        self._save_pending = False
        try:
            self._index.save(self.index_path, {"model_id": self.model_id, "revision": self._revision})
        except OSError as error:
            # The saved index is only a cache: the next open sees it is stale
            # and rebuilds, so a full disk must not fail an enrollment that
            # the database already committed.
            log.warning("Could not save the index %s: %s", self.index_path, error)

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
    ) -> int:
        """Store one embedding of `name`; returns its embedding id.

        The database commit comes first, so once this returns the enrollment
        survives a crash even if the index save below does not.  Enrolling
        the same source (sha256) for the same person again is a no-op that
        returns the existing id.
        """
        name = normalize_person_name(name)
        unit_vector = self._prepare_vector(vector)
        with self._lock:
            self._sync_locked()
            result = self._db.enroll(name, unit_vector, self.model_id, source_path, source_sha256)
            if not result.created:
                if result.revision != self._revision:
                    self._rebuild_locked()
                return result.embedding_id
            if result.revision == self._revision + 1:
                self._index.add([result.embedding_id], unit_vector[np.newaxis])
                self._names_by_id[result.embedding_id] = name
                self._revision = result.revision
                self._save_locked()
            else:
                # Another writer committed between our sync and our write.
                self._rebuild_locked()
            return result.embedding_id

    def is_enrolled(self, sha256: str) -> bool:
        """Whether a source with this sha256 is enrolled (anyone) for this model."""
        return self._db.has_source(self.model_id, sha256)

    def remove(self, name: str) -> int:
        """Delete a person entirely; returns embeddings removed across all models."""
        with self._lock:
            self._sync_locked()
            result = self._db.unenroll(name)
            removed_here = result.removed_ids_by_model.get(self.model_id, ())
            if removed_here:
                if result.revisions[self.model_id] == self._revision + 1:
                    self._index.remove(removed_here)
                    for embedding_id in removed_here:
                        self._names_by_id.pop(embedding_id, None)
                    self._revision = result.revisions[self.model_id]
                    self._save_locked()
                else:
                    self._rebuild_locked()
            return result.removed_count

    def search(self, vectors: np.ndarray, k: int = 1) -> list[list[Match]]:
        """Best k matches for each query embedding, most similar first.

        `vectors` is (M, D), or a single (D,) embedding treated as M=1.  A
        row's list is shorter than k when fewer embeddings are enrolled.
        """
        queries = np.asarray(vectors)
        if queries.ndim == 1:
            queries = queries.reshape(1, -1)
        unit_queries = normalize_rows(queries, self.dim)
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        with self._lock:
            self._sync_locked()
            similarities, ids = self._index.search(unit_queries, k)
            names_by_id = self._names_by_id
            # Float rounding can put a perfect match at 1.0000001.
            similarities = np.clip(similarities, -1.0, 1.0)
            return [
                [
                    Match(names_by_id[int(embedding_id)], float(similarity), int(embedding_id))
                    for similarity, embedding_id in zip(row_similarities, row_ids)
                    if embedding_id != -1
                ]
                for row_similarities, row_ids in zip(similarities, ids)
            ]

    def people(self) -> list[PersonRecord]:
        """People enrolled for this model, with their embedding counts."""
        return self._db.people(self.model_id)

    def names_by_id(self) -> dict[int, str]:
        """{embedding id: person name} for this model (a copy)."""
        with self._lock:
            return dict(self._names_by_id)

    def rebuild(self) -> None:
        """Rebuild the index from the database and save it."""
        with self._lock:
            self._rebuild_locked()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Defer index saves until the block ends, for bulk enrollment.

        Saving rewrites the whole index, so enrolling N faces one by one
        costs O(N^2) disk writes; inside a batch it is one save.  Every
        enrollment is still its own database transaction.
        """
        with self._lock:
            self._save_deferrals += 1
        try:
            yield
        finally:
            with self._lock:
                self._save_deferrals -= 1
                if not self._save_deferrals and self._save_pending and not self._closed:
                    self._save_locked()

    def export_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors float32 (N, D), names str (N,)) ordered by embedding id.

        For the seed-compatible face_encoding.npy / face_name.npy files; the
        names array has a Unicode dtype so np.load needs no pickle.
        """
        _ids, names, vectors = self._db.load_embeddings(self.model_id)
        if not names:
            return np.zeros((0, self.dim), dtype=np.float32), np.array([], dtype=str)
        return vectors, np.array(names, dtype=str)

    def __len__(self) -> int:
        with self._lock:
            return len(self._index)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._save_pending:
                self._save_deferrals = 0
                self._save_locked()
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
