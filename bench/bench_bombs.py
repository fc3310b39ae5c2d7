"""Image bombs of every accepted format, and special files, loaded under a 2 GB address-space limit:
the time to refuse each and the peak memory of the process. Writes its section of docs/reliability.md.

Each case runs in a fresh child process (RLIMIT_AS = 2 GiB, as ``ulimit -v 2097152``), so its peak
resident memory (ru_maxrss) is its own; a child that loads nothing gives the baseline (Python,
numpy, OpenCV). Run: python bench/bench_bombs.py [--repeats N]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from report import ROOT, SHARED, machine_line, write_section

sys.path.insert(0, str(ROOT))
from tests.hostile_files import bombs  # noqa: E402

RELIABILITY_MD = ROOT / "docs" / "reliability.md"
MEMORY_LIMIT = 2 << 30
_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from facegui.config import Settings
from facegui.engine.imageio import ImageError, load_image
settings = Settings()
path = sys.argv[1]
started = time.perf_counter()
try:
    if path != "-":
        load_image(path, settings.max_image_pixels, settings.max_image_bytes)
    outcome = "decoded"
except ImageError as exc:
    outcome = exc.reason
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - started
print(json.dumps({{"outcome": outcome, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_case(path: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), path], capture_output=True,
                          text=True, timeout=600, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        return {"outcome": f"child failed: {done.stderr.strip().splitlines()[-1:]}", "seconds": float("nan"),
                "peak_mb": float("nan")}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        cases: list[tuple[str, str, str]] = []
        for name, data in bombs(SHARED / "faces" / "gallery" / "obama_1.jpg").items():
            (folder / name).write_bytes(data)
            cases.append((name, f"{len(data):,} B", str(folder / name)))
        (folder / "z.jpg").symlink_to("/dev/zero")
        os.mkfifo(folder / "f.jpg")
        with open(folder / "sparse.jpg", "wb") as file:
            file.truncate(3 << 30)
        cases += [("z.jpg → /dev/zero", "link", str(folder / "z.jpg")), ("f.jpg, a FIFO", "FIFO", str(folder / "f.jpg")),
                  ("sparse.jpg", "3 GiB sparse", str(folder / "sparse.jpg"))]
        baseline = statistics.median(run_case("-")["peak_mb"] for _ in range(args.repeats))
        rows = []
        for label, size, path in cases:
            runs = [run_case(path) for _ in range(args.repeats)]
            outcome = runs[0]["outcome"].replace("|", "\\|")
            rows.append(f"| `{label}` | {size} | {outcome} | {statistics.median(r['seconds'] for r in runs) * 1000:.2f} ms "
                        f"| {statistics.median(r['peak_mb'] for r in runs):.0f} MB |")
    text = f"""## Image bombs and special files

{machine_line()} Made by `python bench/bench_bombs.py` (median of {args.repeats} runs; the machine was
shared, so times are indicative). Each file is loaded through `load_image` with the default settings in a
fresh process limited to 2 GiB of address space (`RLIMIT_AS`, like `ulimit -v 2097152`); the time is the
call alone, the peak is the whole process's resident memory, against a baseline of **{baseline:.0f} MB** for a
process that loads nothing (Python, numpy, OpenCV). Each bomb's header declares about a billion pixels
(3 GB as BGR) or more; all are tiny but the JPEG one, a real photo with its frame header edited.
Before the header check (commit 3fb1109), without a memory limit
a 16 KB TIFF took 47 s and 12 GB, a WebP 1.7 GB and an RLE BMP 1.9 GB; under this 2 GiB limit, measured
once, that code's decoders failed their allocations and called the TIFF, WebP, PPM, PGM, PAM and JPEG 2000
bombs "corrupt", and the RLE BMP reached 1,050 MB (0.6 s) before failing. The test suite runs the same
bombs under the same limit (`tests/test_hostile_images.py`).

| file | size | refused with | time | peak memory |
|---|---|---|---|---|
{chr(10).join(rows)}

Every bomb is refused from the size in its own header, before any decoder runs, so the peak stays at
the baseline. OpenCV's own limits (`OPENCV_IO_MAX_IMAGE_PIXELS` and friends, set by `facegui/__init__.py`
before cv2 is imported, since OpenCV 5 reads them at import) are only the second guard: with them set,
OpenCV 5.0.0 still decoded the RLE BMP bomb to a 32000x32000 image (3 GB) when called directly, so the
header check is the one that holds for every format.
"""
    write_section("bombs", text, RELIABILITY_MD, title="# Reliability")
    print(text)


if __name__ == "__main__":
    main()
