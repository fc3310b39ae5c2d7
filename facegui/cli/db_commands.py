"""``facegui db``: the database itself — where it is, its state, and copying it to another database."""
from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    from ..service.shared_database import database_status

    status = database_status(settings)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        for key, value in status.items():
            print(f"{key:15} {value}")
    return 0


def cmd_db_copy(args: argparse.Namespace, settings: Settings) -> int:
    from ..service.shared_database import copy_data
    from ..storage import redact_url

    report = copy_data(settings, args.to)
    total = sum(report.rows.values())
    print(f"copied {total} rows ({report.rows['people']} people, {report.rows['embeddings']} embeddings, "
          f"{report.rows['attendance_events']} check-ins) to {redact_url(args.to)}; row counts and embedding "
          f"checksum {report.embedding_checksum[:16]}… verified")
    return 0


def add_db_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    def db(parser: argparse.ArgumentParser) -> None:
        db_sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
        p = db_sub.add_parser("status", help="which database, its schema version and how many rows",
                              parents=[common])
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_db_status)
        p = db_sub.add_parser("copy", parents=[common],
                              help="copy everything into an EMPTY database: a postgresql:// URL, or a SQLite file")
        p.add_argument("--to", required=True, metavar="URL_OR_FILE",
                       help="e.g. postgresql://facegui_admin@dbhost/school (password from PGPASSWORD or ~/.pgpass)")
        p.set_defaults(func=cmd_db_copy)

    # Made when first used (cli.main's command parsers).
    sub.add_parser("db", help="the database: its state, or a verified copy into another database",
                   parents=[common], arguments=db)
