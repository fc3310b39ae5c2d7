"""The ``facegui`` entry point: no command opens the window, a command runs the CLI.

``run`` is the program (the ``facegui`` script, ``python -m facegui``, the bundle); ``main`` is the
same without ending the process, for callers that carry on (tests).

Two options of the entry point itself, for checking an installation or a bundle headless:

* ``--self-test`` runs the engine on a bundled photo and exits 0/1 with one line;
* ``--smoke-test SOURCE`` (hidden, for CI and the cold-start benchmark) opens the main window,
  streams SOURCE until the first frame is shown, prints the time since the process started
  and quits with 0 (1 when no frame is shown within ``--smoke-timeout`` seconds).
"""
from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from typing import NoReturn

from .startup import hold_back_collector, start_up_done

# numpy and OpenCV each load their own OpenBLAS, and each OpenBLAS starts a thread per core at import
# that spins before it sleeps: about 100 ms of CPU per start-up on 2 cores, taken from onnxruntime,
# which does facegui's parallel work in its own pool. facegui's BLAS calls are vector-sized (a norm, a
# dot product), which OpenBLAS never splits across threads anyway; faiss's copy already runs on the
# one OpenMP thread storage sets. Set before numpy loads; an explicit setting is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _ensure_std_streams() -> None:
    # A windowed PyInstaller exe on Windows has no console: sys.stdout/stderr are None, and the
    # first print (or a traceback from a worker thread) would crash the app.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def _warnings_in_one_line() -> None:
    """facegui's own warnings (a database gone offline, a saved index ignored and rebuilt) go to stderr
    as the commands' messages do, one line each, ``facegui: …``; an unexpected error a background thread
    logs says its type and message, never a traceback. Without this, Python printed them bare, and a
    logged exception as its whole traceback."""
    import logging

    from .cli.main import one_line

    class OneLineWarnings(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                text = record.getMessage()
                error = record.exc_info[1] if record.exc_info else None
                if error is not None:
                    text = f"{text} ({type(error).__name__}: {error})"
                # sys.stderr as it is now: a test's capture, or a console that came later.
                print(f"facegui: {one_line(text)}", file=sys.stderr, flush=True)
            except Exception:  # a closed stream: the warning is lost, the program goes on
                pass

    logger = logging.getLogger("facegui")
    if not any(handler.get_name() == _ONE_LINE_HANDLER for handler in logger.handlers):  # main() again
        handler = OneLineWarnings(logging.WARNING)
        handler.set_name(_ONE_LINE_HANDLER)
        logger.addHandler(handler)


_ONE_LINE_HANDLER = "facegui: one line"


def add_app_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--self-test", action="store_true",
                        help="run the engine on a bundled photo and exit 0 (ok) or 1, with one line")
    parser.add_argument("--kiosk", action="store_true",
                        help="open the window as a station at a door: full screen, the camera started, "
                             "leaving it needs the admin PIN")
    parser.add_argument("--station-child", action="store_true", help=argparse.SUPPRESS)  # service.station_keeper
    parser.add_argument("--smoke-test", metavar="SOURCE", help=argparse.SUPPRESS)
    parser.add_argument("--smoke-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    return parser


def self_test(parsed) -> int:
    from .config import Settings, SettingsError
    from .service import run_self_test

    try:
        settings = Settings.from_options(parsed)
    except SettingsError as exc:
        print(f"facegui self-test: FAILED: {exc}", file=sys.stderr)
        return 1
    result = run_self_test(settings)
    print(result.line, file=sys.stdout if result.ok else sys.stderr, flush=True)
    return result.exit_code


def keep_station(parsed, args: list[str]) -> int | None:
    """``facegui --kiosk``: the window in a child process, started again if it dies (setting
    ``station_restart``); None where the window is to run in this process instead."""
    from .config import Settings, SettingsError

    try:
        settings = Settings.from_options(parsed)
    except SettingsError:
        return None  # the window says what is wrong with the settings, in its dialog
    if not settings.station_restart:
        return None
    from .service.diagnostics import start_problems_log, stop_problems_log
    from .service.station_keeper import keep_station_running

    start_problems_log(settings, "station keeper")
    try:
        return keep_station_running(args)
    finally:
        stop_problems_log()


def main(argv: list[str] | None = None, *, exit_when_done: bool = False) -> int:
    """Run facegui with ``argv`` (default: the process's arguments) and return its exit code.
    ``exit_when_done`` ends the process as soon as a command-line command has finished (see
    ``_exit_without_teardown``); the window always returns normally."""
    _ensure_std_streams()
    args = sys.argv[1:] if argv is None else argv
    # Options the GUI also understands may precede no command at all.
    from .cli.main import build_parser, main as cli_main

    parsed, unknown = add_app_options(build_parser()).parse_known_args(args)
    info_only = {"-h", "--help", "--version"} & set(args)
    if parsed.command is not None or not info_only:
        _warnings_in_one_line()  # not for --version and --help, which log nothing: logging costs 9 ms
    if parsed.self_test:
        return self_test(parsed)
    if parsed.command is None and not info_only and parsed.kiosk and not parsed.station_child \
            and parsed.smoke_test is None:
        kept = keep_station(parsed, args)
        if kept is not None:
            return kept
    if parsed.command is None and not info_only:
        start_up_done()  # the window runs for hours: the collector's own thresholds from here on
        try:
            from .gui.launch import launch
        except ImportError as exc:  # the GUI is optional in a headless install
            print(f"facegui: the window cannot open ({exc}); use a command, see 'facegui --help'",
                  file=sys.stderr)
            return 2
        return launch(parsed)
    # A command parsed cleanly here needs no second parser (3 ms); anything else, the command line's
    # own parser reports, as the window's options mean nothing to a command.
    clean = not unknown and not parsed.kiosk and parsed.smoke_test is None
    code = cli_main(args, parsed if clean else None)
    if exit_when_done:
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> NoReturn:
    """End the process after a finished command without tearing the interpreter down.

    Each command closes what it opened (database, index, output files) before it returns. An ordinary
    exit would then free every module and run the native libraries' own teardown (onnxruntime's
    environment, OpenCV, faiss): about 50 ms of CPU that `identify` of one photo spends after its
    answer is printed (docs/benchmarks.md, "Start-up"). Registered exit handlers still run and the
    output is flushed; while another thread is still working (a background index build), the exit
    is an ordinary one, which waits for it."""
    if any(thread is not threading.main_thread() and not thread.daemon for thread in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()  # logging's flush and anything else registered
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to say to it
            pass
    os._exit(code)


def run() -> NoReturn:
    """The ``facegui`` program."""
    hold_back_collector()
    sys.exit(main(exit_when_done=True))


if __name__ == "__main__":
    run()
