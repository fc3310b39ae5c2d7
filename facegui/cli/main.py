"""``facegui`` on the command line: enroll, identify, compare, export and manage models.

Exit codes: 0 success, 1 some inputs failed, 2 usage or setup error, or a wrong or missing admin PIN.
While an admin PIN is set, ``remove``, ``data export``, ``data delete`` and ``attendance --csv`` ask for
it: on the terminal, or as the first line of stdin with ``--pin-stdin`` (never as an argument, which
``ps`` would show).
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING, Any, Callable

from .. import __version__
from ..startup import start_up_done
from .db_commands import add_db_commands

if TYPE_CHECKING:
    import numpy as np

    from ..config import Settings
    from ..service import Recognizer

# Each command imports what it uses inside its handler: `facegui --version` and `facegui people`
# do not wait for onnxruntime, OpenCV or faiss (docs/benchmarks.md, "Start-up").

EXPECTED_ERRORS = (("facegui.config", "SettingsError"), ("facegui.modelstore.store", "ModelStoreError"),
                   ("facegui.engine.session", "ModelLoadError"), ("facegui.storage.backend", "StorageError"),
                   ("facegui.engine.imageio", "ImageError"), ("facegui.service.streams", "RecognitionFailed"))
"""Errors reported in one line with exit code 2, by module: only a module that was imported can
have raised one, so looking them up in sys.modules needs no import."""

EXIT_OK, EXIT_SOME_FAILED, EXIT_SETUP, EXIT_BUG = 0, 1, 2, 3


class UsageError(Exception):
    """Bad arguments or setup; reported in one line with exit code 2."""


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks escaped (``\\n``), so a file or person name
    with a newline cannot split a message into two lines or fake another one."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)


def _err(message: str) -> None:
    print(f"facegui: {one_line(message)}", file=sys.stderr)


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
    from ..service.model_opening import ModelOpening

    # The models are checked and opened on threads while the rest of the stack is imported.
    opening = ModelOpening(settings)
    from ..service import Recognizer

    recognizer = Recognizer.open(settings, opening=opening)
    start_up_done()
    if recognizer.engine.fell_back_to_cpu:
        _err("running on CPU: onnxruntime offers CUDA but its libraries (CUDA 13, cuDNN 9) are not usable here")
    return recognizer


def require_admin_pin(args: argparse.Namespace, settings: Settings, action: str) -> None:
    """While an admin PIN is set, a guarded command goes on only with the right PIN; each try counts."""
    from ..service.admin_lock import AdminLock, refusal_text

    lock = AdminLock.for_settings(settings, getattr(args, "config", None))
    problem = lock.unreadable()
    if problem:  # whether a PIN is set is unknown: the guarded action stays locked, and this is why
        raise UsageError(f"cannot {action}: the admin PIN record cannot be read, so the lock stays closed ({problem})")
    if not lock.enabled:
        return
    if getattr(args, "pin_stdin", False):
        pin = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        try:
            pin = getpass.getpass(f"Admin PIN to {action}: ")
        except EOFError:
            raise UsageError("no admin PIN given") from None
    else:
        raise UsageError(f"an admin PIN is set: type it on a terminal, or give it on stdin with --pin-stdin "
                         f"to {action}")
    verdict = lock.check(pin)
    if not verdict.allowed:
        raise UsageError(refusal_text(verdict))


def _pin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pin-stdin", action="store_true",
                        help="read the admin PIN from the first line of stdin (for scripts)")


# -- commands ---------------------------------------------------------------
def cmd_models_list(args, settings) -> int:
    from ..modelstore import ModelStore

    statuses = ModelStore.from_settings(settings).status()
    if args.json:
        print(json.dumps([s.to_json() for s in statuses], indent=2))
        return EXIT_OK
    for s in statuses:
        if s.present:
            print(f"{s.role:9} {s.filename:32} present  {s.size:>10,} B  sha256 {s.sha256[:16]}…  {s.path}"
                  + (f"\n          UNUSABLE: {s.problem}" if s.problem else "")
                  + (f"\n          NOTE: {s.note}" if s.note else ""))
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


def _report_empty_folders(folders: list[Path]) -> bool:
    """One line for each folder that holds no image; True when there was one."""
    from ..service.inputs import NO_IMAGES_IN_FOLDER

    for folder in folders:
        _err(f"{folder}: {NO_IMAGES_IN_FOLDER}")
    return bool(folders)


def cmd_encode(args, settings) -> int:
    from ..service.inputs import folder_files

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    paths = folder_files(folder)
    if not paths:
        _report_empty_folders([folder])
        return EXIT_SOME_FAILED
    with open_recognizer(settings) as recognizer:
        progress = Progress(len(paths))
        summary = recognizer.encode_folder(
            paths, lambda i, outcome: progress.update(i + 1, one_line(outcome.path.name)), force=args.force)
        progress.close()
    for outcome in summary.outcomes:
        if outcome.status == "failed":
            _err(f"{outcome.path}: {outcome.reason}")
        elif outcome.warning:
            _err(f"{outcome.path}: warning: {outcome.warning}")
    print(f"enrolled {summary.count('enrolled')}, skipped {summary.count('skipped')}, "
          f"failed {summary.count('failed')}")
    return EXIT_SOME_FAILED if summary.failures else EXIT_OK


def cmd_enroll(args, settings) -> int:
    from ..storage import new_person_name

    try:
        new_person_name(args.name)  # before loading the models: a bad name is a usage error
    except ValueError as exc:
        _err(f"{args.image}: {exc}")
        return EXIT_SOME_FAILED
    with open_recognizer(settings) as recognizer:
        outcome = recognizer.enroll_file(Path(args.image), args.name, force=args.force)
    if outcome.status == "failed":
        _err(f"{outcome.path}: {outcome.reason}")
        return EXIT_SOME_FAILED
    if outcome.warning:
        _err(f"{outcome.path}: warning: {outcome.warning}")
    print(one_line(f"{outcome.status} {outcome.path} as {outcome.name}"))
    return EXIT_OK


def cmd_people(args, settings) -> int:
    from ..service.roster import enrolled_people

    people = enrolled_people(settings)
    if args.json:
        print(json.dumps([{"name": p.name, "embeddings": p.embedding_count, "enrolled_at": p.first_enrolled_at}
                          for p in people], ensure_ascii=False, indent=2))
    else:
        for p in people:
            print(f"{p.name}\t{p.embedding_count}")
        print(f"{len(people)} people", file=sys.stderr)
    return EXIT_OK


def cmd_remove(args, settings) -> int:
    from ..service import GUARDED_ACTIONS, AttendanceService

    require_admin_pin(args, settings, GUARDED_ACTIONS["remove"])
    # Through the attendance service: their check-ins and face snapshots go too.
    with open_recognizer(settings) as recognizer, AttendanceService.open(settings, recognizer.gallery) as attendance:
        removed = attendance.remove_person(args.name)
    if not removed:
        _err(f"no enrolled person named {args.name!r}")
        return EXIT_SOME_FAILED
    print(f"removed {args.name} ({removed} embeddings)")
    return EXIT_OK


def cmd_photos(args, settings) -> int:
    from ..service.people import person_photos

    with open_recognizer(settings) as recognizer:
        photos = person_photos(recognizer.gallery, args.name)
    if not photos:
        _err(f"no enrolled person named {args.name!r}")
        return EXIT_SOME_FAILED
    if args.json:
        print(json.dumps([{"id": p.embedding_id, "enrolled_at": p.enrolled_at, "source": p.source_path}
                          for p in photos], ensure_ascii=False, indent=2))
    else:
        for p in photos:
            print("\t".join(one_line(str(field)) for field in (p.embedding_id, p.enrolled_at, p.source_path or "-")))
    return EXIT_OK


def cmd_audit(args, settings) -> int:
    from ..service.enrollment import audit_gallery

    with open_recognizer(settings) as recognizer:
        try:
            findings = audit_gallery(recognizer.gallery, settings)
        except ValueError as exc:
            _err(one_line(str(exc)))
            return EXIT_SOME_FAILED
        photos = len(recognizer.gallery)
    if args.json:
        print(json.dumps([{"name": f.name, "photo": f.photo, "rule": f.problem.rule, "problem": f.problem.text,
                           "other_photo": f.other_photo} for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            print(one_line(str(finding)))
    print(f"{len(findings)} problem(s) in {photos} enrolled photo(s)" if findings else
          f"no problems in {photos} enrolled photo(s)", file=sys.stderr)
    return EXIT_SOME_FAILED if findings else EXIT_OK


def cmd_remove_photo(args, settings) -> int:
    from ..service import GUARDED_ACTIONS
    from ..service.people import PeopleError, delete_photo

    require_admin_pin(args, settings, GUARDED_ACTIONS["remove"])
    with open_recognizer(settings) as recognizer:
        try:
            delete_photo(recognizer.gallery, args.name, args.id)
        except PeopleError as exc:
            _err(one_line(str(exc)))
            return EXIT_SOME_FAILED
    print(one_line(f"removed photo {args.id} of {args.name}"))
    return EXIT_OK


def cmd_rename(args, settings) -> int:
    from ..service.people import PeopleError, rename_person
    from ..storage import normalize_person_name

    require_admin_pin(args, settings, "rename a person")
    with open_recognizer(settings) as recognizer:
        try:
            new_name = rename_person(recognizer.gallery, args.old, args.new)
        except PeopleError as exc:
            _err(one_line(str(exc)))
            return EXIT_SOME_FAILED
    old_name = normalize_person_name(args.old)
    print(one_line(f"{old_name} is already named {new_name}: nothing changed" if new_name == old_name
                   else f"renamed {old_name} to {new_name}"))
    return EXIT_OK


def _output_folder(path: str) -> Path:
    """Create an output folder (user-only when new), or a UsageError saying why it cannot be one."""
    from ..files import not_a_folder

    folder = Path(path)
    what = not_a_folder(folder)
    if what:
        raise UsageError(f"{folder}: {what}, not a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create this folder ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    return folder


def cmd_identify(args, settings) -> int:
    from ..engine import ImageError
    from ..engine.imageio import copy_suffix, write_image
    from ..service.inputs import expand_image_paths

    out_dir = _output_folder(args.out) if args.out else None
    selection = expand_image_paths(args.images)
    failed = _report_empty_folders(selection.empty_folders)
    with open_recognizer(settings) as recognizer:
        for path in selection.files:
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
                print(one_line(f"{path}: {names}"))
            if out_dir:
                target = out_dir / f"{path.stem}_identified{copy_suffix(path.suffix)}"
                try:
                    from ..render import annotated_copy  # Qt only when drawing
                    write_image(target, annotated_copy(image, recognitions))
                except (OSError, ImageError) as exc:
                    _err(f"{target}: cannot write ({getattr(exc, 'strerror', None) or exc})")
                    failed = True
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_embed(args, settings) -> int:
    from ..engine import ImageError
    from ..service import NoFaceError
    from ..service.inputs import expand_image_paths

    selection = expand_image_paths(args.images)
    failed = _report_empty_folders(selection.empty_folders)
    with open_recognizer(settings) as recognizer:
        for path in selection.files:
            embedding = None
            try:
                chosen = recognizer.chosen_face(path)
                embedding = [round(float(v), 6) for v in chosen.embedding]
                if chosen.warning:
                    _err(f"{path}: warning: {chosen.warning}")
            except NoFaceError:
                pass
            except ImageError as exc:
                _err(str(exc))
                failed = True
            record = {"image": str(path), "model": recognizer.engine.embedder_id, "embedding": embedding}
            print(json.dumps(record, ensure_ascii=False))
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_compare(args, settings) -> int:
    import numpy as np

    from ..engine import ImageError
    from ..service import NoFaceError

    with open_recognizer(settings) as recognizer:
        try:
            chosen = [recognizer.chosen_face(Path(args.image_a)), recognizer.chosen_face(Path(args.image_b))]
        except (ImageError, NoFaceError) as exc:
            _err(str(exc))
            return EXIT_SOME_FAILED
    for path, face in zip((args.image_a, args.image_b), chosen):
        if face.warning:
            _err(f"{path}: warning: {face.warning}")
    similarity = float(np.dot(chosen[0].embedding, chosen[1].embedding))
    verdict = "same" if similarity >= settings.similarity_threshold else "different"
    if args.json:
        print(json.dumps({"similarity": round(similarity, 4), "threshold": settings.similarity_threshold,
                          "verdict": verdict}))
    else:
        print(f"similarity {similarity:.4f} (threshold {settings.similarity_threshold}): {verdict} person")
    return EXIT_OK


def cmd_export(args, settings) -> int:
    import numpy as np

    from ..files import open_private

    out = _output_folder(args.npy)
    with open_recognizer(settings) as recognizer:
        vectors, names = recognizer.gallery.export_arrays()
    for file_name, array in (("face_encoding.npy", vectors), ("face_name.npy", np.asarray(names))):
        try:
            with open_private(out / file_name, "wb") as file:
                np.save(file, array)
        except OSError as exc:
            (out / file_name).unlink(missing_ok=True)
            _err(f"{out / file_name}: cannot write ({exc.strerror or exc})")
            return EXIT_SOME_FAILED
    print(f"exported {len(names)} embeddings to {out / 'face_encoding.npy'} and {out / 'face_name.npy'}")
    return EXIT_OK


VIDEO_OUT_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".avi"})
"""Containers that take the MPEG-4 video ``video --out`` writes (OpenCV's FFmpeg refuses it in WebM or GIF,
and prints its own complaint when asked)."""


def cmd_video(args, settings) -> int:
    import contextlib

    import cv2

    from ..engine.video import VideoSourceError, open_capture
    from ..service import AttendanceService
    from ..service.sources import source_label
    from ..service.streams import MultiStream, run_captures

    if args.out and len(args.source) > 1:
        raise UsageError("--out writes one annotated video: give one source with it")
    if args.out:
        _refuse_special_video_target(Path(args.out))
        suffix = Path(args.out).suffix
        if suffix.lower() not in VIDEO_OUT_SUFFIXES:
            raise UsageError(f"{args.out}: cannot write a video as {suffix or 'a file without a suffix'}; "
                             f"use {', '.join(sorted(VIDEO_OUT_SUFFIXES))}")
    captures, failed = [], 0
    for source in args.source:
        try:
            captures.append((source_label(source), open_capture(source)))
        except VideoSourceError as exc:
            if len(args.source) == 1:
                raise UsageError(str(exc)) from None
            _err(str(exc))
            failed += 1
    if not captures:
        raise UsageError("none of the video sources could be opened")
    several = len(captures) > 1
    writer = None

    def show(stream: int, index: int, frame: np.ndarray, tracked: list, events: list) -> None:
        nonlocal writer
        if args.json and tracked:
            line = {"frame": index, "faces": [
                {**t.recognition.to_json(), "track": t.track_id, "fresh": t.fresh} for t in tracked]}
            if several:
                line = {"source": captures[stream][0], **line}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        for event in events:
            _err(f"{captures[stream][0]}: checked in {event.name} at {event.at:%H:%M:%S}")
        if args.out:
            if writer is None:
                height, width = frame.shape[:2]
                _private_video_file(Path(args.out))
                writer = cv2.VideoWriter(str(args.out), cv2.VideoWriter_fourcc(*"mp4v"), output_fps, (width, height))
                if not writer.isOpened():
                    _remove_half_written(Path(args.out))
                    raise UsageError(f"{args.out}: cannot write a video there")
            from ..render import annotated_copy  # Qt only when drawing
            writer.write(annotated_copy(frame, [t.recognition for t in tracked]))

    output_fps = captures[0][1].get(cv2.CAP_PROP_FPS) or 25.0
    with contextlib.ExitStack() as stack:
        recognizer = stack.enter_context(open_recognizer(settings))
        attendance = stack.enter_context(AttendanceService.open(settings, recognizer.gallery)) \
            if args.attendance else None
        try:
            results = run_captures(MultiStream(recognizer, attendance), captures, show, args.max_frames)
        finally:
            for _, capture in captures:
                capture.release()
            if writer is not None:
                writer.release()
    for result in results:
        if result.frames == 0:
            _err(f"{result.source}: no frame could be read")
            failed += 1
        else:
            print(result.summary(), file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _private_video_file(path: Path) -> None:
    """The annotated video shows people's faces: made user-only (0600) before OpenCV writes it, which
    would create it with the umask's mode. A target that is not a regular file is refused by name."""
    from ..files import make_private_file

    _refuse_special_video_target(path)
    try:
        make_private_file(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise UsageError(f"{path}: cannot write a video there ({getattr(exc, 'strerror', None) or exc})") from None


def _refuse_special_video_target(path: Path) -> None:
    from ..files import special_file_kind

    kind = special_file_kind(path)
    if kind:
        raise UsageError(f"{path}: is {kind}, not a video file to write")


def _remove_half_written(path: Path) -> None:
    try:
        if path.is_file():
            path.unlink()
    except OSError:
        pass


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def cmd_attendance(args, settings) -> int:
    from ..service import GUARDED_ACTIONS, AttendanceService

    # Needs no models: the report is read from the database alone.
    with AttendanceService.open(settings) as attendance:
        today = attendance.today()
        end = args.date_to or today
        start = args.date_from or min(today, end)
        if end < start:
            raise UsageError(f"--to {end} is before --from {start}")
        if args.csv:
            require_admin_pin(args, settings, GUARDED_ACTIONS["export"])
            try:
                rows = attendance.export_csv(Path(args.csv), start, end)
            except OSError as exc:
                _remove_half_written(Path(args.csv))
                raise UsageError(f"{args.csv}: cannot write ({exc.strerror or exc})") from None
            print(f"wrote {rows} rows ({start} to {end}) to {args.csv}", file=sys.stderr)
        else:
            attendance.write_table(attendance.iter_report(start, end), sys.stdout)
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
    if args.autostart:
        print(f"installed {_install_autostart(lines, args.kiosk)}: facegui starts when you log in")
    return EXIT_OK


def _install_autostart(entry_lines: list[str], kiosk: bool) -> Path:
    """The same desktop entry in $XDG_CONFIG_HOME/autostart (XDG Autostart Specification): started at login."""
    import os

    folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "autostart"
    lines = [line + " --kiosk" if kiosk and line.startswith("Exec=") else line for line in entry_lines]
    lines += ["X-GNOME-Autostart-enabled=true"]
    target = folder / DESKTOP_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target} ({exc.strerror or exc})") from None
    return target


