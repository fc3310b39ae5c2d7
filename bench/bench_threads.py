"""Threads and batches: each model's onnxruntime call on one thread and on every core, and a frame's faces
embedded in one call or one call each, in interleaved runs (one run of each variant in turn), as median
wall time and median process CPU time. Backs the defaults of ``embedder_threads``, ``embed_batch_size`` and
``embed_calls_at_once``.

Writes the ``threads`` section of docs/benchmarks.md. Run: python bench/bench_threads.py [--runs 100]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from report import ROOT, SHARED, machine_line, write_section

sys.path.insert(0, str(ROOT))
from facegui.config import Settings  # noqa: E402
from facegui.engine.session import OnnxModel  # noqa: E402
from facegui.modelstore.store import ModelStore  # noqa: E402

WARM_UP_RUNS = 5
EMBEDDER_FACES = (1, 2, 4)
DETECTOR_INPUTS = {"full frame 640x480": (1, 3, 480, 640), "full frame 640x360 (the test video's)": (1, 3, 360, 640),
                   "one region 160x160": (1, 3, 160, 160), "two regions 256x256": (2, 3, 256, 256)}


def interleaved(variants: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """{variant: (median wall ms, median CPU ms)} over ``runs`` rounds of one run of each variant."""
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for index in range(runs + WARM_UP_RUNS):
        for name, run in variants.items():
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            run()
            if index >= WARM_UP_RUNS:
                wall[name].append((time.perf_counter() - wall_start) * 1000)
                cpu[name].append((time.process_time() - cpu_start) * 1000)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in variants}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(Path(args.shared) / "models")
        settings = Settings(execution_provider="cpu")
        rng = np.random.default_rng(0)
        for label, filename in (("embedder", "arcface.onnx"), ("detector", "retinaface_mobilenet0.25.onnx")):
            sessions = {threads: OnnxModel.load(models / filename, settings, threads) for threads in (1, cores)}
            name = sessions[1].session.get_inputs()[0].name
            shapes = {f"{n} face(s)": (n, 3, 112, 112) for n in EMBEDDER_FACES} if label == "embedder" \
                else DETECTOR_INPUTS
            for case, shape in shapes.items():
                blob = rng.random(shape, dtype=np.float32)
                variants: dict[str, Callable[[], object]] = {}
                for threads, model in sessions.items():
                    variants[f"{threads} in one call"] = lambda m=model: m.run({name: blob})
                    if label == "embedder" and shape[0] > 1:
                        variants[f"{threads} one call each"] = \
                            lambda m=model: [m.run({name: blob[i:i + 1]}) for i in range(len(blob))]
                        variants[f"{threads} one call each, {cores} at once"] = \
                            lambda m=model: m.run_many([{name: blob[i:i + 1]} for i in range(len(blob))], cores)
                for variant, (wall, cpu) in interleaved(variants, args.runs).items():
                    threads, how = variant.split(" ", 1)
                    rows.append(f"| {label} | {case} | {threads} | {how} | {wall:.2f} | {cpu:.2f} |")
                    print(rows[-1], flush=True)
    text = "\n".join([
        "## Threads and batches",
        "",
        machine_line() + f" Made by `python bench/bench_threads.py --runs {args.runs}`: each model's onnxruntime "
        f"call on 1 and on {cores} intra-op threads (no spinning, as the app opens them), with random inputs of "
        "the sizes a frame gives, and several faces embedded in one call, in one call each, or in one call each "
        f"with up to {cores} calls running at once (on as many threads); interleaved runs, "
        f"medians. Load average when it ended: {os.getloadavg()[0]:.1f}.",
        "",
        "| model | input | threads | calls | wall ms | CPU ms |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "The defaults follow from the embedder's rows: MobileFaceNet's layers are too small to share between "
        "cores (a second thread waits more than it works: more wall time and half as much CPU again), and a "
        "batch's activations outgrow the core's cache, so one face per call on one thread is the fastest and "
        "the cheapest (`embedder_threads` 1, `embed_batch_size` 0). Those calls are independent, so a frame's "
        "faces are embedded on every core at once, one call per core (`embed_calls_at_once` 0): the same "
        "CPU, and on two cores about half the wall time. The detector keeps every core "
        "(`intra_op_threads` 0): a full frame is 1.4x faster on two, which a frame's latency needs, though a "
        "small region alone runs as fast on one. Outputs are identical whichever the threads and the "
        "batching (`tests/test_engine.py`).",
    ])
    write_section("threads", text)


if __name__ == "__main__":
    main()
