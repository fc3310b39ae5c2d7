"""Shared by the benchmarks: the machine line, and writing one section of docs/benchmarks.md."""
from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

import cv2
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
SHARED = ROOT.parent / "shared"


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"Machine: {cpu}, {os.cpu_count()} logical cores; Python {platform.python_version()}, "
            f"onnxruntime {ort.__version__} (CPUExecutionProvider), OpenCV {cv2.__version__}; "
            f"date {dt.date.today().isoformat()}.")


def write_section(name: str, text: str, path: Path = BENCHMARKS_MD, title: str = "# Benchmarks") -> None:
    """Replace (or append) the section between ``<!-- bench:name -->`` markers, keeping the others."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else title + "\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    updated = pattern.sub(lambda _m: block, current) if pattern.search(current) else current.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated if updated.endswith("\n") else updated + "\n", encoding="utf-8")
