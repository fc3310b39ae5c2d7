"""Live pipeline with tracking and adaptive detection: FPS, embedding calls, lost faces, hot spots.

Scenarios: a still 640x480 camera view with one face and with four faces (real photos / a real video
frame, letterboxed), and the whole test video (640x360, 275 frames) as a webcam would deliver it.
Prints Markdown and writes its section of docs/benchmarks.md.
Run: python bench/bench_tracking.py [--shared ../shared] [--frames 300]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import queue
import threading
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from facegui.config import Settings
from facegui.engine import load_image
from facegui.modelstore import ModelStore
from facegui.service import Recognizer
from facegui.service.live import LiveRecognizer

from bench_pipeline import letterbox
from report import SHARED, machine_line, write_section


def video_frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame)


MODES = {"every face, every frame": dict(tracking=False),
         "tracked": dict(tracking=True, adaptive_detection=False),
         "tracked + adaptive": dict(tracking=True, adaptive_detection=True)}


def run(recognizer: Recognizer, frames: list[np.ndarray], mode: str) -> dict:
    """The stream as the window's camera worker recognises it, with the mode's settings."""
    settings = recognizer.settings.replace(**MODES[mode])
    live = LiveRecognizer(Recognizer(recognizer.engine, recognizer.gallery, settings))
    counts = []
    start = time.perf_counter()
    for frame in frames:
        counts.append(len(live.recognize(frame)))
    elapsed = time.perf_counter() - start
    embed_calls = live.tracker.embed_calls if live.tracker else len(frames)
    return {"fps": len(frames) / elapsed, "ms": 1000 * elapsed / len(frames), "embed_calls": embed_calls,
            "counts": counts}


def iou(a: np.ndarray, b: np.ndarray) -> float:
    top_left, bottom_right = np.maximum(a[:2], b[:2]), np.minimum(a[2:], b[2:])
    inter = float(np.prod(np.clip(bottom_right - top_left, 0, None)))
    return inter / max(float(np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2])) - inter, 1e-9)


def compare_with_untracked(recognizer: Recognizer, frames: list[np.ndarray], mode: str = "tracked") -> dict:
    """Frame by frame: every face the tracked run names must be named the same by the untracked run
    (a fresh embedding of that very frame); a held name that it scores below the threshold is wrong."""
    def play(chosen: str) -> list:
        settings = recognizer.settings.replace(**MODES[chosen])
        live = LiveRecognizer(Recognizer(recognizer.engine, recognizer.gallery, settings))
        return [live.recognize(frame) for frame in frames]

    tracked, untracked = play(mode), play("every face, every frame")
    named = wrong = fresh = 0
    worst = []
    for index, (shown, plain) in enumerate(zip(tracked, untracked)):
        for face in shown:
            fresh += face.fresh
            if not face.recognition.is_known:
                continue
            named += 1
            same = max(plain, key=lambda p: iou(p.recognition.face.bbox, face.recognition.face.bbox), default=None)
            if same is None or iou(same.recognition.face.bbox, face.recognition.face.bbox) < 0.5 \
                    or same.recognition.name != face.recognition.name:
                wrong += 1
                worst.append(f"frame {index}: {face.recognition.name} (untracked: "
                             f"{same.recognition.name if same else 'no face'})")
    untracked_named = sum(p.recognition.is_known for plain in untracked for p in plain)
    return {"named": named, "wrong": wrong, "untracked_named": untracked_named, "fresh": fresh,
            "faces": sum(len(s) for s in tracked), "examples": worst[:5]}


def evidence_section(recognizer: Recognizer, clip: list[np.ndarray]) -> str:
    result = compare_with_untracked(recognizer, clip)
    return "\n".join([
        "## Tracked names against an untracked run, frame by frame", "",
        machine_line() + " Made by `python bench/bench_tracking.py --evidence-only` (also part of the full run).",
        "", "The test video with the gallery, `lin` and `alex` enrolled. Each face the tracked run names is "
        "looked up in an untracked run of the same frame (a fresh embedding of every face, matched by box "
        "overlap ≥ 0.5); the tracked name is wrong if the untracked run does not give that same name, i.e. "
        "scores it below the threshold.", "",
        "| faces shown | named by the tracked run | of them wrong | named by the untracked run | "
        "faces embedded (tracked) |", "|---|---|---|---|---|",
        f"| {result['faces']} | {result['named']} | **{result['wrong']}** | {result['untracked_named']} | "
        f"{result['fresh']} |", "",
        *(["Wrong frames: " + "; ".join(result["examples"])] if result["examples"] else
          ["No frame names a face the untracked run scores below the threshold. Where the two runs differ, "
           "the tracked run shows unknown: it holds an unknown look between embeddings, and names a face "
           "only when the track's mean embedding agrees with that frame's."]),
    ])


def decode_and_recognise(recognizer: Recognizer, video: Path, pipelined: bool) -> float:
    """FPS over the video file, decoding included: in one thread, or with decoding in a reader thread
    (as the window's camera worker does) so it overlaps inference."""
    capture = cv2.VideoCapture(str(video))
    live = LiveRecognizer(recognizer)
    frames = queue.Queue(maxsize=2)

    def read_all():
        while True:
            ok, frame = capture.read()
            frames.put(frame if ok else None)
            if not ok:
                return

    start = time.perf_counter()
    count = 0
    if pipelined:
        reader = threading.Thread(target=read_all, daemon=True)
        reader.start()
        while (frame := frames.get()) is not None:
            live.recognize(frame)
            count += 1
    else:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            live.recognize(frame)
            count += 1
    return count / (time.perf_counter() - start)


def hot_spots(recognizer: Recognizer, frames: list[np.ndarray], top: int = 6) -> list[str]:
    """Functions by own time, as a share of the whole loop; onnxruntime's run is the models' time."""
    live = LiveRecognizer(recognizer)
    profiler = cProfile.Profile()
    profiler.enable()
    for frame in frames:
        live.recognize(frame)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
    return [f"| `{Path(file).name}:{line} {name}` | {100 * tt / total:.1f}% |"
            for (file, line, name), (_cc, _nc, tt, _ct, _callers) in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--evidence-only", action="store_true",
                        help="only the frame-by-frame comparison of tracked and untracked names")
    args = parser.parse_args()
    faces_dir = Path(args.shared) / "faces"
    clip = video_frames(faces_dir / "video" / "short_hamilton_clip.mp4")
    max_pixels = Settings().max_image_pixels
    still_one = np.ascontiguousarray(load_image(faces_dir / "probes" / "obama-480p.jpg", max_pixels)[:, 106:746])
    still_four = letterbox(clip[230])
    scenarios = {"still 640x480, 1 face": [still_one] * args.frames,
                 "still 640x480, 4 faces": [still_four] * args.frames,
                 f"test video 640x360, {len(clip)} frames": clip}
    modes = tuple(MODES)
    out = ["## Live pipeline: tracking and adaptive detection", "",
           machine_line() + " onnxruntime threads: default (one per core), no spinning. "
           "Made by `python bench/bench_tracking.py`.", "",
           "| scenario | mode | FPS | ms / frame | embedding calls | faces found |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(Path(args.shared) / "models")
        settings = Settings(data_dir=Path(tmp) / "data", model_dir=models, execution_provider="cpu")
        with Recognizer.open(settings) as recognizer:
            recognizer.encode_folder(sorted((faces_dir / "gallery").iterdir()))
            recognizer.enroll_file(faces_dir / "probes" / "lin-manuel-miranda.png", "lin")
            recognizer.enroll_file(faces_dir / "probes" / "alex-lacamoire.png", "alex")
            evidence = evidence_section(recognizer, clip)
            print(evidence, flush=True)
            write_section("tracking-evidence", evidence)
            if args.evidence_only:
                return
            lost = {}
            for scenario, frames in scenarios.items():
                results = {}
                for mode in modes:
                    results[mode] = result = run(recognizer, frames, mode)
                    out.append(f"| {scenario} | {mode} | **{result['fps']:.1f}** | {result['ms']:.1f} | "
                               f"{result['embed_calls']} of {len(frames)} frames | {sum(result['counts'])} |")
                    print(out[-1], flush=True)
                reference = results["every face, every frame"]["counts"]
                lost[scenario] = sum(max(a - b, 0) for a, b in
                                     zip(reference, results["tracked + adaptive"]["counts"]))
            video = faces_dir / "video" / "short_hamilton_clip.mp4"
            serial = decode_and_recognise(recognizer, video, pipelined=False)
            overlapped = decode_and_recognise(recognizer, video, pipelined=True)
            out += ["", "### Pipelining: decoding the video file in the same thread or in a reader thread (tracked)", "",
                    "| decoding | FPS, decode included |", "|---|---|",
                    f"| same thread | {serial:.1f} |", f"| reader thread (the window's camera worker) | {overlapped:.1f} |"]
            verdict = ("It loses faces, so adaptive detection stays **off by default** (setting "
                       "`adaptive_detection`)." if any(lost.values()) else
                       "It loses no face here, so it could be on by default.")
            out += ["", "Faces that adaptive detection missed against full-size detection on every frame: "
                    + "; ".join(f"{k}: {v}" for k, v in lost.items()) + ". " + verdict, "",
                    "### Where the time goes (tracked, test video, cProfile own time)", "",
                    "| function | share of loop time |", "|---|---|", *hot_spots(recognizer, clip)]
    text = "\n".join(out)
    print(text)
    write_section("tracking", text)


if __name__ == "__main__":
    main()
