"""Soak: the live pipeline (tracking + attendance) over the test video in a loop; memory and FPS drift.

Samples the process's resident memory (RSS) and the FPS of each pass over the clip, then fits a line
to each: a leak shows as a positive RSS slope, a slowdown as a negative FPS slope. Writes its section
of docs/reliability.md.
Run: python bench/soak.py [--minutes 20]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from facegui.config import Settings
from facegui.modelstore import ModelStore
from facegui.service import AttendanceService, Recognizer
from facegui.service.live import LiveRecognizer

from bench_tracking import video_frames
from report import ROOT, SHARED, machine_line, write_section


class SimulatedClock:
    """Video time: 30 frames make a second, so cool-downs expire as they would at a real camera."""

    def __init__(self):
        self.now = datetime.now().astimezone()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def __call__(self) -> datetime:
        return self.now


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def slope_per_minute(minutes: list[float], values: list[float]) -> float:
    return float(np.polyfit(minutes, values, 1)[0]) if len(values) > 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    faces_dir = Path(args.shared) / "faces"
    clip = video_frames(faces_dir / "video" / "short_hamilton_clip.mp4")
    samples: list[tuple[float, float, float]] = []  # (minute, rss MB, fps of the pass)
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(Path(args.shared) / "models")
        settings = Settings(data_dir=Path(tmp) / "data", model_dir=models, execution_provider="cpu",
                            log_unknown_faces=True)
        clock = SimulatedClock()
        with Recognizer.open(settings) as recognizer, \
                AttendanceService.open(settings, recognizer.gallery, clock=clock) as attendance:
            recognizer.enroll_file(faces_dir / "probes" / "lin-manuel-miranda.png", "lin")
            start = time.perf_counter()
            passes = events = 0
            while time.perf_counter() - start < args.minutes * 60:
                live = LiveRecognizer(recognizer, attendance, "soak")
                pass_start = time.perf_counter()
                for frame in clip:
                    clock.advance(1 / 30)
                    events += len(live.process(frame)[1])
                passes += 1
                samples.append(((time.perf_counter() - start) / 60, rss_mb(),
                                len(clip) / (time.perf_counter() - pass_start)))
                print(f"pass {passes}: {samples[-1][0]:.1f} min, RSS {samples[-1][1]:.0f} MB, "
                      f"{samples[-1][2]:.1f} FPS", flush=True)
    warm = samples[len(samples) // 10:] or samples  # the first passes fill caches and the allocator
    minutes, rss, fps = ([s[i] for s in warm] for i in range(3))
    rss_slope, fps_slope = slope_per_minute(minutes, rss), slope_per_minute(minutes, fps)
    text = f"""## Soak

{machine_line()} Made by `python bench/soak.py --minutes {args.minutes:g}`: the live pipeline with tracking
and attendance logging (unknown faces logged too) over the test video in a loop, {passes} passes,
{passes * len(clip):,} frames, {events} check-ins written (the clock advances with the frames, so
cool-downs expire). The first tenth of the passes is left out of the fits (caches and allocator warming up).

| | first pass | after warm-up: start | end | min | max | linear trend |
|---|---|---|---|---|---|---|
| RSS (MB) | {samples[0][1]:.0f} | {rss[0]:.0f} | {rss[-1]:.0f} | {min(rss):.0f} | {max(rss):.0f} | {rss_slope:+.2f} MB/min |
| FPS per pass | {samples[0][2]:.1f} | {fps[0]:.1f} | {fps[-1]:.1f} | {min(fps):.1f} | {max(fps):.1f} | {fps_slope:+.3f} FPS/min |

Median FPS {statistics.median(fps):.1f}."""
    print(text)
    write_section("soak", text, ROOT / "docs" / "reliability.md", title="# Reliability")


if __name__ == "__main__":
    main()
