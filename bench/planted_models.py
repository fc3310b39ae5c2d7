"""Hand facegui every planted, fake, broken and hostile model of tests/test_modelstore.py, the way a
user would (``facegui models install --from FILE`` and ``facegui identify`` over a planted folder),
and report what each did: refused or not, in how long, with what peak memory.

Writes its section of docs/reliability.md. Run: python bench/planted_models.py
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import ROOT, SHARED, machine_line, write_section

sys.path.insert(0, str(ROOT))
from tests import hostile_models  # noqa: E402
from tests.legacy_pth import dumps, from_state_dict  # noqa: E402

from facegui.modelstore import DETECTOR, EMBEDDER, MODELS as SPECS, ModelStore  # noqa: E402
from facegui.modelstore.torch_legacy import load_legacy_state_dict  # noqa: E402

PROBE = SHARED / "faces" / "probes" / "two_people.jpg"
MAX_SECONDS = 120


def run(args: list[str], cwd: Path, data: Path) -> tuple[int, str, float, float]:
    """(exit code, last stderr line, seconds, peak resident MB) of one facegui process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), FACEGUI_DATA_DIR=str(data))
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "facegui", *args, "--config", str(data / "none.json")],
                                 cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
    code = os.waitstatus_to_exitcode(status)
    return code, (lines[-1] if lines else ""), seconds, usage.ru_maxrss / 1024


def planted_folder(folder: Path, real: Path, embedder: bytes) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(real / SPECS[DETECTOR].filename, folder)
    (folder / SPECS[EMBEDDER].filename).write_bytes(embedder)
    (folder / "manifest.json").write_text(json.dumps(
        {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.onnx")}))
    return folder


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        real = tmp / "real"
        ModelStore([], real).install_from(SHARED / "models")
        crafted_pth = from_state_dict(load_legacy_state_dict(SHARED / "models" / SPECS[EMBEDDER].source_name))
        crafted_pth.tensors["arcface.features.weight"].offset = 60_000
        files = {
            "fake ArcFace .onnx claiming the real weights' id (constant embedding)": hostile_models.constant_embedder(),
            "ArcFace-shaped .onnx giving NaN": hostile_models.nan_embedder(),
            "empty .onnx": b"",
            ".onnx with no inputs": hostile_models.no_input_model(),
            ".onnx declaring a 40000x40000 input": hostile_models.huge_input_embedder(),
            ".onnx with external data at ../../etc/passwd": hostile_models.external_data_embedder(),
        }
        for number, (label, data) in enumerate(files.items()):
            path = tmp / "in" / str(number) / "model.onnx"
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            target = tmp / "target" / str(number)  # holds the real models, as on a working install
            shutil.copytree(real, target)
            code, line, seconds, peak = run(["models", "install", "--from", str(path), "--models", str(target)],
                                            tmp, tmp / "data")
            installed = (target / SPECS[EMBEDDER].filename).read_bytes() != (real / SPECS[EMBEDDER].filename).read_bytes()
            rows.append(("install", label, code, installed, line, seconds, peak))
        pth = tmp / "in" / "crafted.pth"
        pth.write_bytes(dumps(crafted_pth))
        code, line, seconds, peak = run(["models", "install", "--from", str(pth), "--models", str(tmp / "target")],
                                        tmp, tmp / "data")
        rows.append(("install", "crafted .pth (offset past its storage)", code, False, line, seconds, peak))
        for label, data in [(".onnx declaring a 40000x40000 input", hostile_models.huge_input_embedder()),
                            (".onnx with no inputs", hostile_models.no_input_model()),
                            (".onnx with external data at ../../etc/passwd", hostile_models.external_data_embedder())]:
            folder = planted_folder(tmp / "planted" / str(len(rows)), real, data)
            code, line, seconds, peak = run(["identify", str(PROBE), "--models", str(folder)], tmp, tmp / "data")
            rows.append(("identify", f"installed by an older facegui: {label}", code, False, line, seconds, peak))
        cwd_plant = planted_folder(tmp / "cwd" / "model_data", real, hostile_models.constant_embedder())
        code, line, seconds, peak = run(["identify", str(PROBE)], cwd_plant.parent, tmp / "data")
        rows.append(("identify", "fake arcface.onnx planted in ./model_data", code, False, line, seconds, peak))

    refused = sum(1 for r in rows if r[2] == 2 and not r[3])
    table = "\n".join(
        f"| `{what}` | {label} | {'refused' if code == 2 and not installed else f'exit {code}'} | "
        f"{seconds:.2f} s | {peak:.0f} MB | {line.replace(tmp_name, '…').replace('|', '/')[:160]} |"
        for what, label, code, installed, line, seconds, peak in rows)
    text = f"""## Planted and hostile models

{machine_line()} Made by `python bench/planted_models.py` (machine shared with other work: times are
indicative). Each model of `tests/test_modelstore.py` goes through a fresh `facegui` process as a user would
run it: `models install --from FILE`, or `identify` over a folder whose manifest vouches for the file (as
an older facegui wrote it); the peak is the process's maximum resident memory. The working folder is no
longer searched, so the planted `./model_data` is simply not seen.

| command | model | outcome | time | peak memory | the one line on stderr |
|---|---|---|---|---|---|
{table}

{refused} of {len(rows)} refused with one line and no traceback; nothing was installed."""
    print(text)
    write_section("models", text, ROOT / "docs" / "reliability.md", title="# Reliability")


if __name__ == "__main__":
    main()
