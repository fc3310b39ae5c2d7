"""The search structure behind a Gallery: one exact index, or layers rebuilt in the background.

Small galleries use one exact index, changed in place.  From
``approximate_search_threshold`` embeddings on, a full scan costs
milliseconds per face, so the index switches to layers: an immutable
approximate base index, an exact "delta" of what was added since it was
built, and tombstones for what was removed since.  A background thread folds
the layers into a new base and swaps it in, so neither searches nor writes
ever wait for an index build.

The owner (the Gallery) serialises every call with its lock and hands the
same lock in; the builder thread takes it only to swap.  What to keep and
where to save it is the owner's business, through :class:`IndexOwner`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import numpy as np

from .approximate_index import ApproximateIndex, BuildCancelled, build_approximate_index
from .vector_index import VectorIndex

log = logging.getLogger(__name__)

# Extra results fetched beyond k when some ids are tombstoned, so that one
# search usually suffices even if the removed person is in front of the camera.
TOMBSTONE_FETCH_MARGIN = 16

SearchIndex = VectorIndex | ApproximateIndex


class IndexOwner(Protocol):
    name: str
    """For log lines and the builder thread's name."""

    def is_live(self, embedding_id: int) -> bool:
        """Whether the embedding is still enrolled (not removed while a build ran)."""
        ...

    def current_revision(self) -> int: ...

    def save_index(self, index: SearchIndex, revision: int) -> None:
        """Persist a built approximate index (called outside the lock)."""
        ...

    def exact_index_changed(self) -> None:
        """A build shrank the index back to one exact index: save it as usual (called with the lock)."""
        ...

    @property
    def closed(self) -> bool: ...


