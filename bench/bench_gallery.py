"""Exact vs approximate gallery search at 10k, 100k and 1M embeddings, and the live view meanwhile.

Gallery vectors are random unit vectors from numpy: stand-ins for stored embeddings, not faces
(they have no cluster structure, the hardest case for an approximate index). Queries are new
photos of enrolled people: q = c v + sqrt(1 - c^2) u, with v an enrolled vector, u a random unit
vector orthogonal to it and c uniform in [0.6, 0.8], so cos(q, v) = c exactly.
Recall@1 is agreement of the top-1 id with exact search.

Prints a Markdown table and writes its section of docs/benchmarks.md.
Run: python bench/bench_gallery.py [--sizes 10000,100000,1000000] [--queries 1000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import faiss
import numpy as np

from facegui.storage import DATABASE_FILE_NAME, FaceDatabase, Gallery, VectorIndex
from facegui.storage.approximate_index import build_approximate_index
from facegui.storage.gallery import APPROXIMATE_SEARCH_THRESHOLD

from report import write_section
MODEL_ID = "bench:random"
EMBEDDINGS_PER_PERSON = 10


def unit_vectors(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    vectors = np.empty((count, dim), dtype=np.float32)
    for start in range(0, count, 100_000):  # bounded float64 temporaries
        block = rng.standard_normal((min(100_000, count - start), dim), dtype=np.float32)
        vectors[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return vectors


def new_photos(enrolled: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cosine = rng.uniform(0.6, 0.8, (len(enrolled), 1)).astype(np.float32)
    noise = rng.standard_normal(enrolled.shape, dtype=np.float32)
    noise -= np.sum(noise * enrolled, axis=1, keepdims=True) * enrolled
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    return cosine * enrolled + np.sqrt(1 - cosine**2) * noise


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def per_query_ms(index, queries: np.ndarray, threads: int) -> tuple[float, float]:
    """(median, p99) ms of one-face searches, as the live view issues them."""
    faiss.omp_set_num_threads(threads)
    index.search(queries[:1], 1)
    samples = []
    for row in queries:
        start = time.perf_counter()
        index.search(row[np.newaxis], 1)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), float(np.percentile(samples, 99))


def index_rows(size: int, dim: int, queries_wanted: int, rng: np.random.Generator, threads: int) -> list[str]:
    vectors = unit_vectors(size, dim, rng)
    ids = np.arange(1, size + 1, dtype=np.int64)
    queries = new_photos(vectors[rng.choice(size, queries_wanted, replace=False)], rng)
    rows = []

    start = time.perf_counter()
    exact = VectorIndex(dim)
    exact.add(ids, vectors)
    exact_build = time.perf_counter() - start
    _, truth = exact.search(queries, 1)  # batched: one BLAS pass
    exact_bytes = size * dim * 4
    # A full scan of a large gallery takes tens of ms: 100 queries give a stable median.
    exact_queries = queries if size <= 10_000 else queries[:100]
    exact_1 = per_query_ms(exact, exact_queries, 1)
    exact_n = per_query_ms(exact, exact_queries, threads)
    rows.append(f"| {size:,} | {dim} | exact (flat) | {exact_build:.1f} | {exact_bytes / 2**20:.0f} | "
                f"{exact_1[0]:.2f} / {exact_1[1]:.2f} | {exact_n[0]:.2f} / {exact_n[1]:.2f} | 1 (by definition) |")
    del exact

    faiss.omp_set_num_threads(threads)
    start = time.perf_counter()
    approximate = build_approximate_index(dim, [(ids, vectors)], np.empty(0, np.int64), threading.Event())
    approximate_build = time.perf_counter() - start
    approximate_bytes = len(faiss.serialize_index(approximate._index))
    _, found = approximate.search(queries, 1)
    recall = float(np.mean(found[:, 0] == truth[:, 0]))
    approx_1 = per_query_ms(approximate, queries, 1)
    approx_n = per_query_ms(approximate, queries, threads)
    ivf = faiss.extract_index_ivf(approximate._index)
    rows.append(f"| {size:,} | {dim} | approximate (IVF{ivf.nlist}, nprobe {ivf.nprobe}) | {approximate_build:.1f} | "
                f"{approximate_bytes / 2**20:.0f} | {approx_1[0]:.2f} / {approx_1[1]:.2f} | "
                f"{approx_n[0]:.2f} / {approx_n[1]:.2f} | {recall:.4f} |")
    return rows


def fill_database(data_dir: Path, vectors: np.ndarray) -> None:
    """Bulk insert, bypassing per-enrollment transactions: only the bench needs 1M rows fast."""
    FaceDatabase(data_dir / DATABASE_FILE_NAME).close()  # creates the schema
    people = (len(vectors) + EMBEDDINGS_PER_PERSON - 1) // EMBEDDINGS_PER_PERSON
    now = "2026-01-01T00:00:00+00:00"
    connection = sqlite3.connect(data_dir / DATABASE_FILE_NAME)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)",
                ((i + 1, f"person {i}", now) for i in range(people)),
            )
            connection.executemany(
                "INSERT INTO embeddings (person_id, model_id, dim, vector, enrolled_at) VALUES (?, ?, ?, ?, ?)",
                ((i // EMBEDDINGS_PER_PERSON + 1, MODEL_ID, vectors.shape[1], vectors[i].astype("<f4").tobytes(), now)
                 for i in range(len(vectors))),
            )
            connection.execute("INSERT INTO model_revisions (model_id, revision) VALUES (?, 1)", (MODEL_ID,))
    finally:
        connection.close()


class LatencyProbe:
    """A thread searching one face after another, as the live view does, recording each latency."""

    def __init__(self, gallery: Gallery, queries: np.ndarray) -> None:
        self.gallery, self.queries = gallery, queries
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            query = self.queries[i % len(self.queries)]
            start = time.perf_counter()
            self.gallery.search(query)
            self.samples.append((time.perf_counter() - start) * 1000)
            i += 1

    def __enter__(self) -> LatencyProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        return (f"{len(self.samples)} searches, median {statistics.median(self.samples):.2f} ms, "
                f"p99 {np.percentile(self.samples, 99):.2f} ms, **worst {max(self.samples):.1f} ms**")


def live_view_lines(size: int, dim: int, rng: np.random.Generator) -> list[str]:
    vectors = unit_vectors(size, dim, rng)
    queries = new_photos(vectors[rng.choice(size, 500, replace=False)], rng)
    newcomers = unit_vectors(400, dim, rng)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        start = time.perf_counter()
        fill_database(data_dir, vectors)
        lines.append(f"- Filling SQLite with {size:,} embeddings (bulk insert, bench only): "
                     f"{time.perf_counter() - start:.0f} s.")
        del vectors

        start = time.perf_counter()
        gallery = Gallery(data_dir, MODEL_ID, dim, rebuild_after_changes=100)
        lines.append(f"- First open, no saved index: {time.perf_counter() - start:.1f} s until usable "
                     f"(reads SQLite, exact search on); RSS {rss_mb():.0f} MB.")
        start = time.perf_counter()
        with LatencyProbe(gallery, queries) as probe:
            while gallery.is_rebuilding:
                time.sleep(0.05)
        lines.append(f"- Background build of the approximate index after open: {time.perf_counter() - start:.1f} s "
                     f"(including its save). Searches meanwhile (exact): {probe.summary()}.")

        time.sleep(1.0)
        start = time.perf_counter()
        with LatencyProbe(gallery, queries) as probe:
            for i, vector in enumerate(newcomers):
                gallery.enroll(f"newcomer {i}", vector)
                time.sleep(0.02)
            while gallery.is_rebuilding:
                time.sleep(0.05)
        lines.append(f"- {len(newcomers)} enrollments (one every ~20 ms; a background rebuild every 100, "
                     f"{time.perf_counter() - start:.1f} s in all). Searches meanwhile: {probe.summary()}. "
                     f"RSS {rss_mb():.0f} MB.")
        gallery.close()

        start = time.perf_counter()
        with Gallery(data_dir, MODEL_ID, dim) as reopened:
            assert reopened.is_approximate and not reopened.is_rebuilding
            lines.append(f"- Reopen with the saved approximate index: {time.perf_counter() - start:.1f} s.")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--live-threads", type=int, default=1,
                        help="faiss threads for the live-view run (1: leave the other core to onnxruntime)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    load = os.getloadavg()[0]

    rows = []
    for size in sizes:
        rows += index_rows(size, 128, args.queries, rng, args.threads)
        print("\n".join(rows[-2:]), flush=True)
    rows += index_rows(100_000, 512, args.queries, rng, args.threads)
    print("\n".join(rows[-2:]), flush=True)
    faiss.omp_set_num_threads(args.live_threads)
    live = live_view_lines(max(sizes), 128, rng)
    print("\n".join(live), flush=True)

    out = [
        "## Gallery search: exact vs approximate",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} logical cores, Python {platform.python_version()}, "
        f"faiss {faiss.__version__}, numpy {np.__version__}. Date: {dt.date.today().isoformat()}. "
        f"Load average at start: {load:.2f}. Made by `python bench/bench_gallery.py` in "
        f"{(time.perf_counter() - started) / 60:.1f} min.",
        "",
        "Gallery vectors are **random unit vectors** (stand-ins for stored embeddings, not faces; no cluster "
        "structure, the hardest case for the approximate index). Queries are new photos of enrolled people: "
        "q = c·v + √(1−c²)·u with v enrolled, u a random unit vector orthogonal to v, c uniform in [0.6, 0.8] "
        f"(cos(q, v) = c). {args.queries} queries per row (exact at ≥100k: fewer). Query time is one face per "
        f"search, median / p99 ms, with `faiss.omp_set_num_threads(1)` and ({args.threads}). Recall@1: top-1 id "
        "equals exact search's. Memory: size of the index data (the approximate index keeps the exact vectors "
        "for re-ranking and rebuilding, plus 4-bit codes).",
        "",
        f"| N | dim | index | build s | memory MB | ms/face, 1 thread | ms/face, {args.threads} threads | recall@1 |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"The gallery switches to the approximate index at {APPROXIMATE_SEARCH_THRESHOLD:,} embeddings "
        "(`approximate_search_threshold`).",
        "",
        f"### Live view during enrollment, {max(sizes):,} embeddings (dim 128), through `Gallery`",
        "",
        "One thread searches one face at a time without pause, as the camera worker does, while the main thread "
        f"works; faiss at {faiss.omp_get_max_threads()} threads.",
        "",
        *live,
    ]
    text = "\n".join(out) + "\n"
    print(text)
    write_section("gallery", text)


if __name__ == "__main__":
    main()
