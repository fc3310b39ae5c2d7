"""Per-stage latency, end-to-end FPS and enrollment throughput of the engine.

Frames are 640x480 views of real photos from ../shared/faces (one face: obama-480p.jpg, centre crop;
two faces: two_people.jpg, letterboxed). Prints Markdown and writes its section of docs/benchmarks.md.
Run: python bench/bench_pipeline.py [--shared ../shared] [--seconds 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from facegui.config import Settings
from facegui.engine import load_image
from facegui.engine.align import align_faces
from facegui.engine.matcher import match_faces
from facegui.modelstore import ModelStore
from facegui.service import Recognizer

from report import SHARED, machine_line, write_section

THREAD_CONFIGS = (
    ("default: the detector on one thread per core, the embedder on one with a frame's faces on every core at "
     "once, no spinning",
     dict(intra_op_threads=0, embedder_threads=1, allow_spinning=False)),
    ("both models on one thread per core, no spinning (the default before 2026-12-06)",
     dict(intra_op_threads=0, embedder_threads=0, allow_spinning=False)),
    ("both models on 2 threads, spinning", dict(intra_op_threads=2, embedder_threads=0, allow_spinning=True)),
    ("both models on 1 thread, no spinning", dict(intra_op_threads=1, embedder_threads=0, allow_spinning=False)),
)


def letterbox(image: np.ndarray, width: int = 640, height: int = 480) -> np.ndarray:
    scale = min(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                         interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    canvas[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    return canvas


def test_frames(faces_dir: Path) -> dict[str, np.ndarray]:
    max_pixels = Settings().max_image_pixels
    one = load_image(faces_dir / "probes" / "obama-480p.jpg", max_pixels)[:, 106:746]
    two = letterbox(load_image(faces_dir / "probes" / "two_people.jpg", max_pixels))
    return {"1 face": np.ascontiguousarray(one), "2 faces": two}


def median_ms(fn, seconds: float) -> float:
    fn()  # warm-up
    samples, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 20:
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def stage_rows(recognizer: Recognizer, frames: dict[str, np.ndarray], seconds: float) -> list[str]:
    engine, gallery, threshold = recognizer.engine, recognizer.gallery, recognizer.settings.similarity_threshold
    detector_input = engine.detector
    rows = []
    for label, image in frames.items():
        faces = engine.detect(image)
        chips = align_faces(image, faces, engine.embedder.chip_size)
        embedded = engine.embed(image, faces)
        blob = detector_input.network_input(image, *detector_input.input_shape(*image.shape[:2]))
        embedder = engine.embedder
        chip_blobs = embedder.network_inputs(chips)  # the model's calls as the embedder makes them
        detect_run = median_ms(lambda: detector_input.model.run({detector_input.input_name: blob}), seconds)
        embed_run = median_ms(lambda: embedder.model.run_many([{embedder.input_name: b} for b in chip_blobs],
                                                              embedder.calls_at_once), seconds)
        detect = median_ms(lambda: engine.detect(image), seconds)
        align = median_ms(lambda: align_faces(image, faces, engine.embedder.chip_size), seconds)
        embed = median_ms(lambda: engine.embedder.embed(chips), seconds)
        match = median_ms(lambda: match_faces(embedded, gallery, threshold), seconds)
        total = median_ms(lambda: recognizer.identify(image), seconds)
        own = (detect - detect_run) + align + (embed - embed_run) + match
        switching = total - (detect + align + embed + match)
        rows.append(f"| {label} ({len(faces)} found) | {detect:.2f} | {align:.2f} | {embed:.2f} | {match:.2f} "
                    f"| {detect_run + embed_run:.2f} | {total:.2f} | **{1000 / total:.1f}** "
                    f"| {own:.2f} ({100 * own / total:.0f}%) | {switching:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    shared = Path(args.shared)
    frames = test_frames(shared / "faces")
    gallery_paths = sorted((shared / "faces" / "gallery").iterdir())
    out = [
        "## Engine, 640x480 frame, no tracking",
        "",
        machine_line() + f" Made by `python bench/bench_pipeline.py`; medians over {args.seconds:g} s per cell.",
        "Times in ms. *detect* and *embed* include their pre- and post-processing; *embed* is the whole batch. "
        "*ORT* is the onnxruntime calls alone, the detector's and then the embedder's as the engine makes them "
        "(a face's call each, as many at once as there are cores: setting `embed_calls_at_once`). *Own overhead* is everything of ours "
        "around them (blob building, prior decoding, NMS, alignment, normalisation, search), as a share of the "
        "end-to-end time. *Switching* is what the end-to-end time adds to the sum of the stages: the stages "
        "are timed here each in a loop of its own, with warm caches, but in a frame each runs after a network "
        "run has left the caches cold, at several times that cost (the `targets` section of "
        "bench/bench_tracking.py times them inline, step by step); it varies most from run to run on this "
        "shared 2-core VM. OpenCV runs on one thread (setting `opencv_threads`).",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(shared / "models")
        for index, (title, overrides) in enumerate(THREAD_CONFIGS):
            settings = Settings(data_dir=Path(tmp) / f"data{index}", model_dir=models, execution_provider="cpu",
                                **overrides)
            with Recognizer.open(settings) as recognizer:
                recognizer.encode_folder(gallery_paths)
                out += ["", f"### {title}", "",
                        "| frame | detect | align | embed | match | ORT | end to end | FPS | own overhead | switching |",
                        "|---|---|---|---|---|---|---|---|---|---|", *stage_rows(recognizer, frames, args.seconds)]
            print("\n".join(out[-6:]), flush=True)

        settings = Settings(data_dir=Path(tmp) / "enroll", model_dir=models, execution_provider="cpu")
        with Recognizer.open(settings) as recognizer:
            start = time.perf_counter()
            enrolled = recognizer.encode_folder(gallery_paths).count("enrolled")
            seconds = time.perf_counter() - start
            image = frames["1 face"]
            chips = align_faces(image, recognizer.engine.detect(image), recognizer.engine.embedder.chip_size)
            plain = median_ms(lambda: recognizer.engine.embedder.embed(chips), args.seconds)
            recognizer.engine.embedder.flip = True
            flipped = median_ms(lambda: recognizer.engine.embedder.embed(chips), args.seconds)
    out += ["", "### Enrollment", "",
            f"`encode` of gallery/ ({enrolled} photos of 0.5 to 1.5 megapixels: decode, detect, embed, store): "
            f"{seconds:.2f} s, **{enrolled / seconds:.1f} images/s**.",
            "", "### Flip-averaging (setting `embed_flip`)", "",
            f"Embedding one face: {plain:.2f} ms plain, {flipped:.2f} ms with its mirror image (one more network "
            "call on the CPU, run beside the first on another core as `embed_calls_at_once` allows; the same batch "
            "on CUDA). Off by default: `bench/threshold.py` accepts every genuine pair and no impostor without it, "
            "so it would only add cost (twice the embedder's CPU, and its wall time where no core is free)."]
    text = "\n".join(out)
    print(text)
    write_section("pipeline", text)


if __name__ == "__main__":
    main()