def cmd_data_export(args, settings) -> int:
    from ..service import GUARDED_ACTIONS, export_personal_data
    from ..service.privacy import ExportError

    require_admin_pin(args, settings, GUARDED_ACTIONS["export_data"])
    try:
        folder = export_personal_data(settings, Path(args.folder))
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except ExportError as exc:
        _err(str(exc))
        return EXIT_SOME_FAILED
    print(f"exported all face data to {folder}")
    return EXIT_OK


def cmd_data_delete(args, settings) -> int:
    from ..service import GUARDED_ACTIONS, delete_all_face_data

    if not args.yes:
        raise UsageError(f"this deletes every enrolled person, embedding, check-in and face snapshot in "
                         f"{settings.data_dir}; add --yes to confirm")
    require_admin_pin(args, settings, GUARDED_ACTIONS["delete_data"])
    removed = delete_all_face_data(settings)
    print(f"deleted {len(removed)} items of face data from {settings.data_dir}" if removed
          else f"no face data in {settings.data_dir}")
    return EXIT_OK


def cmd_log(args, settings) -> int:
    from ..service import GUARDED_ACTIONS
    from ..service.diagnostics import log_path, recent_lines

    require_admin_pin(args, settings, GUARDED_ACTIONS["problems_log"])
    try:
        lines = recent_lines(settings, args.lines)
    except OSError as exc:
        _err(f"{log_path(settings)}: cannot be read ({exc.strerror or exc})")
        return EXIT_SOME_FAILED
    if not lines:
        _err(f"nothing has gone wrong here: {log_path(settings)} holds no problems")
    for line in lines:
        print(line)
    return EXIT_OK


