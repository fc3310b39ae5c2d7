"""Several cameras in one window: frames recognised per second per camera, and the process's CPU time.

The test video is shown as 1, 2 and 4 cameras at once (unpaced, looping), all recognised in the window's one
camera thread on one set of model sessions (gui/core/camera_worker.py over service/streams.py), with one person
enrolled. The figures depend on what else loads the machine, which is why they live here and not in a test.

Writes the ``gui-cameras`` section of docs/benchmarks.md.
Run: QT_QPA_PLATFORM=offscreen python bench/bench_gui_cameras.py [--shared ../shared] [--seconds 15]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from facegui.config import Settings  # noqa: E402
from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.modelstore import ModelStore  # noqa: E402
from facegui.service import Recognizer  # noqa: E402
from qt_loop import application, run_for  # noqa: E402
from report import SHARED, machine_line, write_section  # noqa: E402

WARM_UP_S = 4.0
CAMERA_COUNTS = (1, 2, 4)
PACED_COUNTS = (1, 2)


def one_count(recognizer: Recognizer, folder: Path, video: Path, count: int, seconds: float,
              paced: bool = False) -> tuple[float, float]:
    """(frames recognised per second per camera, CPU time over wall time in % of one core); ``paced``
    plays the file at its own frame rate, as a camera delivers frames."""
    sources = []
    for n in range(count):
        link = folder / f"door-{n}.mp4"
        if not link.exists():
            link.symlink_to(video)
        sources.append(str(link))
    store = PreferenceStore(folder / f"gui-{count}-{paced}.ini")
    store.save(replace(store.load(), camera_source=sources[0], more_sources=tuple(sources[1:]),
                       pace_video_files=paced, loop_video_files=True))
    window = MainWindow(AppContext(recognizer, store=store, config_file=folder / "settings.json"))
    window.show()
    window.camera.start()
    run_for(WARM_UP_S)
    worker = window.camera.worker
    frames, cpu, wall = worker._index, time.process_time(), time.monotonic()
    run_for(seconds)
    frames, cpu, wall = worker._index - frames, time.process_time() - cpu, time.monotonic() - wall
    window.shutdown()
    window.close()
    window.deleteLater()
    return frames / wall / count, 100 * cpu / wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    faces = Path(args.shared) / "faces"
    application()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ModelStore([], folder / "models").install_from(Path(args.shared) / "models")
        settings = Settings(data_dir=folder / "data", model_dir=folder / "models")
        with Recognizer.open(settings) as recognizer:
            recognizer.enroll_file(faces / "probes" / "lin-manuel-miranda.png", "Lin-Manuel Miranda")
            video = faces / "video" / "short_hamilton_clip.mp4"
            for count in CAMERA_COUNTS:
                fps, cpu = one_count(recognizer, folder, video, count, args.seconds)
                rows.append(f"| {count} | {fps:.1f} | {fps * count:.1f} | {cpu:.0f}% |")
                print(rows[-1], flush=True)
            for count in PACED_COUNTS:
                fps, cpu = one_count(recognizer, folder, video, count, args.seconds, paced=True)
                rows.append(f"| {count}, each at the video's own rate | {fps:.1f} | {fps * count:.1f} | {cpu:.0f}% |")
                print(rows[-1], flush=True)
    text = "\n".join([
        "## Several cameras in one window",
        "",
        machine_line() + f" Made by `python bench/bench_gui_cameras.py`: the test video as 1, 2 and 4 cameras "
        f"at once (unpaced, looping; then 1 and 2 played at the video's own frame rate, as cameras deliver "
        f"frames), the GUI thread idle in its event loop between events, {args.seconds:.0f} s each after {WARM_UP_S:.0f} s of warm-up, one person "
        "enrolled, tracking on, all cameras recognised in the window's one camera thread on one set of model "
        "sessions. Frames recognised, not frames drawn (the view shows the newest). Load average at the end: "
        f"{os.getloadavg()[0]:.1f} (other work shared the machine).",
        "",
        "| cameras | FPS per camera | FPS in all | process CPU (of one core) |",
        "|---|---|---|---|",
        *rows,
    ])
    write_section("gui-cameras", text)


if __name__ == "__main__":
    main()