class LayeredIndex:
    def __init__(self, dim: int, approximate_search_threshold: int, rebuild_after_changes: int,
                 lock: threading.RLock, owner: IndexOwner) -> None:
        self.dim = dim
        self.approximate_search_threshold = approximate_search_threshold
        self.rebuild_after_changes = rebuild_after_changes
        self._lock = lock
        self._owner = owner
        # Exact mode: base is a flat index changed in place.  Layered mode
        # (frozen): base is never changed, so the builder thread may read
        # it without the lock; writes go to the delta and tombstones instead.
        self.base: SearchIndex = VectorIndex(dim)
        self.frozen = False
        self._delta = VectorIndex(dim)
        self._tombstones: set[int] = set()
        self._sorted_tombstones = np.empty(0, dtype=np.int64)
        # Bumped when the layers are replaced wholesale, so that a build
        # started from the old ones is thrown away instead of swapped in.
        self._generation = 0
        self._builder: threading.Thread | None = None
        self._cancel_build = threading.Event()

    # -- state (call with the lock held) ------------------------------------

    @property
    def is_approximate(self) -> bool:
        return isinstance(self.base, ApproximateIndex)

    @property
    def is_rebuilding(self) -> bool:
        return self._builder is not None

    def replace(self, index: SearchIndex, frozen: bool) -> None:
        """Throw every layer (and any running build) away for ``index``."""
        self._discard_running_build()
        self.base = index
        self.frozen = frozen
        self._delta = VectorIndex(self.dim)
        self._set_tombstones(set())

    def add(self, ids: np.ndarray, unit_vectors: np.ndarray) -> None:
        target = self._delta if self.frozen else self.base
        assert isinstance(target, VectorIndex), "an approximate base is always frozen"
        target.add(ids, unit_vectors)

    def remove(self, ids: np.ndarray) -> None:
        if self.frozen:
            in_delta = np.isin(ids, self._delta.ids())
            self._delta.remove(ids[in_delta])
            self._set_tombstones(self._tombstones.union(ids[~in_delta].tolist()))
        else:
            assert isinstance(self.base, VectorIndex), "an approximate base is always frozen"
            self.base.remove(ids)

    def _set_tombstones(self, tombstones: set[int]) -> None:
        self._tombstones = tombstones
        self._sorted_tombstones = np.sort(np.fromiter(tombstones, np.int64, len(tombstones)))

    def search(self, unit_queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if not self.frozen:
            return self.base.search_unit(unit_queries, k)
        similarities, ids = _search_excluding(self.base, unit_queries, k, self._sorted_tombstones)
        if len(self._delta):
            delta_similarities, delta_ids = self._delta.search_unit(unit_queries, k)
            similarities, ids = _best_k(
                np.concatenate([similarities, delta_similarities], axis=1),
                np.concatenate([ids, delta_ids], axis=1),
                k,
            )
        return similarities, ids

    # -- background builds ---------------------------------------------------

    def maybe_start_build(self, force: bool = False) -> None:
        if self._owner.closed or self._builder is not None:
            return
        if not self.frozen:
            if len(self.base) < self.approximate_search_threshold:
                return
            self.frozen = True
        elif not force and isinstance(self.base, ApproximateIndex) and (
            len(self._delta) + len(self._tombstones) < self.rebuild_after_changes
        ):
            return
        self._cancel_build = threading.Event()
        self._builder = threading.Thread(
            target=self._build_and_swap,
            args=(self._generation, self._owner.current_revision(), self.base, self._delta.ids(),
                  np.array(self._delta.vectors_view()), self._sorted_tombstones, self._cancel_build),
            name=f"gallery index build ({self._owner.name})",
            daemon=True,  # never keeps the app alive; the files it writes are atomic
        )
        self._builder.start()

    def _discard_running_build(self) -> None:
        self._cancel_build.set()
        self._builder = None
        self._generation += 1

    def _build_and_swap(
        self,
        generation: int,
        revision: int,
        base: SearchIndex,
        delta_ids: np.ndarray,
        delta_vectors: np.ndarray,
        tombstones: np.ndarray,
        cancel: threading.Event,
    ) -> None:
        """Builder thread: fold a snapshot of the layers into one new index.

        Reads only the snapshot (the frozen base and copies of the small
        layers), never the database, and takes the lock only to swap.
        """
        started = time.perf_counter()
        try:
            chunks = [(base.ids(), base.vectors_view()), (delta_ids, delta_vectors)]
            live_count = len(base) + len(delta_ids) - len(tombstones)
            if live_count >= self.approximate_search_threshold:
                built: SearchIndex = build_approximate_index(self.dim, chunks, tombstones, cancel)
            else:
                built = VectorIndex(self.dim)
                for ids, vectors in chunks:
                    kept = ~np.isin(ids, tombstones)
                    built.add(ids[kept], vectors[kept])
        except BuildCancelled:
            return
        except Exception:
            log.exception("Building the index of %s failed; search stays as it was", self._owner.name)
            with self._lock:
                if self._generation == generation:
                    self._builder = None
            return
        with self._lock:
            if cancel.is_set() or self._owner.closed or self._generation != generation:
                return
            self._swap_in(built, delta_ids, tombstones)
        log.info(
            "Built a %s index of %d embeddings for %s in %.1f s",
            type(built).__name__, len(built), self._owner.name, time.perf_counter() - started,
        )
        if isinstance(built, ApproximateIndex):
            # Outside the lock: writing hundreds of MB must not stall searches.
            # The file matches the snapshot, hence the snapshot's revision.
            self._owner.save_index(built, revision)
        with self._lock:
            if self._generation == generation and not self._owner.closed:
                self._builder = None
                self.maybe_start_build()

    def _swap_in(self, built: SearchIndex, built_delta_ids: np.ndarray, built_tombstones: np.ndarray) -> None:
        folded = set(built_delta_ids.tolist())
        # Removed while building: tombstoned base ids, and delta ids that the
        # delta dropped (so they never became tombstones) but the build kept.
        still_hidden = self._tombstones.difference(built_tombstones.tolist())
        still_hidden.update(i for i in folded if not self._owner.is_live(i))
        current_delta_ids = self._delta.ids()
        newer = ~np.isin(current_delta_ids, built_delta_ids)
        newer_vectors = np.array(self._delta.vectors_view()[newer])
        self.base = built
        self._delta = VectorIndex(self.dim)
        self._set_tombstones(set())
        if isinstance(built, VectorIndex):
            # Shrunk below the threshold: back to one exact index changed in place.
            self.frozen = False
            built.add(current_delta_ids[newer], newer_vectors)
            built.remove(np.fromiter(still_hidden, np.int64, len(still_hidden)))
            self._owner.exact_index_changed()
        else:
            self._delta.add(current_delta_ids[newer], newer_vectors)
            self._set_tombstones(still_hidden)

    def stop(self) -> None:
        """Cancel a running build and wait for its thread (call without the lock)."""
        with self._lock:
            self._cancel_build.set()
            builder = self._builder
        # Outside the lock: the builder takes it once more before it exits.
        if builder is not None:
            builder.join()


def _best_k(similarities: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar columns of each row (empty slots are -inf, so they sort last)."""
    order = np.argsort(-similarities, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(similarities, order, axis=1), np.take_along_axis(ids, order, axis=1)


def _search_excluding(
    index: SearchIndex, unit_queries: np.ndarray, k: int, excluded: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """index.search without the `excluded` ids, fetching more until k remain."""
    if not excluded.size:
        return index.search_unit(unit_queries, k)
    fetch = k + TOMBSTONE_FETCH_MARGIN
    while True:
        similarities, ids = index.search_unit(unit_queries, fetch)
        hidden = np.isin(ids, excluded)
        visible_per_row = ((ids != -1) & ~hidden).sum(axis=1)
        if (visible_per_row >= k).all() or fetch >= len(index):
            break
        fetch *= 4
    similarities = np.where(hidden, -np.inf, similarities).astype(np.float32)
    return _best_k(similarities, np.where(hidden, -1, ids), k)
