"""The ``facegui`` entry point: no command opens the window, a command runs the CLI.

Two options of the entry point itself, for checking an installation or a bundle headless:

* ``--self-test`` runs the engine on a bundled photo and exits 0/1 with one line;
* ``--smoke-test SOURCE`` (hidden, for CI and the cold-start benchmark) opens the main window,
  streams SOURCE until the first frame is shown, prints the time since the process started
  and quits with 0 (1 when no frame is shown within ``--smoke-timeout`` seconds).
"""
from __future__ import annotations

import argparse
import os
import sys


def _ensure_std_streams() -> None:
    # A windowed PyInstaller exe on Windows has no console: sys.stdout/stderr are None, and the
    # first print (or a traceback from a worker thread) would crash the app.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def add_app_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--self-test", action="store_true",
                        help="run the engine on a bundled photo and exit 0 (ok) or 1, with one line")
    parser.add_argument("--kiosk", action="store_true",
                        help="open the window as a station at a door: full screen, the camera started, "
                             "leaving it needs the admin PIN")
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


def main(argv: list[str] | None = None) -> int:
    _ensure_std_streams()
    args = sys.argv[1:] if argv is None else argv
    # Options the GUI also understands may precede no command at all.
    from .cli.main import build_parser, main as cli_main

    parsed, _unknown = add_app_options(build_parser()).parse_known_args(args)
    if parsed.self_test:
        return self_test(parsed)
    if parsed.command is None and not {"-h", "--help", "--version"} & set(args):
        try:
            from .gui.launch import launch
        except ImportError as exc:  # the GUI is optional in a headless install
            print(f"facegui: the window cannot open ({exc}); use a command, see 'facegui --help'",
                  file=sys.stderr)
            return 2
        return launch(parsed)
    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
