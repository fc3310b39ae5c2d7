"""The problems log: what went wrong, kept where an admin can read it after the fact.

A station at a door runs unattended for weeks, started from the desktop menu: what it says on stderr
(a camera gone, the database server away, recognition failing) reaches nobody. So facegui's warnings
and every unexpected error, with its traceback, are also appended to ``data_dir/logs/facegui.log``,
user-only like the rest of the data folder. The CLI and the window then say an unexpected error in one
line and point here, instead of printing a traceback.

The file is opened at the first line written: a command that has nothing to report creates nothing
and pays nothing. It grows to ``Settings.log_max_bytes``, then becomes ``facegui.log.1`` (the older
ones move up to ``Settings.log_backups``). Several facegui processes may append to it at once: a line is
one write to a file opened for appending. A log that cannot be written (a full disk, a read-only
folder) is said once on stderr and then left alone: losing the log never stops the station.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TextIO

from ..config import Settings
from ..files import make_private_dir, open_private

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

LOG_FOLDER = "logs"
LOG_FILE = "facegui.log"
LOGGER = "facegui"
TIME_CHARS = len("2026-12-07 15:03:01,043")
"""Each problem line starts with its time, as logging's default time format writes it."""
TAIL_BYTES = 256_000
"""How much of the log's end ``recent_lines`` reads: some thousands of lines."""
_HANDLER_NAME = "facegui: problems log"


def log_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / LOG_FOLDER / LOG_FILE