# -- parser -----------------------------------------------------------------
AddArguments = Callable[[argparse.ArgumentParser], None]


class _CommandParsers(argparse._SubParsersAction):
    """Sub-commands whose parsers are made the first time one is asked for.

    A parser with every command's options takes 5 ms to build, at each start; a command needs its own
    alone, and ``facegui --help`` none (its list of commands comes from each command's name and help,
    kept from the start). ``add_parser(name, arguments=ADD, ...)`` makes the parser with the other
    keywords and ``ADD(parser)`` on first use; without ``arguments`` (or with aliases) it is made at once.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_parser_map = self.choices = _ParsersOnFirstUse()

    def add_parser(self, name: str, *, arguments: AddArguments | None = None,
                   **kwargs: Any) -> argparse.ArgumentParser | None:
        if arguments is None or kwargs.get("aliases"):  # aliases: made at once, as argparse does
            parser = super().add_parser(name, **kwargs)
            if arguments is not None:
                arguments(parser)
            return parser
        if name in self._name_parser_map:
            raise argparse.ArgumentError(self, f"conflicting subparser: {name}")
        kwargs.setdefault("prog", f"{self._prog_prefix} {name}")
        if "help" in kwargs:
            self._choices_actions.append(self._ChoicesPseudoAction(name, (), kwargs.pop("help")))
        dict.__setitem__(self._name_parser_map, name, _PendingParser(self._parser_class, kwargs, arguments))
        return None


class _PendingParser:
    def __init__(self, parser_class: type[argparse.ArgumentParser], kwargs: dict[str, Any],
                 arguments: AddArguments) -> None:
        self.parser_class, self.kwargs, self.arguments = parser_class, kwargs, arguments

    def build(self) -> argparse.ArgumentParser:
        parser = self.parser_class(**self.kwargs)
        self.arguments(parser)
        return parser


class _ParsersOnFirstUse(dict):
    """Command name → its parser, made from a ``_PendingParser`` when first looked up."""

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        value = super().__getitem__(name)
        if isinstance(value, _PendingParser):
            value = value.build()
            dict.__setitem__(self, name, value)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def values(self) -> list[argparse.ArgumentParser]:  # type: ignore[override]
        return [self[name] for name in self]

    def items(self) -> list[tuple[str, argparse.ArgumentParser]]:  # type: ignore[override]
        return [(name, self[name]) for name in self]


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: otherwise a subparser resets an option given before the subcommand to None.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--data-dir", help="database and index folder (default: FACEGUI_DATA_DIR or the user data folder)")
    common.add_argument("--models", help="folder searched first for model files (default: FACEGUI_MODEL_DIR)")
    common.add_argument("--database", metavar="URL",
                        help="shared PostgreSQL database, e.g. postgresql://facegui@dbhost/school "
                             "(setting database_url; default: the SQLite file in the data folder)")
    common.add_argument("--threshold", type=float, help="similarity threshold (setting similarity_threshold)")
    common.add_argument("--det-size", type=int, help="detector input long side (setting detector_input_size)")
    common.add_argument("--provider", choices=["auto", "cpu", "cuda"], help="onnxruntime execution provider")
    common.add_argument("--threads", type=int, help="onnxruntime threads of the detector (0: one per core; the embedder: setting embedder_threads)")
    common.add_argument("--config", help="settings JSON file (default: settings.json in the user config folder)")

    parser = argparse.ArgumentParser(prog="facegui", description="Face recognition attendance: GUI and CLI.",
                                     parents=[common])
    parser.add_argument("--version", action="version", version=f"facegui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_CommandParsers)

    def models(p: argparse.ArgumentParser) -> None:
        models_sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
        p = models_sub.add_parser("list", help="each model, its path, size, SHA-256", parents=[common])
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_models_list)
        p = models_sub.add_parser("install", help="import (--from) or download and convert the models",
                                  parents=[common])
        p.add_argument("--from", dest="source", help="a .pth/.onnx file or a folder holding them")
        p.set_defaults(func=cmd_models_install)

    sub.add_parser("models", help="list or install model files", parents=[common], arguments=models)

    def encode(p: argparse.ArgumentParser) -> None:
        p.add_argument("folder")
        p.add_argument("--force", action="store_true",
                       help="enroll faces below the quality gate (enroll_min_face_size, enroll_min_sharpness) or "
                            "like someone else enrolled (similarity_threshold) or unlike the person's own enrolled faces "
                            "(enroll_min_own_similarity) too")
        p.set_defaults(func=cmd_encode)

    sub.add_parser("encode", help="enroll every image of a folder (NAME_1.jpg → NAME)", parents=[common],
                   arguments=encode)

    def enroll(p: argparse.ArgumentParser) -> None:
        p.add_argument("image")
        p.add_argument("--name", required=True)
        p.add_argument("--force", action="store_true",
                       help="enroll a face below the quality gate (enroll_min_face_size, enroll_min_sharpness) or "
                            "like someone else enrolled (similarity_threshold) or unlike the person's own enrolled faces "
                            "(enroll_min_own_similarity) too")
        p.set_defaults(func=cmd_enroll)

    sub.add_parser("enroll", help="enroll the largest face of one image", parents=[common], arguments=enroll)

    def people(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_people)

    sub.add_parser("people", help="list enrolled people", parents=[common], arguments=people)

    def remove(p: argparse.ArgumentParser) -> None:
        p.add_argument("name")
        _pin_option(p)
        p.set_defaults(func=cmd_remove)

    sub.add_parser("remove", help="remove a person and their embeddings", parents=[common], arguments=remove)

    def rename(p: argparse.ArgumentParser) -> None:
        p.add_argument("old", help="the name they are enrolled under")
        p.add_argument("new", help="their new name")
        _pin_option(p)
        p.set_defaults(func=cmd_rename)

    sub.add_parser("rename", help="give an enrolled person a new name (photos and attendance follow)",
                   parents=[common], arguments=rename)

    def photos(p: argparse.ArgumentParser) -> None:
        p.add_argument("name")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_photos)

    sub.add_parser("photos", help="the photos a person was enrolled from (id, time, file)", parents=[common],
                   arguments=photos)

    def audit(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_audit)

    sub.add_parser("audit", help="list enrolled photos that break one face, one name: unlike the rest of their "
                                 "person's, or alike another person's (exit 1 when any)",
                   parents=[common], arguments=audit)

    def remove_photo(p: argparse.ArgumentParser) -> None:
        p.add_argument("name")
        p.add_argument("id", type=int)
        _pin_option(p)
        p.set_defaults(func=cmd_remove_photo)

    sub.add_parser("remove-photo", help="remove one bad photo of a person (an id from 'facegui photos')",
                   parents=[common], arguments=remove_photo)

    def identify(p: argparse.ArgumentParser) -> None:
        p.add_argument("images", nargs="+")
        p.add_argument("--json", action="store_true", help="one JSON object per image")
        p.add_argument("--out", help="folder for annotated images")
        p.set_defaults(func=cmd_identify)

    sub.add_parser("identify", help="name every face in images", parents=[common], arguments=identify)

    def embed(p: argparse.ArgumentParser) -> None:
        p.add_argument("images", nargs="+")
        p.add_argument("--json", action="store_true", help="accepted for clarity; output is always JSON lines")
        p.set_defaults(func=cmd_embed)

    sub.add_parser("embed", help="embedding of the largest face of each image as JSON", parents=[common],
                   arguments=embed)

    def compare(p: argparse.ArgumentParser) -> None:
        p.add_argument("image_a")
        p.add_argument("image_b")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_compare)

    sub.add_parser("compare", help="same or different person?", parents=[common], arguments=compare)

    def export(p: argparse.ArgumentParser) -> None:
        p.add_argument("--npy", required=True, metavar="DIR")
        p.set_defaults(func=cmd_export)

    sub.add_parser("export", help="write seed-compatible face_encoding.npy / face_name.npy", parents=[common],
                   arguments=export)

    def data(p: argparse.ArgumentParser) -> None:
        data_sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
        p = data_sub.add_parser("export", help="copy everything stored about people into a new folder",
                                parents=[common])
        p.add_argument("folder")
        _pin_option(p)
        p.set_defaults(func=cmd_data_export)
        p = data_sub.add_parser("delete", help="delete every person, embedding, check-in and snapshot",
                                parents=[common])
        p.add_argument("--yes", action="store_true", help="confirm")
        _pin_option(p)
        p.set_defaults(func=cmd_data_delete)

    sub.add_parser("data", help="your face data: export all of it, or delete all of it", parents=[common],
                   arguments=data)

    def video(p: argparse.ArgumentParser) -> None:
        p.add_argument("source", nargs="+")
        p.add_argument("--attendance", action="store_true",
                       help="log check-ins, each stream under its own source name (as the window does)")
        p.add_argument("--out", help="annotated video file (.mp4, .mkv, .mov, .m4v or .avi)")
        p.add_argument("--json", action="store_true", help="one JSON line per frame with faces")
        p.add_argument("--max-frames", type=int, help="stop after this many frames")
        p.set_defaults(func=cmd_video)

    sub.add_parser("video", help="identify faces in video files, camera indexes or URLs (several at once "
                   "share the models; each gets its own line of FPS)", parents=[common], arguments=video)

    def attendance(p: argparse.ArgumentParser) -> None:
        p.add_argument("--from", dest="date_from", type=_date, metavar="DATE",
                       help="first day, YYYY-MM-DD (default today)")
        p.add_argument("--to", dest="date_to", type=_date, metavar="DATE",
                       help="last day, YYYY-MM-DD (default today)")
        p.add_argument("--csv", metavar="FILE", help="write date,name,status,first_seen,last_seen,sightings to FILE")
        _pin_option(p)
        p.set_defaults(func=cmd_attendance)

    sub.add_parser("attendance", help="attendance per person per day: a table, or CSV with --csv",
                   parents=[common], arguments=attendance)

    def install_desktop(p: argparse.ArgumentParser) -> None:
        p.add_argument("--prefix", metavar="DIR",
                       help="data folder to install into (default: $XDG_DATA_HOME or ~/.local/share)")
        p.add_argument("--autostart", action="store_true",
                       help="also start facegui when you log in (an XDG autostart entry in ~/.config/autostart)")
        p.add_argument("--kiosk", action="store_true",
                       help="with --autostart: start it as a station (full screen, camera on)")
        p.set_defaults(func=cmd_install_desktop)

    sub.add_parser("install-desktop", help="add facegui to the Linux desktop's application menu (.desktop + icons)",
                   parents=[common], arguments=install_desktop)
    def problems_log(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lines", type=_positive_int, default=50, metavar="N", help="how many of the last lines")
        _pin_option(p)
        p.set_defaults(func=cmd_log)

    sub.add_parser("log", help="the problems log: warnings and unexpected errors of the window and the commands, "
                   "newest last", parents=[common], arguments=problems_log)
    add_db_commands(sub, common)
    return parser


def main(argv: list[str] | None = None, parsed: argparse.Namespace | None = None) -> int:
    """Run the command in ``argv``; ``parsed``: ``argv`` as a parser from ``build_parser`` already
    parsed it (the entry point does), so it is not parsed twice."""
    if parsed is not None and parsed.command is not None:
        args = parsed
    else:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_OK
    from ..config import Settings
    from ..service.diagnostics import start_problems_log, stop_problems_log, unexpected_error_line

    try:
        settings = Settings.from_options(args)
        start_problems_log(settings, f"facegui {args.command}")
        return args.func(args, settings)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_SETUP
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_SOME_FAILED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if _is_expected(exc):
            _err(str(exc))
            return EXIT_SETUP
        # A bug: one line here, its traceback in the problems log for whoever reports it.
        _err(unexpected_error_line(exc))
        return EXIT_BUG
    finally:
        stop_problems_log()


def _is_expected(exc: Exception) -> bool:
    for module_name, class_name in EXPECTED_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return True
    return False


if __name__ == "__main__":
    sys.exit(main())
