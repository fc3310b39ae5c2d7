"""Start-up of the command line, cold process to exit: `facegui --version`, `facegui people` and
`facegui identify` of one photo, against a bare interpreter, and optionally against another checkout
(the code before a change). Each command runs in a fresh process, all variants in turn (A B C A B C
…) so a busy moment on a shared machine hits every one; medians of wall and CPU time (user + sys of
the child, from the kernel). Then where identify's time goes: the same steps timed inside fresh
processes (imports, model check, sessions, gallery, decode, the two networks), medians.

Writes its section of docs/benchmarks.md.
Run: python bench/bench_startup.py [--runs 30] [--before CHECKOUT]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import ROOT, SHARED, machine_line, write_section

TARGETS_MS = {"--version": 60, "people": 150, "identify one photo": 250}
NATIVE_IMPORTS = "bare interpreter importing numpy, cv2, onnxruntime, faiss"
"""What `identify` cannot avoid loading, timed alone: the floor under its own work."""
NATIVE_IMPORTS_ONE_BLAS = "the same, OPENBLAS_NUM_THREADS=1 and ORT_DISABLE_TELEMETRY=1 (as facegui starts them)"
NATIVE_FLOOR = "the same, and leaving without teardown (as facegui does): the floor"

PHASES = r"""
import json, os, sys, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as facegui.app sets it
from facegui.startup import hold_back_collector, start_up_done
hold_back_collector()  # as the program does first (facegui/__main__.py, facegui.app.run)
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
import facegui.app, facegui.cli.main
mark("facegui entry, argparse, settings modules")
from facegui.config import Settings
photo, data, models, config = sys.argv[1:5]
args = facegui.cli.main.build_parser().parse_args(["identify", photo, "--data-dir", data, "--models", models,
                                                   "--config", config])
settings = Settings.from_options(args)
mark("arguments parsed, settings read")
import numpy
mark("import numpy")
import cv2
mark("import cv2")
import onnxruntime
mark("import onnxruntime")
from facegui.service import model_opening
threads = {}
class Timed(model_opening._ModelThread):
    def run(self):
        started = time.perf_counter()
        super().run()
        threads[self.name] = (started, time.perf_counter())
model_opening._ModelThread = Timed
opening = model_opening.ModelOpening(settings)  # as cli.main.open_recognizer starts it
mark("the two model threads started")
import faiss
mark("import faiss (the model threads working)")
import facegui.service.recognizer, facegui.storage.gallery, facegui.engine.pipeline
mark("facegui engine, storage, service modules (the same)")
engine = opening.engine()
mark("waiting for the two models")
from facegui.service.recognizer import Recognizer, open_gallery
recognizer = Recognizer(engine, open_gallery(settings, engine), settings)
start_up_done()  # as the command line does once the recognizer is open
mark("gallery open")
image = recognizer.load(photo)
mark("photo read and decoded")
faces = engine.detect(image)
mark("detector run")
faces = engine.embed(image, faces)
mark("embedder run (2 faces, at once)")
from facegui.engine.matcher import match_faces
names = [r.name for r in match_faces(faces, recognizer.gallery, settings.similarity_threshold)]
recognizer.close()
mark("search and close")
assert len(names) == 2, names
opened = marks[[m[0] for m in marks].index("the two model threads started")][1]
steps = [[name, (w - pw) * 1000, (c - pc) * 1000] for (_, pw, pc), (name, w, c) in zip(marks, marks[1:])]
steps += [[f"thread {name}: file checked, session open", (end - begin) * 1000, None]
          for name, (begin, end) in sorted(threads.items())]
