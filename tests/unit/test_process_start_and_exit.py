"""How the ``facegui`` program starts and ends (docs/benchmarks.md, "Start-up"): one BLAS thread
unless told otherwise, and a finished command leaves without tearing the interpreter down, yet with
its exit handlers run, its output flushed and its other threads waited for."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    environment.update(env, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                          timeout=60)


def test_the_program_starts_openblas_with_one_thread_unless_told_otherwise():
    show = "import os, facegui.app; print(os.environ['OPENBLAS_NUM_THREADS'])"
    assert python(show).stdout.strip() == "1"
    assert python(show, OPENBLAS_NUM_THREADS="4").stdout.strip() == "4"


def test_leaving_without_teardown_flushes_output_and_runs_exit_handlers():
    result = python("import atexit, sys\nfrom facegui.app import _exit_without_teardown\n"
                    "atexit.register(lambda: print('handler ran'))\n"
                    "print('answer'); sys.stderr.write('note')\n_exit_without_teardown(3)\n")
    assert result.returncode == 3
    assert result.stdout.split() == ["answer", "handler", "ran"]
    assert result.stderr == "note"


def test_leaving_without_teardown_waits_for_a_working_thread():
    result = python("import threading, time\nfrom facegui.app import _exit_without_teardown\n"
                    "threading.Thread(target=lambda: (time.sleep(0.3), print('saved', flush=True))).start()\n"
                    "_exit_without_teardown(0)\n")
    assert result.returncode == 0 and result.stdout.strip() == "saved"
