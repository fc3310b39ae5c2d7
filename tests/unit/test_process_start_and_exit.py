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


def test_the_collector_is_held_back_while_the_program_starts_and_given_back_after():
    """facegui.startup: no young-generation collection during start-up, then what start-up made is
    frozen out of later collections and Python's own thresholds are back."""
    result = python("import gc\ndefault = gc.get_threshold()\nfrom facegui import startup\n"
                    "startup.hold_back_collector(); startup.hold_back_collector()\n"
                    "held = gc.get_threshold()\nstartup.start_up_done()\n"
                    "print(held[0], held[1:] == default[1:], gc.get_threshold() == default, gc.get_freeze_count() > 0,"
                    " startup.collector_held_back())\nstartup.start_up_done(); print(gc.get_threshold() == default)")
    assert result.stdout.split() == [str(10**5), "True", "True", "True", "False", "True"], result.stderr


def test_without_the_program_the_collector_is_left_alone():
    result = python("import gc\nfrom facegui import startup\nstartup.start_up_done()\n"
                    "print(gc.get_threshold()[0], gc.get_freeze_count())")
    assert result.stdout.split() == ["700", "0"], result.stderr


def test_a_warning_of_facegui_is_one_line_and_a_logged_error_never_a_traceback():
    """A background thread's unexpected error (following a shared database, building an index) is logged
    with its exception: Python printed the whole traceback. Now: one line, its type and message."""
    result = python("import logging\nfrom facegui.app import _warnings_in_one_line\n"
                    "_warnings_in_one_line(); _warnings_in_one_line()  # main() run twice adds it once\n"
                    "log = logging.getLogger('facegui.storage.gallery')\n"
                    "log.info('not shown')\n"
                    "log.warning('Database %s is reachable again', 'postgresql://db/x')\n"
                    "try:\n    raise RuntimeError('server closed the connection\\nunexpectedly')\n"
                    "except RuntimeError:\n    log.exception(\"Following the database's changes failed; retrying\")\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "facegui: Database postgresql://db/x is reachable again",
        "facegui: Following the database's changes failed; retrying (RuntimeError: server closed the connection"
        "\\nunexpectedly)"]


def test_version_and_help_load_no_logging():
    result = python("import sys\nfrom facegui.app import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
                    "print('logging' in sys.modules)")
    assert result.stdout.split()[-1] == "False", result.stdout