steps.append(["the later thread done, after they started", (max(e for _, e in threads.values()) - opened) * 1000, None])
print(json.dumps(steps))
"""
"""The steps of `identify` one by one in a fresh process, as facegui.service and the CLI run them."""


def timed(argv: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(wall ms, CPU ms) of one process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def phase_medians(argv: list[str], env: dict, cwd: Path, runs: int) -> list[tuple[str, float, float]]:
    """(step, median wall ms, median CPU ms of this process) for each step of ``PHASES``."""
    results = []
    for _ in range(runs):
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return [(step[0], statistics.median(r[i][1] for r in results),
             None if step[2] is None else statistics.median(r[i][2] for r in results))
            for i, step in enumerate(results[0])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--before", help="another checkout of facegui to compare with (e.g. the previous commit)")
    parser.add_argument("--before-label", default="another checkout", help="what --before is, for the report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        common = ["--data-dir", str(tmp / "data"), "--models", str(tmp / "models"), "--config", str(tmp / "none.json")]
        # As installed: Python's bytecode cache on (an environment with PYTHONDONTWRITEBYTECODE would
        # otherwise compile every facegui module in every run), kept out of the checkouts.
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACEGUI_") and k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        setup = dict(env, PYTHONPATH=str(ROOT))
        for step in (["models", "install", "--from", str(SHARED / "models")], ["encode", str(SHARED / "faces" / "gallery")]):
            subprocess.run([sys.executable, "-m", "facegui", *step, *common], env=setup, check=True,
                           capture_output=True)
        photo = str(SHARED / "faces" / "probes" / "two_people.jpg")
        commands = {"--version": ["--version"], "people": ["people", *common],
                    "identify one photo": ["identify", photo, *common]}
        trees = {"this checkout": ROOT, **({"before": Path(args.before).resolve()} if args.before else {})}
        native = [sys.executable, "-c", "import numpy, cv2, onnxruntime, faiss"]
        one_blas = dict(env, OPENBLAS_NUM_THREADS="1", ORT_DISABLE_TELEMETRY="1")
        variants = {("bare interpreter", ""): ([sys.executable, "-c", "pass"], env),
                    (NATIVE_IMPORTS, ""): (native, env),
                    (NATIVE_IMPORTS_ONE_BLAS, ""): (native, one_blas),
                    (NATIVE_FLOOR, ""): ([*native[:-1], native[-1] + ", os; os._exit(0)"], one_blas)}
        for label, argv in commands.items():
            for tree_label, tree in trees.items():
                variants[(label, tree_label)] = ([sys.executable, "-m", "facegui", *argv],
                                                 dict(env, PYTHONPATH=str(tree)))
        samples: dict = {key: [] for key in variants}
        for argv, variant_env in variants.values():  # warm-up: page cache, .pyc files
            timed(argv, variant_env, tmp)
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for key, (argv, variant_env) in variants.items():
                samples[key].append(timed(argv, variant_env, tmp))
        load_after = os.getloadavg()[0]
        phases = phase_medians([sys.executable, "-c", PHASES, photo, str(tmp / "data"), str(tmp / "models"),
                                str(tmp / "none.json")], setup, tmp, args.runs)
    rows = []
    for (label, tree_label), values in samples.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        target = TARGETS_MS.get(label)
        verdict = "" if target is None or tree_label != "this checkout" else \
            f"≤ {target} ms: {'met' if wall <= target else 'NOT met'}"
        rows.append(f"| {label} | {tree_label or '—'} | {wall:.0f} ms | {cpu:.0f} ms | {verdict} |")
    before_note = f" `before` is {args.before_label}." if args.before else ""
    phase_rows = "\n".join(f"| {step} | {wall:.1f} ms | {'—' if cpu is None else f'{cpu:.1f} ms'} |"
                           for step, wall, cpu in phases)
    cpu_of = {step: cpu for step, _wall, cpu in phases if cpu is not None}
    wall_of = {step: wall for step, wall, _cpu in phases}
    overlapped = wall_of["import faiss (the model threads working)"] + \
        wall_of["facegui engine, storage, service modules (the same)"]
    threads_wall = wall_of["the later thread done, after they started"]
    waited = wall_of["waiting for the two models"]
    networks_cpu = cpu_of["detector run"] + cpu_of["embedder run (2 faces, at once)"]
    networks_wall = wall_of["detector run"] + wall_of["embedder run (2 faces, at once)"]
    identify_wall = statistics.median(v[0] for v in samples[("identify one photo", "this checkout")])
    floor_wall = statistics.median(v[0] for v in samples[(NATIVE_FLOOR, "")])
    target = TARGETS_MS["identify one photo"]
    ratio = identify_wall / floor_wall
    close_call = (
        f" That is {ratio:.2f} times the floor. The floor moves with the host's speed from hour to hour, by more"
        f" than the load average shows, and `identify` with it, so the ratio is the"
        f" steadier figure: at {ratio:.2f} times it, the {target} ms target holds wherever the floor is under"
        f" {target / ratio:.0f} ms.")
    text = f"""## Start-up of the command line

{machine_line()} Made by `python bench/bench_startup.py --runs {args.runs}{' --before DIR' if args.before else ''}`;
load average {load_before:.1f} when the runs started and {load_after:.1f} when they ended, on {os.cpu_count()} cores
shared with other work, so read the medians and the CPU times, not single runs.{before_note} Each command runs
in a fresh process to its exit, {args.runs} times, all variants in turn, with Python's bytecode cache on as in an
installed copy (filled by a warm-up run); `people` and `identify` use a data folder with 9 photos of 5 people
enrolled, and models installed by `facegui models install`; `identify` names the two faces of
`two_people.jpg`. CPU is the child's user + system time.

| command | code | median wall | median CPU | target |
|---|---|---|---|---|
{chr(10).join(rows)}

Where `identify`'s time goes: its steps timed one by one inside a fresh process ({args.runs} processes,
medians; the interpreter's own start, about the bare interpreter's row, comes before them):

| step | median wall | median CPU |
|---|---|---|
{phase_rows}

