"""The window's event loop while the camera worker recognises the test video at full speed.

A 10 ms QTimer runs on the GUI thread; each tick records how late it fired. Recognition runs on the
worker thread, so the ticks should stay on time whatever the models cost. The figures depend on what
else loads the machine, which is why they live here and not in a test
(tests/test_gui.py checks the structural part: recognition never runs on the GUI thread).

Writes the ``gui-latency`` section of docs/benchmarks.md.
Run: QT_QPA_PLATFORM=offscreen python bench/bench_gui_latency.py [--shared ../shared] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402

from facegui.config import Settings  # noqa: E402
from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.modelstore import ModelStore  # noqa: E402
from facegui.service import Recognizer  # noqa: E402
from qt_loop import application, wait_until  # noqa: E402
from report import SHARED, machine_line, write_section  # noqa: E402

TICK_MS = 10
TICKS = 300


def one_round(recognizer: Recognizer, store: PreferenceStore, config: Path) -> tuple[list[int], int]:
    window = MainWindow(AppContext(recognizer, store=store, config_file=config))
    window.show()
    frames: list[object] = []
    window.camera.frameShown.connect(frames.append)
    window.camera.start()
    wait_until(lambda: len(frames) >= 3)
    lateness: list[int] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: lateness.append(clock.restart() - TICK_MS))
    first = len(frames)
    clock.start()
    timer.start()
    wait_until(lambda: len(lateness) >= TICKS)
    timer.stop()
    rendered = len(frames) - first
    window.shutdown()
    window.close()
    window.deleteLater()
    return lateness, rendered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    faces = Path(args.shared) / "faces"
    application()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(Path(args.shared) / "models")
        settings = Settings(data_dir=Path(tmp) / "data", model_dir=models, execution_provider="cpu")
        store = PreferenceStore(Path(tmp) / "gui.ini")
        store.save(replace(store.load(), camera_source=str(faces / "video" / "short_hamilton_clip.mp4"),
                           pace_video_files=False, loop_video_files=True))
        with Recognizer.open(settings) as recognizer:
            recognizer.enroll_file(faces / "probes" / "lin-manuel-miranda.png", "lin")
            for index in range(args.rounds):
                lateness, rendered = one_round(recognizer, store, Path(tmp) / "settings.json")
                lateness.sort()
                rows.append((index + 1, statistics.median(lateness), lateness[int(len(lateness) * 0.95)],
                             lateness[-1], sum(1 for ms in lateness if ms >= 50), rendered))
    lines = [
        "## The window's event loop while the camera worker runs",
        "",
        machine_line() + f" Made by `python bench/bench_gui_latency.py`: a {TICK_MS} ms timer on the GUI "
        f"thread, {TICKS} ticks per round, while the worker recognises the test video at full speed "
        "(one person enrolled, tracking on), the GUI thread idle in its event loop between events.",
        "",
        "| round | median late (ms) | p95 late (ms) | worst (ms) | ticks ≥ 50 ms late | frames rendered |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {r} | {med:g} | {p95} | {worst} | {late} | {frames} |" for r, med, p95, worst, late, frames in rows]
    write_section("gui-latency", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
