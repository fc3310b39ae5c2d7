"""Size and cold start of an already built bundle (builds nothing): writes the "bundle" section of
docs/benchmarks.md.

    python bench/bench_bundle.py [DIST_FOLDER] [--runs 3] [--build-seconds N] [--before OLD_DIST_FOLDER]

Size is also given per component (OpenCV, Qt, faiss, …), beside another bundle's with --before
(e.g. one built from the previous commit), so each trimming step shows where it saved.

Cold start = process start to the first camera frame shown in the main window, from the bundle's
``--smoke-test`` on the test video (offscreen, HOME a fresh folder so each run also creates its
database). Measured two ways: by the parent (spawn to the line arriving) and by the app itself
(kernel process start time to the frame). As root on Linux, the page cache is dropped before each
run so the files really come from disk.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import ROOT, SHARED, machine_line, write_section  # noqa: E402

VIDEO = SHARED / "faces" / "video" / "short_hamilton_clip.mp4"


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


COMPONENTS = [
    ("OpenCV (`cv2` + its FFmpeg, OpenBLAS, codecs)", ("cv2/", "opencv_python_headless.libs/")),
    ("Qt (PySide6, shiboken, ICU, plugins, translations)", ("PySide6/", "shiboken6/")),
    ("faiss (+ its OpenMP runtime; its OpenBLAS where not shared)", ("faiss/", "faiss_cpu.libs/")),
    ("numpy (+ its 64-bit OpenBLAS)", ("numpy/", "numpy.libs/", "numpy-")),
    ("onnxruntime (+ its CUDA and TensorRT providers in the GPU flavour)", ("onnxruntime/", "onnxruntime-", "onnxruntime_gpu")),
    ("onnx, protobuf, ml_dtypes (model import/conversion)", ("onnx/", "onnx-", "google/", "ml_dtypes/")),
    ("psycopg (PostgreSQL client, its libpq and OpenSSL)", ("psycopg",)),
    ("Python runtime and standard library", ("libpython", "python3", "base_library.zip")),
    ("the two models", ("model_data/",)),
]
OTHER_SYSTEM = "other shared libraries from the build system (X11/xcb, fontconfig, D-Bus, OpenSSL, SQLite, …)"
REST = "the app, resources, anyascii tables, executable"


def component_sizes(folder: Path) -> dict[str, int]:
    """Bytes per component (symbolic links count nothing: they point at a file counted once)."""
    sizes: dict[str, int] = {label: 0 for label, _ in COMPONENTS}
    sizes.update({OTHER_SYSTEM: 0, REST: 0})
    internal = folder / "_internal"
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(internal).as_posix() if internal in path.parents else ""
        label = next((label for label, prefixes in COMPONENTS if rel.startswith(prefixes)), None)
        if label is None:
            label = OTHER_SYSTEM if "/" not in rel and ".so" in rel else REST
        sizes[label] += path.stat().st_size
    return sizes


def component_table(dist: Path, before: Path | None) -> str:
    now = component_sizes(dist)
    old = component_sizes(before) if before else None
    header = "| part | MB | before | saved |\n|---|---|---|---|" if old else "| part | MB |\n|---|---|"
    rows = []
    for label in sorted(now, key=lambda k: -now[k]):
        if old:
            rows.append(f"| {label} | {now[label] / 1e6:.1f} | {old[label] / 1e6:.1f} | "
                        f"{(old[label] - now[label]) / 1e6:.1f} |")
        else:
            rows.append(f"| {label} | {now[label] / 1e6:.1f} |")
    total_now = sum(now.values())
    rows.append(f"| **total** | **{total_now / 1e6:.0f}** | " + (
        f"{sum(old.values()) / 1e6:.0f} | {(sum(old.values()) - total_now) / 1e6:.0f} |" if old else ""))
    return header + "\n" + "\n".join(rows)


def largest_files(folder: Path, count: int = 15) -> str:
    """The biggest files, where what is left of the size sits (symbolic links count nothing)."""
    internal = folder / "_internal"
    files = sorted((p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()),
                   key=lambda p: -p.stat().st_size)[:count]
    total = sum(p.stat().st_size for p in files)
    rows = [f"| `{p.relative_to(internal if internal in p.parents else folder).as_posix()}` | "
            f"{p.stat().st_size / 1e6:.1f} |" for p in files]
    return (f"The {count} largest files, {total / 1e6:.0f} MB together (each is "
            f"imported by the app or linked by what it imports; docs/packaging.md, \"Size\"):\n\n"
            f"| file | MB |\n|---|---|\n" + "\n".join(rows))


def tar_gz_size(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "facegui.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return archive.stat().st_size


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def one_start(exe: Path, cold: bool) -> tuple[float, float, bool]:
    """(parent-measured ms, app-reported ms, caches dropped)."""
    dropped = drop_caches() if cold else False
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEGUI_", "XDG_"))}
        env.update(HOME=home, QT_QPA_PLATFORM="offscreen")
        started = time.perf_counter()
        proc = subprocess.Popen([str(exe), "--smoke-test", str(VIDEO)], cwd=home, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        parent_ms = (time.perf_counter() - started) * 1000
        proc.wait(120)
        if proc.returncode != 0 or "ok (first frame shown" not in line:
            raise SystemExit(f"smoke test failed: {line}{proc.stderr.read()}")
        app_ms = float(line.split("first frame shown ")[1].split(" ms")[0])
        return parent_ms, app_ms, dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", default=str(ROOT / "dist" / "facegui"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-seconds", type=float, help="build time to report (measured elsewhere)")
    parser.add_argument("--before", help="another built bundle folder, for the per-component comparison")
    parser.add_argument("--before-label", default="another build", help="what --before is, for the report")
    args = parser.parse_args()
    dist = Path(args.dist)
    exe = dist / ("facegui.exe" if sys.platform == "win32" else "facegui")
    if not exe.is_file():
        raise SystemExit(f"{exe}: no bundle there; build it with: bash scripts/build_bundle.sh")
    size, count = folder_size(dist)
    packed = tar_gz_size(dist)
    models = folder_size(dist / "_internal" / "model_data")[0]
    flavour = "GPU" if any(dist.rglob("*onnxruntime_providers_cuda*")) else "CPU"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cold = [one_start(exe, cold=True) for _ in range(args.runs)]
    warm = [one_start(exe, cold=False) for _ in range(args.runs)]
    dropped = all(c[2] for c in cold)

    def summary(values):
        return f"median {statistics.median(values):.0f} ms (runs: {', '.join(f'{v:.0f}' for v in values)})"

    cold_label = "page cache dropped before each run" if dropped else "page cache NOT dropped (not root)"
    rows = [(f"{flavour} flavour: bundle folder `dist/facegui`",
             f"{size / 1e6:.0f} MB in {count} files (models {models / 1e6:.1f} MB)"),
            ("as `.tar.gz`", f"{packed / 1e6:.0f} MB")]
    if args.build_seconds:
        rows.append(("build time (`pyinstaller build.spec`, fresh work folder)", f"{args.build_seconds:.0f} s"))
    rows += [(f"cold start, process start → first frame shown ({cold_label})", summary([c[0] for c in cold])),
             ("same, as the app measures it (kernel process start time → frame)", summary([c[1] for c in cold])),
             ("warm start (files already in the page cache)", summary([w[0] for w in warm]))]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    before = Path(args.before) if args.before else None
    if before:
        old_size = folder_size(before)[0]
        rows.insert(2, (f"`--before` ({args.before_label})", f"{old_size / 1e6:.0f} MB, {tar_gz_size(before) / 1e6:.0f} MB as `.tar.gz`"))
        table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    parts = component_table(dist, before)
    text = (f"## Desktop bundle, {flavour} flavour (PyInstaller, one folder)\n\n{machine_line()} Load average "
            f"{load:.1f} when the runs began (a shared machine: start times vary run to run; the sizes do not).\n\n"
            f"| measure | value |\n|---|---|\n"
            f"{table}\n\nCold start is `facegui --smoke-test short_hamilton_clip.mp4`, offscreen, with a fresh HOME: "
            f"the bootloader, Python, Qt, onnxruntime and OpenCV load, both models open, the empty database is "
            f"created, the window opens, the video opens and its first frame is detected, embedded, drawn and "
            f"shown. `python bench/bench_bundle.py [DIST]` measures an existing bundle; it builds nothing.\n\n"
            f"Where the folder's size goes (MB; `before` is {args.before_label if before else 'not given'}):\n\n{parts}"
            f"\n\n{largest_files(dist)}")
    write_section("bundle" if flavour == "CPU" else "bundle-gpu", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