class ProblemsLog(logging.Handler):
    """Warnings and errors of the ``facegui`` logger, one line each with time, process and where, appended to
    the problems log; a record with an exception also gets its traceback."""

    def __init__(self, path: Path, max_bytes: int, backups: int, process: str) -> None:
        super().__init__(logging.WARNING)
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self.failed: str | None = None
        """Why the log could not be written, once it could not; nothing is written after that."""
        self._stream: TextIO | None = None
        self.set_name(_HANDLER_NAME)
        self.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s [{process} {os.getpid()}] %(name)s: "
                                            "%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed is not None:
            return
        try:
            text = self.format(record).replace("\r", " ") + "\n"
            stream = self._open()
            size = os.fstat(stream.fileno()).st_size  # with what other facegui processes appended
            if size and size + len(text.encode("utf-8")) > self.max_bytes:
                stream = self._rotate()
            stream.write(text)
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: a stream closed under us
            self._give_up(exc)

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None
        super().close()

    def _open(self) -> TextIO:
        if self._stream is not None and not self._still_there(self._stream):
            self._stream.close()  # moved away by another facegui's rotation, or deleted with all face data
            self._stream = None
        if self._stream is None:
            make_private_dir(self.path.parent)
            if self.path.is_symlink():  # never write through a link someone put in our folder
                raise OSError(f"{self.path} is a symbolic link")
            self._stream = open_private(self.path, "a", encoding="utf-8", errors="replace")
        return self._stream

    def _still_there(self, stream: TextIO) -> bool:
        try:
            return os.path.samestat(os.fstat(stream.fileno()), os.stat(self.path))
        except FileNotFoundError:
            return False

    def _rotate(self) -> TextIO:
        assert self._stream is not None
        self._stream.close()
        self._stream = None
        for number in range(self.backups, 0, -1):
            older = self.path.with_name(f"{LOG_FILE}.{number}")
            newer = self.path if number == 1 else self.path.with_name(f"{LOG_FILE}.{number - 1}")
            if newer.exists() and not newer.is_symlink():
                os.replace(newer, older)
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
        return self._open()

    def _give_up(self, exc: BaseException) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failed = reason
        self.close()
        try:
            print(f"facegui: cannot write the problems log {self.path} ({reason}); going on without it",
                  file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass


def start_problems_log(settings: Settings, process: str) -> ProblemsLog | None:
    """Append the ``facegui`` logger's warnings to this data folder's problems log, as ``process`` (the
    window, or the command); replaces one started before (a second ``main()`` in one process). None when
    the setting keeps no log."""
    stop_problems_log()
    if settings.log_max_bytes == 0:
        return None
    handler = ProblemsLog(log_path(settings), settings.log_max_bytes, settings.log_backups, process)
    logging.getLogger(LOGGER).addHandler(handler)
    return handler


def stop_problems_log() -> None:
    """Close the problems log and stop appending to it (a command or the window has ended)."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
        handler.close()


def active_log() -> ProblemsLog | None:
    return next((h for h in logging.getLogger(LOGGER).handlers
                 if isinstance(h, ProblemsLog) and h.get_name() == _HANDLER_NAME), None)


def keep_traceback(exc: BaseException, message: str) -> ProblemsLog | None:
    """Write ``message`` and ``exc``'s traceback into the problems log only (stderr has had its one line);
    the log it went to, or None when none is kept."""
    return _log_only(logging.ERROR, LOGGER, message, (type(exc), exc, exc.__traceback__))


def keep_in_log(source: str, message: str) -> None:
    """A warning for the problems log only, from ``source`` (a logger's name): what the window already shows
    on screen (a camera retrying, then streaming again) and would only repeat on stderr."""
    _log_only(logging.WARNING, source, message, None)


def _log_only(level: int, source: str, message: str, exc_info: ExcInfo | None) -> ProblemsLog | None:
    handler = active_log()
    if handler is not None:
        handler.handle(logging.LogRecord(source, level, __file__, 0, "%s", (message,), exc_info))
    return handler


def error_summary(exc: BaseException) -> str:
    """``KeyError: 'tile 3'``: an error's type and message, in one line."""
    return " ".join((f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__).split())


def unexpected_error_line(exc: BaseException, where: str = "") -> str:
    """Keep ``exc``'s traceback in the problems log and return the one line that says it happened: its type
    and message, and where the details are (or why they could not be kept)."""
    place = f" in {where}" if where else ""
    summary = error_summary(exc)
    handler = keep_traceback(exc, f"unexpected error{place}")
    if handler is None:
        return f"unexpected error{place} ({summary}); a bug"
    if handler.failed is None:
        return f"unexpected error{place} ({summary}); a bug: its details are in {handler.path}"
    return f"unexpected error{place} ({summary}); a bug (the problems log could not be written: {handler.failed})"


def line_time(line: str) -> str | None:
    """The time a problem line starts with (``2026-12-07 15:03:01,043``), comparable as text; None for the
    lines of a traceback."""
    stamp = line[:TIME_CHARS]
    return stamp if len(stamp) == TIME_CHARS and stamp[4] == "-" and stamp[10] == " " and stamp[:4].isdigit() \
        else None


def problems_after(lines: list[str], seen_until: str) -> tuple[int, str]:
    """How many of ``lines`` (``recent_lines``) are problems newer than ``seen_until`` (a ``line_time``, or ""
    for none seen yet), and the newest problem's time."""
    times = [t for t in map(line_time, lines) if t is not None]
    return sum(t > seen_until for t in times), max(times, default=seen_until)


def log_state(settings: Settings) -> tuple[int, int] | None:
    """The problems log's size and modification time, to notice that it changed; None while there is none."""
    try:
        info = log_path(settings).stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def recent_lines(settings: Settings, max_lines: int = 2000) -> list[str]:
    """The problems log's last lines, oldest first (a traceback counts its lines), from the older file too
    where the current one, just started, holds fewer; empty when there is none."""
    path = log_path(settings)
    lines = _tail(path, max_lines)
    if len(lines) < max_lines:
        lines = _tail(path.with_name(f"{LOG_FILE}.1"), max_lines - len(lines)) + lines
    return lines


def _tail(path: Path, max_lines: int) -> list[str]:
    if path.is_symlink() or not path.is_file():  # a pipe or a device put there is not read
        return []
    with open(path, "rb") as file:
        start = max(0, os.fstat(file.fileno()).st_size - TAIL_BYTES)
        file.seek(start)
        lines = file.read(TAIL_BYTES).decode("utf-8", errors="replace").splitlines()
    return (lines[1:] if start else lines)[-max_lines:]  # a line cut by the start is left out
