"""Each graph change of the converter, measured: the converted models against the upstream golden
outputs, the onnxruntime profiler's share of kernel time per operator, and the speed of every
variant in interleaved A/B runs (one run of each variant in turn, so a busy moment on a shared
machine hits all of them), as medians and median per-pair ratios.

Writes its section of docs/benchmarks.md. Run: python bench/bench_graph.py [--runs 300]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from report import ROOT, SHARED, machine_line, write_section

sys.path.insert(0, str(ROOT))
from facegui.config import Settings  # noqa: E402
from facegui.engine.imageio import load_image  # noqa: E402
from facegui.engine.embedder import embedder_threads  # noqa: E402
from facegui.engine.session import OnnxModel  # noqa: E402
from facegui.modelstore.convert_arcface import convert_mobilefacenet  # noqa: E402
from facegui.modelstore.convert_retinaface import FASTEST, PLAIN, DetectorGraph, convert_retinaface  # noqa: E402
from facegui.modelstore.onnx_graph import PRELU_FORM  # noqa: E402
from facegui.modelstore.torch_legacy import load_legacy_state_dict  # noqa: E402

MODELS = SHARED / "models"
EMBEDDER_FORMS = {"PRelu (before)": "prelu", "Relu(x) - s*Relu(-x)": "relu_neg", "Relu(x) + s*Min(x, 0)": "relu_min"}
DETECTOR_GRAPHS = {
    "plain (before)": PLAIN,
    "SSH ReLU per branch": DetectorGraph(relu_per_branch=True, merged_heads=False),
    "heads merged per level": DetectorGraph(relu_per_branch=False, merged_heads=True),
    "both": FASTEST,
}


def kernel_shares(model_bytes: bytes, feeds: dict, runs: int = 30) -> dict[str, float]:
    """Per-operator share of kernel time from onnxruntime's profiler (one thread, full optimisation)."""
    options = ort.SessionOptions()
    options.enable_profiling = True
    options.intra_op_num_threads = 1
    options.profile_file_prefix = str(Path(os.environ.get("TMPDIR", "/tmp")) / "facegui_graph_profile")
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    for _ in range(runs):
        session.run(None, feeds)
    profile = Path(session.end_profiling())
    spent: collections.Counter = collections.Counter()
    for event in json.loads(profile.read_text()):
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            spent[event["args"]["op_name"]] += event["dur"]
    profile.unlink()
    total = sum(spent.values())
    return {op: value / total for op, value in spent.most_common()}


def interleaved_ms(sessions: dict[str, OnnxModel], feeds: dict, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sessions}
    for model in sessions.values():
        model.run(feeds)  # warm-up
    for _ in range(runs):
        for name, model in sessions.items():
            started = time.perf_counter()
            model.run(feeds)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def ratio(times: dict[str, list[float]], name: str, baseline: str) -> float:
    return statistics.median(b / a for a, b in zip(times[name], times[baseline]))


def top_ops(shares: dict[str, float], count: int = 3) -> str:
    return ", ".join(f"{op} {100 * share:.0f}%" for op, share in list(shares.items())[:count])


def embedder_rows(runs: int, settings: Settings) -> tuple[list[str], dict]:
    weights = load_legacy_state_dict(MODELS / "arcface_mobilefacenet.pth")
    golden = np.load(MODELS / "arcface_mobilefacenet_golden.npz")
    graphs = {name: convert_mobilefacenet(weights, prelu_form=form).SerializeToString()
              for name, form in EMBEDDER_FORMS.items()}
    sessions = {name: OnnxModel.load(data, settings, embedder_threads(settings)) for name, data in graphs.items()}
    reference = sessions["PRelu (before)"].run({"input": golden["input"]})[0]
    one_chip = {"input": golden["input"][:1]}
    times = interleaved_ms(sessions, one_chip, runs)
    rows = []
    for name, data in graphs.items():
        out = sessions[name].run({"input": golden["input"]})[0]
        rows.append(f"| embedder | {name}{' **(emitted)**' if EMBEDDER_FORMS[name] == PRELU_FORM else ''} | "
                    f"{np.abs(out - golden['embedding']).max():.1e} | {np.abs(out - reference).max():.1e} | "
                    f"{top_ops(kernel_shares(data, one_chip))} | {statistics.median(times[name]):.2f} ms | "
                    f"{ratio(times, name, 'PRelu (before)'):.2f}x |")
    return rows, times


