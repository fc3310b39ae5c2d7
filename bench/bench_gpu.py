"""Per-frame latency and throughput with each execution provider this machine really offers.

Meant to be run once on a machine with an NVIDIA GPU (onnxruntime-gpu, CUDA 13, cuDNN 9). Every
provider is checked by what the session really got, so a CUDA run that fell back to the CPU is
reported as such and never as a GPU number. Writes its section of docs/benchmarks.md.
Run: python bench/bench_gpu.py [--shared ../shared] [--frames 200]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from facegui.config import Settings
from facegui.modelstore import ModelStore
from facegui.service import Recognizer

from bench_tracking import video_frames
from report import SHARED, machine_line, write_section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(SHARED))
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    faces_dir = Path(args.shared) / "faces"
    frames = video_frames(faces_dir / "video" / "short_hamilton_clip.mp4")[:args.frames]
    out = ["## Execution providers (every face embedded on every frame, test video 640x360)", "",
           machine_line(), "",
           "| asked for | session got | ms / frame | FPS | faces / s |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        ModelStore([], models).install_from(Path(args.shared) / "models")
        for provider in ("cpu", "cuda"):
            settings = Settings(data_dir=Path(tmp) / provider, model_dir=models, execution_provider=provider)
            with Recognizer.open(settings) as recognizer:
                recognizer.enroll_file(faces_dir / "probes" / "lin-manuel-miranda.png", "lin")
                got = ", ".join(recognizer.engine.embedder.model.providers)
                recognizer.identify(frames[0])  # warm-up: CUDA builds its kernels on the first run
                faces = 0
                start = time.perf_counter()
                for frame in frames:
                    faces += len(recognizer.identify(frame))
                elapsed = time.perf_counter() - start
            out.append(f"| {provider} | {got} | {1000 * elapsed / len(frames):.1f} | {len(frames) / elapsed:.1f} "
                       f"| {faces / elapsed:.1f} |")
            print(out[-1], flush=True)
    out += ["", "A row whose session got only CPUExecutionProvider after asking for CUDA means CUDA was not "
            "usable on that machine: it is a CPU number."]
    text = "\n".join(out)
    print(text)
    write_section("providers", text)


if __name__ == "__main__":
    main()
