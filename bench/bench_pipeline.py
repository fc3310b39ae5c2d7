"""Per-stage latency, end-to-end FPS and enrollment throughput of the engine on this machine.

Frames are 640x480 crops of real photos from ../shared/faces (one face: obama-480p.jpg centre crop;
two faces: two_people.jpg letterboxed). Prints a Markdown table and writes docs/benchmarks.md.
Run: python bench/bench_pipeline.py [--shared ../shared] [--seconds 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from facegui.config import Settings
from facegui.engine import load_image
from facegui.engine.align import align_faces
from facegui.engine.matcher import match_faces
from facegui.modelstore import ModelStore
from facegui.service import Recognizer, load_engine

ROOT = Path(__file__).resolve().parents[1]


def frames(faces_dir: Path) -> dict[str, np.ndarray]:
    max_pixels = Settings().max_image_pixels
    one = load_image(faces_dir / "probes" / "obama-480p.jpg", max_pixels)[:, 106:746]
    two_src = load_image(faces_dir / "probes" / "two_people.jpg", max_pixels)
    scale = 640 / two_src.shape[1]
    resized = cv2.resize(two_src, (640, round(two_src.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    two = np.zeros((480, 640, 3), np.uint8)
    top = (480 - resized.shape[0]) // 2
    two[top:top + resized.shape[0]] = resized
    return {"1 face": np.ascontiguousarray(one), "2 faces": two}


def timed(fn, seconds: float) -> list[float]:
    fn()  # warm-up
    samples, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 20:
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def ms(samples: list[float]) -> float:
    return statistics.median(samples)


def stage_table(recognizer: Recognizer, images: dict[str, np.ndarray], seconds: float) -> list[str]:
    engine, gallery = recognizer.engine, recognizer.gallery
    rows = []
    for label, image in images.items():
        faces = engine.detect(image)
        chips = align_faces(image, faces, engine.embedder.chip_size)
        embedded = engine.embed(image, faces)
        detect = ms(timed(lambda: engine.detect(image), seconds))
        align = ms(timed(lambda: align_faces(image, faces, engine.embedder.chip_size), seconds))
        embed = ms(timed(lambda: engine.embedder.embed(chips), seconds))
        match = ms(timed(lambda: match_faces(embedded, gallery, recognizer.settings.similarity_threshold), seconds))
        total = ms(timed(lambda: recognizer.identify(image), seconds))
        onnx_only = detect + embed
        overhead = max(total - onnx_only, 0.0) + align + match - align - match  # everything but the two runs
        rows.append(f"| {label} ({len(faces)} found) | {detect:.2f} | {align:.3f} | {embed / max(len(faces), 1):.2f} "
                    f"| {match:.3f} | {total:.2f} | {1000 / total:.1f} | {100 * overhead / total:.1f}% |")
    return rows


def enrollment_rate(recognizer: Recognizer, faces_dir: Path) -> tuple[int, float]:
    paths = sorted((faces_dir / "gallery").iterdir())
    start = time.perf_counter()
    summary = recognizer.encode_folder(paths)
    return summary.count("enrolled"), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    shared = Path(args.shared)
    images = frames(shared / "faces")
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}, onnxruntime {ort.__version__} (CPUExecutionProvider), "
        f"OpenCV {cv2.__version__}. Date: {dt.date.today().isoformat()}. "
        f"Made by `python bench/bench_pipeline.py`; medians over {args.seconds:.0f} s per cell.",
        "",
        "## Engine per stage, 640x480 frame (ms)",
        "",
        "Overhead is everything but the two onnxruntime calls (decode, NMS, alignment, blob building, search).",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(shared / "models")
        configs = [("2 threads/model, no spinning (default)", dict(intra_op_threads=0, allow_spinning=False)),
                   ("2 threads/model, spinning", dict(intra_op_threads=2, allow_spinning=True)),
                   ("1 thread/model, no spinning", dict(intra_op_threads=1, allow_spinning=False))]
        for title, overrides in configs:
            settings = Settings(data_dir=Path(tmp) / title[:1], model_dir=models, execution_provider="cpu",
                                **overrides)
            with Recognizer.open(settings) as recognizer:
                recognizer.encode_folder(sorted((shared / "faces" / "gallery").iterdir()))
                lines += ["", f"### {title}", "",
                          "| frame | detect | align | embed / face | match | end to end | FPS | overhead |",
                          "|---|---|---|---|---|---|---|---|", *stage_table(recognizer, images, args.seconds)]
            print("\n".join(lines[-6:]), flush=True)
        settings = Settings(data_dir=Path(tmp) / "enroll", model_dir=models, execution_provider="cpu")
        with Recognizer.open(settings) as recognizer:
            count, seconds = enrollment_rate(recognizer, shared / "faces")
        lines += ["", "## Enrollment", "",
                  f"`encode` of gallery/ ({count} photos, 0.6 to 2 megapixels each, decode + detect + embed + "
                  f"store): {seconds:.2f} s, {count / seconds:.1f} images/s.", ""]
        flip_settings = Settings(data_dir=Path(tmp) / "flip", model_dir=models, execution_provider="cpu",
                                 embed_flip=True)
        engine = load_engine(flip_settings, ModelStore([], models))
        chips = align_faces(images["1 face"], engine.detect(images["1 face"]), engine.embedder.chip_size)
        flip_ms = ms(timed(lambda: engine.embedder.embed(chips), args.seconds))
        engine.embedder.flip = False
        plain_ms = ms(timed(lambda: engine.embedder.embed(chips), args.seconds))
        lines += ["## Flip-averaging (setting embed_flip)", "",
                  f"Embedding one face: {plain_ms:.2f} ms plain, {flip_ms:.2f} ms with the mirrored copy in the "
                  f"same batch. Off by default: on the dev photos it does not change any decision "
                  f"(see `bench/threshold.py`), and it costs the difference above on every face.", ""]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
