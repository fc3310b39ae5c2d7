"""Approximate faiss index for large galleries: fast, immutable once built.

Inverted lists (IVF) pick the part of the gallery worth scanning, 4-bit
product-quantisation codes scanned with SIMD ("fast scan") pick a few
candidates there, and the candidates are re-ranked with their exact stored
vectors, so the similarities returned are exact cosines; only a match that
the scan misses entirely is lost.

Never changed after :func:`build_approximate_index`: the Gallery searches it
from one thread while a background thread reads it to build its successor.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .vector_index import flat_vectors_view, load_index_file, normalize_rows, one_search_thread, save_index_file

log = logging.getLogger(__name__)

APPROXIMATE_INDEX_KIND = "ivf_pq4fs_refine"

# Fraction of the inverted lists scanned per query.  Half is what random
# unit vectors (no cluster structure at all, the hardest case) need for
# recall@1 >= 0.99 against exact search at 1M; real embeddings cluster by
# person, so this errs on the safe side.  See docs/benchmarks-gallery.md.
PROBED_LIST_FRACTION = 0.5
# Few, large lists (small galleries) need a larger share; scanning this many
# costs little at any size.
MIN_PROBED_LISTS = 64
# Candidates re-ranked exactly per result asked for.
REFINE_FACTOR = 8
# faiss's k-means wants at least 39 training points per centroid.
TRAINING_POINTS_PER_LIST = 40
MIN_VECTORS = 1_000
ADD_CHUNK_ROWS = 65_536


class BuildCancelled(Exception):
    """The build was asked to stop (the gallery is closing or was reloaded)."""


def list_count_for(vector_count: int) -> int:
    """Number of inverted lists: about 2 sqrt(N), a power of two, enough training data."""
    target = 2 * math.sqrt(vector_count)
    trainable = vector_count // TRAINING_POINTS_PER_LIST
    return max(1, 2 ** round(math.log2(max(1.0, min(target, trainable)))))


def _subquantizer_count(dim: int) -> int:
    # Two dimensions per 4-bit code: the finest split fast scan offers, and
    # the exact re-ranking makes up for what coarser codes would lose.
    return dim // 2 if dim % 2 == 0 else dim


class ApproximateIndex:
    """Approximate inner-product search over unit vectors, keyed by embedding id."""

    def __init__(self, index: faiss.IndexIDMap2) -> None:
        self._index = index
        self._refine = faiss.downcast_index(index.index)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def list_count(self) -> int:
        return int(faiss.extract_index_ivf(self._index).nlist)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """int64 ids of all stored vectors, in the order of :meth:`vectors_view`."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def vectors_view(self) -> np.ndarray:
        """(N, dim) exact stored vectors, without a copy; valid while the index lives."""
        return flat_vectors_view(faiss.downcast_index(self._refine.refine_index))

    def search(self, queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`VectorIndex.search`: (similarities (M, k), ids (M, k)), -1/-inf when empty."""
        return self.search_unit(normalize_rows(queries, self.dim), k)

    def search_unit(self, unit_queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for rows ``normalize_rows`` already gave (see :meth:`VectorIndex.search_unit`)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        one_search_thread()
        similarities, ids = self._index.search(unit_queries, int(k))
        similarities = np.where(ids == -1, -np.inf, similarities).astype(np.float32)
        return similarities, ids.astype(np.int64)

    def save(self, path: Path, metadata: Mapping[str, Any]) -> None:
        save_index_file(path, self._index, APPROXIMATE_INDEX_KIND, len(self), metadata)

    @classmethod
    def load(cls, path: Path) -> tuple[ApproximateIndex, dict[str, Any]] | None:
        """(index, sidecar metadata), or None if missing, corrupt or of another kind."""
        loaded = load_index_file(path, APPROXIMATE_INDEX_KIND)
        if loaded is None:
            return None
        index, metadata = loaded
        refine = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else None
        if not (
            isinstance(refine, faiss.IndexRefineFlat)
            and isinstance(faiss.downcast_index(refine.base_index), faiss.IndexIVFPQFastScan)
        ):
            log.warning("Ignoring approximate index %s: unexpected index type", path)
            return None
        return cls(index), metadata


def build_approximate_index(
    dim: int,
    chunks: list[tuple[np.ndarray, np.ndarray]],
    excluded_ids: np.ndarray,
    cancel: threading.Event,
    seed: int = 0,
) -> ApproximateIndex:
    """Train and fill an index from (ids, unit vectors) chunks, leaving out `excluded_ids`.

    CPU-heavy: call it off the UI thread.  Chunks and exclusions rather than
    one array so the caller can hand over views of existing indexes instead
    of copying a whole large gallery first.  Raises BuildCancelled between
    steps once `cancel` is set.
    """
    stored = sum(len(ids) for ids, _vectors in chunks)
    total = stored - len(excluded_ids)
    if total < MIN_VECTORS:
        raise ValueError(f"an approximate index needs at least {MIN_VECTORS} vectors, got {total}")
    list_count = list_count_for(total)
    factory = f"IVF{list_count},PQ{_subquantizer_count(dim)}x4fs,RFlat"
    index = faiss.IndexIDMap2(faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT))
    index.train(_training_sample(chunks, stored, TRAINING_POINTS_PER_LIST * list_count, seed))
    for ids, vectors in chunks:
        for start in range(0, len(ids), ADD_CHUNK_ROWS):
            if cancel.is_set():
                raise BuildCancelled()
            stop = start + ADD_CHUNK_ROWS
            kept = ~np.isin(ids[start:stop], excluded_ids)
            index.add_with_ids(
                np.ascontiguousarray(vectors[start:stop][kept], dtype=np.float32),
                np.ascontiguousarray(ids[start:stop][kept], dtype=np.int64),
            )
    probed = max(MIN_PROBED_LISTS, round(list_count * PROBED_LIST_FRACTION))
    faiss.extract_index_ivf(index).nprobe = min(list_count, probed)
    faiss.downcast_index(index.index).k_factor = REFINE_FACTOR
    return ApproximateIndex(index)


def _training_sample(
    chunks: list[tuple[np.ndarray, np.ndarray]], total: int, wanted: int, seed: int
) -> np.ndarray:
    if wanted >= total:
        return np.concatenate([vectors for _ids, vectors in chunks]).astype(np.float32)
    picked = np.sort(np.random.default_rng(seed).choice(total, size=wanted, replace=False))
    parts, offset = [], 0
    for _ids, vectors in chunks:
        inside = picked[(picked >= offset) & (picked < offset + len(vectors))] - offset
        parts.append(vectors[inside])
        offset += len(vectors)
    return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