The main thread imports faiss and facegui's engine, storage and service modules ({overlapped:.0f} ms) while the
two model threads check their files and open their sessions ({threads_wall:.0f} ms from their start to the later
one's end; each alone is in the thread rows, and the CPU of those steps counts theirs too): it then waited
{waited:.1f} ms for them. The two networks on the photo took {networks_wall:.0f} ms ({networks_cpu:.0f} ms of CPU: the
detector on both cores, the two faces one per core), the photo itself {wall_of["photo read and decoded"]:.0f} ms. In wall
time, `identify` took {identify_wall:.0f} ms against {floor_wall:.0f} ms for the floor (fourth row) in this run.{close_call}

What `identify` no longer spends (each change keeps the real-model tests' results identical):
- **OpenBLAS threads.** numpy and OpenCV each load their own OpenBLAS, which starts a thread per core at
  import that spins before it sleeps: about 100 ms of CPU per start on 2 cores (second and third rows; the
  third also loads onnxruntime without its usage reports, about 2 ms of it).
  facegui's BLAS calls are vector-sized, so `facegui.app` starts them with one thread
  (`OPENBLAS_NUM_THREADS`, an explicit setting is kept).
- **The interpreter's teardown.** After a command has closed what it opened, freeing every module and
  the native libraries' teardown (onnxruntime, OpenCV, faiss) cost about 50 ms of CPU after the answer
  was printed; the program now leaves at once, after its exit handlers, with its output flushed, and an
  ordinary exit while another thread still works (`facegui.app.run`, tests in
  `tests/unit/test_process_start_and_exit.py`).
- **Graph optimisation at every start.** `models install` keeps each model's graph as onnxruntime
  optimised it for this CPU (`*.cpu.optimized`), recorded in the model's manifest entry with its
  SHA-256, the model's SHA-256 and the runtime; a session opens it with optimisation off (about 10 ms
  less for the two sessions, bit-identical outputs), and only while all three match and the CPU
  provider runs it; the model itself is still checked first (`tests/test_model_loading.py`,
  docs/security.md).
- **Python's garbage collector during start-up.** Starting `identify` makes some 60,000 objects that
  live as long as the process (modules, classes, bindings, settings, sessions); the collector walked
  them about 90 times before the photo was read, to free some 650 leftover objects in all (about 9 ms).
  The program now holds its first threshold back from its first line until the models and the gallery
  are open, then moves what start-up made out of later collections (`gc.freeze`: those few hundred
  leftovers stay, once; peak memory unchanged) and gives Python's thresholds back (`facegui/startup.py`;
  tests in `tests/test_startup.py` and `tests/unit/test_process_start_and_exit.py`).
- **Options and modules a command does not use.** Each command's parser is made when that command is
  used (all of them took 5 ms of every start, now 1.5 ms; `--help` and every error read as before); the
  host name comes from `os.uname` rather than the socket module, tempfile loads only where a file is
  written or a graph optimised, and platformdirs only where a default folder is wanted: here
  `--data-dir` and `--config` name both, and a run on the user's default folders still loads it
  (about 3 ms more than the figures above).
- **onnxruntime's usage reports.** onnxruntime 1.31's Linux build, as it loads, writes a device id and
  an event cache (a SQLite file) under `~/.cache/Microsoft` and queues them for upload to Microsoft;
  facegui sends nothing anywhere, so `facegui/__init__.py` sets `ORT_DISABLE_TELEMETRY=1` before
  onnxruntime loads (about 2 ms of a start, and 2 MiB; the floor rows above start it the same way).
- **Reading and hashing twice.** Each model file is read once, at its own size, and loaded from the
  bytes that were checked; the embedder is no longer hashed a second time for its id.
- **Opening the models in turn, after every import.** Checking a model file (SHA-256) and opening its
  session hold Python's lock only briefly, imports hold it throughout: the command line now starts the
  two models on threads of their own once onnxruntime is imported, and imports faiss and the rest
  meanwhile (`facegui/service/model_opening.py`; the threads import nothing, `tests/test_startup.py`).
  With the next change, measured by this script with `--before` the code before both (2026-12-07, 21
  runs, load 0.5-0.8): 273 → 260 ms of wall time, and 278 → 300 ms of CPU, as three threads on two
  cores wait for each other and for Python's lock more than one did. The window does the same before
  it imports Qt and its own modules (about 360 ms here; `facegui/gui/launch.py`): from source, offscreen,
  `--smoke-test` showed its first frame after a median of 595 → 564 ms (2026-12-07, 11 alternated runs
  each, whole process), with a peak memory 9 MB higher (206 → 215 MB), as the models' bytes are read
  while Qt loads.
- **Embedding the faces in turn.** The photo's two faces are embedded one per core at once
  (`embed_calls_at_once`; section "Threads and batches"), the same embeddings.

Each command imports what it uses inside its handler, and the `engine`, `service` and `storage`
packages import a module only when one of its names is first used (`facegui/lazy.py`): `--version`
loads no third-party package; `people` reads names and counts with SQLite alone, no numpy (the
database module imports numpy only where it handles embeddings), no model, no faiss index; and only
model conversion loads onnx, protobuf and ml_dtypes (`tests/test_startup.py` checks which modules each
command loads). `identify` must load numpy, OpenCV, onnxruntime and faiss: their import alone, started
and ended as facegui does (the fourth row), is the floor under everything `identify` does in a fresh
process here."""
    print(text)
    write_section("startup", text)


if __name__ == "__main__":
    main()
