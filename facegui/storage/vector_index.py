"""Exact faiss index of face embeddings, and the persistence of all indexes.

An index is a cache of the database: it is saved next to a JSON sidecar
describing what it contains (including which kind of index it is), and
loading returns None instead of raising whenever the pair looks wrong, so
the caller rebuilds.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..files import atomic_write

log = logging.getLogger(__name__)


class _SearchThreads(threading.local):
    single = False


_search_threads = _SearchThreads()


def one_search_thread() -> None:
    """Make faiss search on the calling thread alone. A frame's search is of a face or a few: faiss's OpenMP
    team only adds wake-up cost and steals the cores onnxruntime needs for the next frame (68 ms vs 19 ms
    per exact search at 1M vectors, docs/benchmarks.md), and after every search its idle worker kept
    spinning for about 3.5 ms, a seventh of a core at 30 FPS. OpenMP's thread count is a setting of each
    thread, so it is made where the search runs (the camera's worker thread, not the importing one);
    a background index build keeps its thread's team."""
    if not _search_threads.single:
        faiss.omp_set_num_threads(1)
        _search_threads.single = True

# 2 added "index_kind"; older sidecars are refused, which only costs a rebuild.
SIDECAR_FORMAT_VERSION = 2
FLAT_INDEX_KIND = "flat"


def normalize_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """(N, dim) float32 copy with unit-length rows; ValueError on bad input."""
    array = np.asarray(vectors)
    if array.ndim != 2 or array.shape[1] != dim:
        raise ValueError(f"expected vectors of shape (N, {dim}), got {array.shape}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"vectors must be real numbers, got dtype {array.dtype}")
    # float64 so that large-but-finite float32 inputs cannot overflow the norm.
    as_float64 = array.astype(np.float64)
    # np.linalg.norm's own sum of squares (the same bits, in fewer calls: this runs once per frame and
    # search). A NaN or infinity anywhere in a row, or a row of zeros, leaves it non-finite or zero, so
    # the input is looked at more closely only then.
    squares = np.add.reduce(as_float64 * as_float64, axis=1, keepdims=True)
    if not (np.isfinite(squares).all() and squares.all()):
        if not np.all(np.isfinite(as_float64)):
            raise ValueError("vectors contain NaN or infinite values")
        if np.any(squares == 0):
            raise ValueError("vectors must not be all zeros (they cannot be normalised)")
    return np.ascontiguousarray(as_float64 / np.sqrt(squares), dtype=np.float32)


UNIT_LENGTH_TOLERANCE = 1e-5
"""A float32 query whose squared length is this close to 1 is searched as it is (the embedder's rows are within
about 1e-7 of it): normalising it again would change only its last bits."""


def unit_query(vectors: np.ndarray, dim: int) -> np.ndarray:
    """``normalize_rows`` for a search: one float32 row already of unit length (a face's embedding, searched on
    every frame) is returned as it is, not copied, with one dot product instead of a dozen numpy calls.
    What is stored is always normalised by ``normalize_rows``, so an index has the same bits however it
    was built."""
    if type(vectors) is np.ndarray and vectors.shape == (1, dim) and vectors.dtype == np.float32 \
            and vectors.flags.c_contiguous:
        row = vectors[0].astype(np.float64)  # float32's square of a large row would overflow, with a warning
        # A row with a NaN or an infinity, or of zeros, fails this and is refused by normalize_rows.
        if abs(float(np.dot(row, row)) - 1.0) <= UNIT_LENGTH_TOLERANCE:
            return vectors
    return normalize_rows(vectors, dim)


def sidecar_path(index_path: Path) -> Path:
    return Path(index_path).with_suffix(".json")


class VectorIndex:
    """Exact inner-product search over unit vectors, keyed by embedding id.

    Not thread-safe on its own; the Gallery serialises access to it.
    """

    def __init__(self, dim: int) -> None:
        if not isinstance(dim, (int, np.integer)) or dim <= 0:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        # Exact search: below the Gallery's approximate-search threshold a
        # flat scan is fast and approximate indexes would only lose recall.
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(int(dim)))
        self._ids: set[int] = set()

    @classmethod
    def _from_faiss(cls, index: faiss.IndexIDMap2) -> VectorIndex:
        wrapper = cls.__new__(cls)
        wrapper._index = index
        wrapper._ids = set(faiss.vector_to_array(index.id_map).tolist())
        return wrapper

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """int64 ids of all stored vectors, in insertion order."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def vectors_view(self) -> np.ndarray:
        """(N, dim) unit vectors in the order of :meth:`ids`, without a copy.

        Only valid while the index is neither changed nor freed.
        """
        return flat_vectors_view(faiss.downcast_index(self._index.index))

    def add(self, ids: Iterable[int] | np.ndarray, vectors: np.ndarray) -> None:
        id_array = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
        unit_vectors = normalize_rows(vectors, self.dim)
        if len(id_array) != len(unit_vectors):
            raise ValueError(f"{len(id_array)} ids for {len(unit_vectors)} vectors")
        if np.any(id_array < 0):
            raise ValueError("ids must be non-negative (-1 means 'no result' in searches)")
        new_ids = id_array.tolist()
        # IndexIDMap2 would silently keep both copies of a duplicated id.
        if len(set(new_ids)) != len(new_ids) or not self._ids.isdisjoint(new_ids):
            raise ValueError("ids must be unique and not already in the index")
        if len(new_ids) == 0:
            return
        self._index.add_with_ids(unit_vectors, id_array)
        self._ids.update(new_ids)

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Remove vectors by id; unknown ids are ignored. Returns how many went."""
        id_array = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
        if len(id_array) == 0:
            return 0
        removed = int(self._index.remove_ids(id_array))
        self._ids.difference_update(id_array.tolist())
        return removed

    def search(self, queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Best k matches per query row.

        Returns (similarities float32 (M, k), ids int64 (M, k)); slots without
        a match (fewer than k vectors stored) have id -1 and similarity -inf.
        """
        return self.search_unit(normalize_rows(queries, self.dim), k)

    def search_unit(self, unit_queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for rows ``normalize_rows`` already gave: the gallery normalises each query once,
        so a second normalisation here would repeat that work on every frame."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        one_search_thread()
        if len(unit_queries) == 0 or self._index.ntotal == 0:
            rows = len(unit_queries)
            return (
                np.full((rows, k), -np.inf, dtype=np.float32),
                np.full((rows, k), -1, dtype=np.int64),
            )
        similarities, ids = self._index.search(unit_queries, int(k))
        if k > self._index.ntotal:  # only then can a slot be empty
            similarities = np.where(ids == -1, -np.inf, similarities)
        return similarities.astype(np.float32, copy=False), ids.astype(np.int64, copy=False)

    # -- persistence ---------------------------------------------------------

    def save(self, path: Path, metadata: Mapping[str, Any]) -> None:
        """Atomically write the index and its JSON sidecar (see :func:`save_index_file`)."""
        save_index_file(path, self._index, FLAT_INDEX_KIND, len(self), metadata)

    @classmethod
    def load(cls, path: Path) -> tuple[VectorIndex, dict[str, Any]] | None:
        """(index, sidecar metadata), or None if missing, corrupt, inconsistent or not flat."""
        loaded = load_index_file(path, FLAT_INDEX_KIND)
        if loaded is None:
            return None
        index, metadata = loaded
        if not isinstance(index, faiss.IndexIDMap2) or not isinstance(
            faiss.downcast_index(index.index), faiss.IndexFlatIP
        ):
            log.warning("Ignoring vector index %s: unexpected index type %s", path, type(index).__name__)
            return None
        return cls._from_faiss(index), metadata


def flat_vectors_view(flat_index: faiss.IndexFlat) -> np.ndarray:
    """Read-only (N, d) numpy view of the vectors inside a faiss flat index."""
    count, dim = int(flat_index.ntotal), int(flat_index.d)
    if count == 0:
        return np.zeros((0, dim), dtype=np.float32)
    view = faiss.rev_swig_ptr(flat_index.get_xb(), count * dim).reshape(count, dim)
    view.flags.writeable = False
    return view


def index_kind_of(path: Path) -> str | None:
    """The index kind a saved sidecar announces, None if unreadable (no validation)."""
    try:
        metadata = json.loads(sidecar_path(Path(path)).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    kind = metadata.get("index_kind") if isinstance(metadata, dict) else None
    return kind if isinstance(kind, str) else None


def save_index_file(
    path: Path, index: faiss.Index, kind: str, count: int, metadata: Mapping[str, Any]
) -> None:
    """Atomically write a faiss index and its JSON sidecar.

    The sidecar gets the caller's metadata plus the index kind, dim, count
    and a sha256 of the index bytes.  The two files are replaced one after
    the other, so a crash in between leaves a mismatched pair; the checksum
    makes :func:`load_index_file` notice and return None rather than trust it.
    """
    path = Path(path)
    # serialize_index rather than write_index(path): faiss's C++ fopen
    # cannot open non-ASCII paths on Windows.
    # A view, not .tobytes(): copying hundreds of MB would hold the GIL and
    # stall the searching thread, while hashing and writing release it.
    payload = memoryview(faiss.serialize_index(index))
    sidecar = dict(metadata)
    sidecar.update(
        format_version=SIDECAR_FORMAT_VERSION,
        index_kind=kind,
        dim=int(index.d),
        count=int(count),
        index_sha256=hashlib.sha256(payload).hexdigest(),
    )
    atomic_write(path, payload)
    atomic_write(sidecar_path(path), json.dumps(sidecar, ensure_ascii=False, indent=2).encode("utf-8"))


def load_index_file(path: Path, expected_kind: str) -> tuple[faiss.Index, dict[str, Any]] | None:
    """(faiss index, sidecar metadata) of a file saved as `expected_kind`, else None.

    None whenever the pair is missing, corrupt, of another kind, or its
    contents disagree with the sidecar; the caller then rebuilds.  The
    caller still checks the faiss index type it expects.
    """
    path = Path(path)
    try:
        metadata = json.loads(sidecar_path(path).read_bytes().decode("utf-8"))
        payload = path.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:  # JSONDecodeError, UnicodeDecodeError are ValueErrors
        log.warning("Ignoring unreadable vector index %s: %s", path, error)
        return None
    problem = _sidecar_problem(metadata, payload, expected_kind)
    if problem:
        log.warning("Ignoring vector index %s: %s", path, problem)
        return None
    try:
        # Only bytes whose checksum we wrote ourselves reach faiss's parser.
        index = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8))
    except Exception as error:  # faiss raises RuntimeError; never let a cache file crash the app
        log.warning("Ignoring corrupt vector index %s: %s", path, error)
        return None
    if index.metric_type != faiss.METRIC_INNER_PRODUCT:
        log.warning("Ignoring vector index %s: it does not use inner products", path)
        return None
    if index.d != metadata["dim"] or index.ntotal != metadata["count"]:
        log.warning("Ignoring vector index %s: contents disagree with its sidecar", path)
        return None
    return index, metadata


def remove_abandoned_temp_files(index_path: Path, older_than_seconds: float = 3600.0) -> int:
    """Delete temp files left by a save that was killed midway; returns how many.

    Only old ones: a young temp file may belong to another process saving
    right now.
    """
    index_path = Path(index_path)
    removed = 0
    cutoff = time.time() - older_than_seconds
    for target in (index_path, sidecar_path(index_path)):
        for temp_file in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
            try:
                if temp_file.stat().st_mtime < cutoff:
                    temp_file.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


def _sidecar_problem(metadata: Any, payload: bytes, expected_kind: str) -> str | None:
    if not isinstance(metadata, dict):
        return "sidecar is not a JSON object"
    if metadata.get("format_version") != SIDECAR_FORMAT_VERSION:
        return f"unsupported sidecar format {metadata.get('format_version')!r}"
    if metadata.get("index_kind") != expected_kind:
        return f"it is a {metadata.get('index_kind')!r} index, not {expected_kind!r}"
    for key in ("dim", "count"):
        if not isinstance(metadata.get(key), int):
            return f"sidecar lacks an integer {key!r}"
    if metadata.get("index_sha256") != hashlib.sha256(payload).hexdigest():
        return "index file does not match the checksum in its sidecar"
    return None
