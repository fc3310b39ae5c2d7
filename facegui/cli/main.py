"""``facegui`` on the command line: enroll, identify, compare, export and manage models.

Exit codes: 0 success, 1 some inputs failed, 2 usage or setup error.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from .. import __version__
from ..config import Settings, SettingsError
from ..engine import ModelLoadError, ImageError
from ..engine.annotate import draw_recognitions
from ..engine.imageio import IMAGE_SUFFIXES, list_images, write_image
from ..engine.video import VideoSourceError, describe, open_capture
from ..modelstore import ModelStore, ModelStoreError
from ..service import AttendanceService, Recognizer, delete_all_face_data, export_personal_data
from ..service.attendance import format_table
from ..service.live import LiveRecognizer
from ..storage import StorageError

EXIT_OK, EXIT_SOME_FAILED, EXIT_SETUP = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or setup; reported in one line with exit code 2."""


def _err(message: str) -> None:
    print(f"facegui: {message}", file=sys.stderr)


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, stream=None):
        self.total, self.stream = total, stream or sys.stderr
        self.enabled = total > 0 and self.stream.isatty()

    def update(self, done: int, text: str = "") -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} {text[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def open_recognizer(settings: Settings) -> Recognizer:
    recognizer = Recognizer.open(settings)
    if recognizer.engine.fell_back_to_cpu:
        _err("running on CPU: onnxruntime offers CUDA but its libraries (CUDA 13, cuDNN 9) are not usable here")
    return recognizer


# -- commands ---------------------------------------------------------------
def cmd_models_list(args, settings) -> int:
    statuses = ModelStore.from_settings(settings).status()
    if args.json:
        print(json.dumps([s.to_json() for s in statuses], indent=2))
        return EXIT_OK
    for s in statuses:
        if s.present:
            print(f"{s.role:9} {s.filename:32} present  {s.size:>10,} B  sha256 {s.sha256[:16]}…  {s.path}"
                  + (f"\n          UNUSABLE: {s.problem}" if s.problem else ""))
        else:
            print(f"{s.role:9} {s.filename:32} MISSING  run 'facegui models install --from FOLDER'")
    return EXIT_OK


def cmd_models_install(args, settings) -> int:
    from ..service import install_models

    report = lambda message: print(message, file=sys.stderr)  # noqa: E731
    written = install_models(settings, [Path(args.source)] if args.source else None, report)
    for path in written:
        print(f"installed {path}")
    return EXIT_OK


def cmd_encode(args, settings) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    paths = list_images(folder)
    with open_recognizer(settings) as recognizer:
        progress = Progress(len(paths))
        summary = recognizer.encode_folder(
            paths, lambda i, outcome: progress.update(i + 1, outcome.path.name))
        progress.close()
    for failure in summary.failures:
        _err(f"{failure.path}: {failure.reason}")
    print(f"enrolled {summary.count('enrolled')}, skipped {summary.count('skipped')}, "
          f"failed {summary.count('failed')}")
    return EXIT_SOME_FAILED if summary.failures else EXIT_OK


def cmd_enroll(args, settings) -> int:
    with open_recognizer(settings) as recognizer:
        outcome = recognizer.enroll_file(Path(args.image), args.name)
    if outcome.status == "failed":
        _err(f"{outcome.path}: {outcome.reason}")
        return EXIT_SOME_FAILED
    print(f"{outcome.status} {outcome.path} as {outcome.name}")
    return EXIT_OK


def cmd_people(args, settings) -> int:
    with open_recognizer(settings) as recognizer:
        people = recognizer.gallery.people()
    if args.json:
        print(json.dumps([{"name": p.name, "embeddings": p.embedding_count, "enrolled_at": p.first_enrolled_at}
                          for p in people], ensure_ascii=False, indent=2))
    else:
        for p in people:
            print(f"{p.name}\t{p.embedding_count}")
        print(f"{len(people)} people", file=sys.stderr)
    return EXIT_OK


def cmd_remove(args, settings) -> int:
    # Through the attendance service: their check-ins and face snapshots go too.
    with open_recognizer(settings) as recognizer, AttendanceService.open(settings, recognizer.gallery) as attendance:
        removed = attendance.remove_person(args.name)
    if not removed:
        _err(f"no enrolled person named {args.name!r}")
        return EXIT_SOME_FAILED
    print(f"removed {args.name} ({removed} embeddings)")
    return EXIT_OK


def _expand_images(items: list[str]) -> list[Path]:
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        paths.extend(p for p in list_images(path) if p.suffix.lower() in IMAGE_SUFFIXES) if path.is_dir() \
            else paths.append(path)
    return paths


def cmd_identify(args, settings) -> int:
    out_dir = Path(args.out) if args.out else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    failed = False
    with open_recognizer(settings) as recognizer:
        for path in _expand_images(args.images):
            try:
                image, recognitions = recognizer.identify_file(path)
            except ImageError as exc:
                _err(str(exc))
                failed = True
                continue
            if args.json:
                print(json.dumps({"image": str(path), "faces": [r.to_json() for r in recognitions]},
                                 ensure_ascii=False))
            else:
                names = ", ".join(f"{r.name} ({r.similarity:.2f})" for r in recognitions) or "no face"
                print(f"{path}: {names}")
            if out_dir:
                write_image(out_dir / f"{path.stem}_identified{path.suffix or '.jpg'}",
                            draw_recognitions(image, recognitions))
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_embed(args, settings) -> int:
    failed = False
    with open_recognizer(settings) as recognizer:
        for path in _expand_images(args.images):
            try:
                face = recognizer.engine.largest_face(recognizer.load(path))
            except ImageError as exc:
                _err(str(exc))
                failed = True
                face = None
            record = {"image": str(path), "model": recognizer.engine.embedder_id,
                      "embedding": None if face is None else [round(float(v), 6) for v in face.embedding]}
            print(json.dumps(record, ensure_ascii=False))
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_compare(args, settings) -> int:
    with open_recognizer(settings) as recognizer:
        try:
            a = recognizer.largest_face_embedding(Path(args.image_a))
            b = recognizer.largest_face_embedding(Path(args.image_b))
        except (ImageError, ValueError) as exc:
            _err(str(exc))
            return EXIT_SOME_FAILED
    similarity = float(np.dot(a, b))
    verdict = "same" if similarity >= settings.similarity_threshold else "different"
    if args.json:
        print(json.dumps({"similarity": round(similarity, 4), "threshold": settings.similarity_threshold,
                          "verdict": verdict}))
    else:
        print(f"similarity {similarity:.4f} (threshold {settings.similarity_threshold}): {verdict} person")
    return EXIT_OK


def cmd_export(args, settings) -> int:
    out = Path(args.npy)
    out.mkdir(parents=True, exist_ok=True)
    with open_recognizer(settings) as recognizer:
        vectors, names = recognizer.gallery.export_arrays()
    np.save(out / "face_encoding.npy", vectors)
    np.save(out / "face_name.npy", np.asarray(names))
    print(f"exported {len(names)} embeddings to {out / 'face_encoding.npy'} and {out / 'face_name.npy'}")
    return EXIT_OK


def cmd_video(args, settings) -> int:
    import cv2

    try:
        capture = open_capture(args.source)
    except VideoSourceError as exc:
        raise UsageError(str(exc)) from None
    writer = None
    frames = 0
    with open_recognizer(settings) as recognizer:
        live = LiveRecognizer(recognizer, source=describe(args.source))
        started = time.perf_counter()
        try:
            while args.max_frames is None or frames < args.max_frames:
                ok, frame = capture.read()
                if not ok:
                    break
                recognitions = [t.recognition for t in live.recognize(frame)]
                if args.json and recognitions:
                    print(json.dumps({"frame": frames, "faces": [r.to_json() for r in recognitions]},
                                     ensure_ascii=False), flush=True)
                if args.out:
                    if writer is None:
                        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
                        h, w = frame.shape[:2]
                        writer = cv2.VideoWriter(str(args.out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                        if not writer.isOpened():
                            raise UsageError(f"{args.out}: cannot write a video there")
                    writer.write(draw_recognitions(frame, recognitions))
                frames += 1
        except KeyboardInterrupt:
            pass
        finally:
            capture.release()
            if writer is not None:
                writer.release()
        elapsed = time.perf_counter() - started
    if frames == 0:
        _err(f"{describe(args.source)}: no frame could be read")
        return EXIT_SOME_FAILED
    print(f"{frames} frames in {elapsed:.2f} s: {frames / elapsed:.1f} FPS", file=sys.stderr)
    return EXIT_OK


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_attendance(args, settings) -> int:
    # Needs no models: the report is read from the database alone.
    with AttendanceService.open(settings) as attendance:
        today = attendance.today()
        end = args.date_to or today
        start = args.date_from or min(today, end)
        if end < start:
            raise UsageError(f"--to {end} is before --from {start}")
        if args.csv:
            try:
                rows = attendance.export_csv(Path(args.csv), start, end)
            except OSError as exc:
                raise UsageError(f"{args.csv}: cannot write ({exc.strerror or exc})") from None
            print(f"wrote {rows} rows ({start} to {end}) to {args.csv}", file=sys.stderr)
        else:
            sys.stdout.write(format_table(attendance.report(start, end)))
    return EXIT_OK


# -- desktop integration (Linux) -------------------------------------------------
DESKTOP_FILE = "facegui.desktop"
_DESKTOP_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def _desktop_quote(arg: str) -> str:
    """One argument of a .desktop ``Exec`` key (Desktop Entry Specification, "The Exec key")."""
    if arg and not (_DESKTOP_RESERVED & set(arg)):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    # The value is also a string value, whose own escape turns each backslash into two.
    return '"' + escaped.replace("\\", "\\\\") + '"'


def launcher_command() -> list[str]:
    """How the desktop should start this facegui: the bundle's executable, the ``facegui`` script
    next to this interpreter, the one on PATH, or ``python -m facegui``."""
    import shutil

    if getattr(sys, "frozen", False):
        return [sys.executable]
    beside = Path(sys.executable).parent / "facegui"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("facegui")
    return [found] if found else [sys.executable, "-m", "facegui"]


def cmd_install_desktop(args, settings) -> int:
    import os
    import shutil

    from ..service import resource_path

    if sys.platform in ("win32", "darwin"):
        raise UsageError("install-desktop is for Linux (and other freedesktop) desktops; on Windows use "
                         "facegui.exe's shortcut, on macOS the app bundle")
    template, icons = resource_path(DESKTOP_FILE), resource_path("icons/hicolor")
    if template is None or icons is None:
        raise UsageError(f"{DESKTOP_FILE} or the icons are missing from this installation's resources")
    prefix = Path(args.prefix) if args.prefix else Path(
        os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    command = launcher_command()
    lines = []
    for line in template.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_desktop_quote(a) for a in command)
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0]
        lines.append(line)
    target = prefix / "applications" / DESKTOP_FILE
    written = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(target)
        for icon in sorted(icons.rglob("*.png")):
            dest = prefix / "icons" / "hicolor" / icon.relative_to(icons)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(icon, dest)
            written.append(dest)
    except OSError as exc:
        raise UsageError(f"cannot write under {prefix} ({exc.strerror or exc})") from None
    print(f"installed {target} (runs: {' '.join(command)}) and {len(written) - 1} icons under "
          f"{prefix / 'icons' / 'hicolor'}")
    return EXIT_OK


def cmd_data_export(args, settings) -> int:
    try:
        folder = export_personal_data(settings, Path(args.folder))
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    print(f"exported all face data to {folder}")
    return EXIT_OK


def cmd_data_delete(args, settings) -> int:
    if not args.yes:
        raise UsageError(f"this deletes every enrolled person, embedding, check-in and face snapshot in "
                         f"{settings.data_dir}; add --yes to confirm")
    removed = delete_all_face_data(settings)
    print(f"deleted {len(removed)} items of face data from {settings.data_dir}" if removed
          else f"no face data in {settings.data_dir}")
    return EXIT_OK


# -- parser -----------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: otherwise a subparser resets an option given before the subcommand to None.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--data-dir", help="database and index folder (default: FACEGUI_DATA_DIR or the user data folder)")
    common.add_argument("--models", help="folder searched first for model files (default: FACEGUI_MODEL_DIR)")
    common.add_argument("--threshold", type=float, help="similarity threshold (setting similarity_threshold)")
    common.add_argument("--det-size", type=int, help="detector input long side (setting detector_input_size)")
    common.add_argument("--provider", choices=["auto", "cpu", "cuda"], help="onnxruntime execution provider")
    common.add_argument("--threads", type=int, help="onnxruntime threads per model (0: default)")
    common.add_argument("--config", help="settings JSON file (default: settings.json in the user config folder)")

    parser = argparse.ArgumentParser(prog="facegui", description="Face recognition attendance: GUI and CLI.",
                                     parents=[common])
    parser.add_argument("--version", action="version", version=f"facegui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = sub.add_parser("models", help="list or install model files", parents=[common])
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    p = models_sub.add_parser("list", help="each model, its path, size, SHA-256", parents=[common])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models_list)
    p = models_sub.add_parser("install", help="import (--from) or download and convert the models", parents=[common])
    p.add_argument("--from", dest="source", help="a .pth/.onnx file or a folder holding them")
    p.set_defaults(func=cmd_models_install)

    p = sub.add_parser("encode", help="enroll every image of a folder (NAME_1.jpg → NAME)", parents=[common])
    p.add_argument("folder")
    p.set_defaults(func=cmd_encode)
    p = sub.add_parser("enroll", help="enroll the largest face of one image", parents=[common])
    p.add_argument("image")
    p.add_argument("--name", required=True)
    p.set_defaults(func=cmd_enroll)
    p = sub.add_parser("people", help="list enrolled people", parents=[common])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_people)
    p = sub.add_parser("remove", help="remove a person and their embeddings", parents=[common])
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("identify", help="name every face in images", parents=[common])
    p.add_argument("images", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.add_argument("--out", help="folder for annotated images")
    p.set_defaults(func=cmd_identify)
    p = sub.add_parser("embed", help="embedding of the largest face of each image as JSON", parents=[common])
    p.add_argument("images", nargs="+")
    p.add_argument("--json", action="store_true", help="accepted for clarity; output is always JSON lines")
    p.set_defaults(func=cmd_embed)
    p = sub.add_parser("compare", help="same or different person?", parents=[common])
    p.add_argument("image_a")
    p.add_argument("image_b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("export", help="write seed-compatible face_encoding.npy / face_name.npy", parents=[common])
    p.add_argument("--npy", required=True, metavar="DIR")
    p.set_defaults(func=cmd_export)
    data = sub.add_parser("data", help="your face data: export all of it, or delete all of it", parents=[common])
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    p = data_sub.add_parser("export", help="copy everything stored about people into a new folder", parents=[common])
    p.add_argument("folder")
    p.set_defaults(func=cmd_data_export)
    p = data_sub.add_parser("delete", help="delete every person, embedding, check-in and snapshot", parents=[common])
    p.add_argument("--yes", action="store_true", help="confirm")
    p.set_defaults(func=cmd_data_delete)
    p = sub.add_parser("video", help="identify faces in a video file, camera index or URL", parents=[common])
    p.add_argument("source")
    p.add_argument("--out", help="annotated video file (.mp4)")
    p.add_argument("--json", action="store_true", help="one JSON line per frame with faces")
    p.add_argument("--max-frames", type=int, help="stop after this many frames")
    p.set_defaults(func=cmd_video)
    p = sub.add_parser("attendance", help="attendance per person per day: a table, or CSV with --csv",
                       parents=[common])
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="first day, YYYY-MM-DD (default today)")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE",
                   help="last day, YYYY-MM-DD (default today)")
    p.add_argument("--csv", metavar="FILE", help="write date,name,status,first_seen,last_seen,sightings to FILE")
    p.set_defaults(func=cmd_attendance)
    p = sub.add_parser("install-desktop", help="add facegui to the Linux desktop's application menu (.desktop + icons)",
                       parents=[common])
    p.add_argument("--prefix", metavar="DIR",
                   help="data folder to install into (default: $XDG_DATA_HOME or ~/.local/share)")
    p.set_defaults(func=cmd_install_desktop)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        settings = Settings.from_options(args)
        return args.func(args, settings)
    except (UsageError, SettingsError, ModelStoreError, ModelLoadError, StorageError, ImageError) as exc:
        _err(str(exc))
        return EXIT_SETUP
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_SOME_FAILED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
