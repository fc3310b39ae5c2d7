"""The ``facegui`` entry point: no command opens the window, a command runs the CLI."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Options the GUI also understands may precede no command at all.
    from .cli.main import build_parser, main as cli_main

    parsed, _unknown = build_parser().parse_known_args(args)
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