def detector_rows(runs: int, settings: Settings) -> tuple[list[str], dict]:
    weights = load_legacy_state_dict(MODELS / "Retinaface_mobilenet0.25.pth")
    golden = np.load(MODELS / "retinaface_mobilenet0.25_golden.npz")
    crop = load_image(SHARED / "faces" / "probes" / "obama-480p.jpg", settings.max_image_pixels)[:, 106:746]
    feeds = {"input": (crop.astype(np.float32) - np.array([104, 117, 123], np.float32)).transpose(2, 0, 1)[None].copy()}
    graphs = {name: convert_retinaface(weights, graph).SerializeToString() for name, graph in DETECTOR_GRAPHS.items()}
    sessions = {name: OnnxModel.load(data, settings) for name, data in graphs.items()}
    reference = sessions["plain (before)"].run(feeds)
    times = interleaved_ms(sessions, feeds, runs)
    rows = []
    for name, data in graphs.items():
        loc, conf, landmarks = sessions[name].run(feeds)
        faces = golden["index"]
        golden_diff = max(np.abs(conf[0, :, 1] - golden["face_score"]).max(),
                          np.abs(loc[0, faces] - golden["loc"]).max(),
                          np.abs(landmarks[0, faces] - golden["landmarks"]).max())
        plain_diff = max(np.abs(a - b).max() for a, b in zip((loc, conf, landmarks), reference))
        rows.append(f"| detector 640x480 | {name}{' **(emitted)**' if DETECTOR_GRAPHS[name] == FASTEST else ''} | "
                    f"{golden_diff:.1e} | {plain_diff:.1e} | {top_ops(kernel_shares(data, feeds))} | "
                    f"{statistics.median(times[name]):.2f} ms | {ratio(times, name, 'plain (before)'):.2f}x |")
    return rows, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="interleaved runs of each variant")
    args = parser.parse_args()
    settings = Settings()  # the app's session options: the detector on one thread per physical core, the embedder on its own (one), no spinning
    embedder, _ = embedder_rows(args.runs, settings)
    detector, _ = detector_rows(max(args.runs // 3, 30), settings)
    text = f"""## Converter graphs

{machine_line()} Made by `python bench/bench_graph.py --runs {args.runs}`; the machine was shared with other
work, so only the medians and the per-pair ratios mean something. Each variant of a converted model is
checked against the upstream PyTorch golden outputs (`../shared/models/*_golden.npz`: max abs difference;
a correct conversion is within about 1e-4) and against the graph before the change, profiled with
onnxruntime's profiler (share of kernel time, one thread) and timed with the app's session options in
interleaved runs: {args.runs} of the embedder (one 112x112 chip), {max(args.runs // 3, 30)} of the detector (the
golden 640x480 crop). Speed-up is the median over runs of (time before / time of the variant).

| model | graph | vs golden | vs before | profiler: top kernels | median | speed-up |
|---|---|---|---|---|---|---|
{chr(10).join(embedder + detector)}

The converter emits the rows marked **(emitted)**. onnxruntime's PRelu kernel broadcasts a per-channel
(C,1,1) slope slowly; written as ReLU, Min, Mul and Add the same function runs on fast element-wise
kernels. In the detector LeakyReLU is already fused into each convolution and convolutions take over
90% of the time, so the gains there are small: SSH's ReLU moved before the concat fuses into the branch
convolutions, and the nine 1x1 heads become three convolutions and three transposes."""
    print(text)
    write_section("graphs", text)


if __name__ == "__main__":
    main()
