"""Crash-safe file writes and bounded reads, shared by every layer that persists or reads something."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

READ_WITHOUT_WAITING = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | \
    getattr(os, "O_NOCTTY", 0)
"""Flags to open a file for reading that never block: a FIFO with no writer would wait forever. Check what
was opened (os.fstat) before reading it."""

FOLDER = "a folder"
_FILE_KINDS = ((stat.S_ISDIR, FOLDER), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for a message: "a folder", "a named pipe (FIFO)" …"""
    return next((text for test, text in _FILE_KINDS if test(mode)), "not a regular file")


class FileReadError(Exception):
    """Why :func:`read_bounded` read nothing; the subclass says which case, so each caller words its own
    message (``reason``: the operating system's words where it gave any)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class FileMissing(FileReadError):
    pass


class NotARegularFile(FileReadError):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
        """What it is, from :func:`file_kind`: "a folder", "a named pipe (FIFO)" …"""

    @property
    def is_folder(self) -> bool:
        return self.kind == FOLDER


class FileTooLarge(FileReadError):
    def __init__(self, size: int | None) -> None:
        super().__init__()
        self.size = size
        """Its size when it was opened; None when it grew past the bound while it was read."""


class FileUnreadable(FileReadError):
    pass


_READ_CHUNK_BYTES = 1 << 22


def read_bounded(path: str | Path, max_bytes: int, check_only: bool = False) -> bytes:
    """The bytes of a regular file (a link to one is fine) of at most ``max_bytes``; with ``check_only``, the
    same checks and b"". Checked on what was opened, and opening never waits: a FIFO with no writer, a
    device (``/dev/zero``), a socket or a folder is refused without reading, and a name swapped for one
    after a look cannot slip through. FileReadError's subclasses say why not."""
    try:
        fd = os.open(path, READ_WITHOUT_WAITING)
    except FileNotFoundError as exc:
        raise FileMissing(exc.strerror or str(exc)) from None
    except IsADirectoryError:
        raise NotARegularFile(FOLDER) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        if isinstance(exc, OSError) and os.path.isdir(path):  # Windows cannot open a folder at all
            raise NotARegularFile(FOLDER) from None
        raise FileUnreadable(getattr(exc, "strerror", None) or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(file_kind(info.st_mode))
        if info.st_size > max_bytes:
            raise FileTooLarge(info.st_size)
        data = b"" if check_only else _read_up_to(fd, info.st_size, max_bytes + 1)  # one byte more shows growth
    except OSError as exc:
        raise FileUnreadable(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileTooLarge(None)
    return data


def _read_up_to(fd: int, size: int, limit: int) -> bytes:
    # The size the file has first, in one read: asking for "up to 512 MB" makes Python set that much aside
    # first, which costs more than reading a 4 MB model (4 ms against 0.2 here).
    chunks, remaining, asked = [], limit, min(size + 1, limit)
    while remaining > 0:
        chunk = os.read(fd, asked)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        asked = min(remaining, _READ_CHUNK_BYTES)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def special_file_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a named pipe (FIFO)", "a folder" …);
    None when it is one, is missing, or cannot be looked at (opening it then says why)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


def not_a_folder(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a folder ("is a named pipe (FIFO)"); None otherwise."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return None  # missing or unreadable: creating it says why
    if stat.S_ISDIR(mode):
        return None
    return "is a file" if stat.S_ISREG(mode) else f"is {file_kind(mode)}"


NEARLY_FULL_BYTES = 1 << 20
"""Free space below which a failed write is put down to a full disk: SQLite needs room for its
write-ahead log and shared-memory files even to open a database for reading."""


def full_disk_note(path: Path) -> str:
    """" (the disk holding FOLDER is full: N bytes free)" when the filesystem of ``path`` (or of the nearest
    folder above it that exists) has less than ``NEARLY_FULL_BYTES`` free; "" otherwise or when unknown.
    SQLite reports a full disk as a mere "disk I/O error" when it cannot create those files."""
    folder = Path(path)
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        usage = os.statvfs(folder)
    except (OSError, ValueError, AttributeError):  # statvfs is POSIX only
        return ""
    free = usage.f_bavail * usage.f_frsize
    return f" (the disk holding {folder} is full: {free:,} bytes free)" if free < NEARLY_FULL_BYTES else ""


def atomic_write(path: Path, data: bytes | memoryview) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never half of one.

    The temp file lives in the target folder because os.replace is atomic only within one
    filesystem; mkstemp creates it readable by the user only.
    """
    import tempfile  # here, not at the top: a command that writes nothing does not load it (1 ms)

    path = Path(path)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open folders and needs no call."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on a folder; the file itself is already durable
        pass
    finally:
        os.close(fd)


# -- private files and folders --------------------------------------------------
# Face images, embeddings and attendance are personal data: every file facegui writes about people
# is 0600 in a 0700 folder, whatever the umask and whatever mode a folder already had.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed, and make it user-only even if it already existed.

    Only the last folder is tightened: parents such as the user's home are not facegui's to change.
    """
    path = Path(path)
    try:
        os.makedirs(path, mode=PRIVATE_DIR_MODE, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (path, *path.parents) if os.path.lexists(p)), None)
        what = not_a_folder(blocker) if blocker is not None else None
        if what is None:
            raise
        # Say which file is in the way and what it is, not "File exists" about the folder asked for.
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} {what}, not a folder", str(path)) from None
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def make_private_file(path: Path) -> Path:
    """Create ``path`` empty and user-only unless it exists; an existing one is made user-only too.

    Called before a library (SQLite, numpy) creates the file itself with the umask's mode.
    """
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    _tighten(path, PRIVATE_FILE_MODE)
    return path


def config_folder(folder: Path, own: bool) -> Path:
    """The folder of a settings file, created user-only if missing; ``own``: it is facegui's own (the user's
    config folder), made user-only even if it existed. A folder the user named (beside ``--config``) keeps the
    mode it has: it may be shared, and only the files facegui writes in it are user-only."""
    if own:
        return make_private_dir(folder)
    os.makedirs(folder, mode=PRIVATE_DIR_MODE, exist_ok=True)
    return Path(folder)


@overload
def open_private(path: Path, mode: Literal["wb", "xb", "ab"] = "wb", **kwargs: Any) -> BinaryIO: ...
@overload
def open_private(path: Path, mode: Literal["w", "x", "a"], **kwargs: Any) -> TextIO: ...
@overload
def open_private(path: Path, mode: str, **kwargs: Any) -> IO[Any]: ...
def open_private(path: Path, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing (``w``, ``wb``, ``x``…), the file created or truncated user-only."""
    if not any(flag in mode for flag in "wxa"):
        raise ValueError(f"open_private is for writing, not mode {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= os.O_EXCL if "x" in mode else (os.O_APPEND if "a" in mode else os.O_TRUNC)
    try:
        # Not waiting: opening a named pipe that nothing reads would block for ever.
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), PRIVATE_FILE_MODE)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise OSError(error.errno, "a named pipe (FIFO) that nothing reads", str(path)) from None
        raise
    try:
        if os.name == "posix":
            os.set_blocking(fd, True)  # a pipe with a reader is then written to as usual
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, PRIVATE_FILE_MODE)  # an existing file keeps its mode through O_TRUNC
            # A device or a pipe the user named (/dev/null) is written as it is: its mode is not ours.
        return os.fdopen(fd, mode.replace("x", "w"), **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, data: bytes) -> None:
    with open_private(path, "wb") as file:
        file.write(data)


def copy_tree_private(source: Path, target: Path) -> int:
    """Copy the files under ``source`` to ``target`` (created), every folder 0700 and file 0600;
    returns the files copied. Symbolic links are not followed: facegui's own folders hold none."""
    count = 0
    make_private_dir(target)
    for entry in sorted(Path(source).iterdir()):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            count += copy_tree_private(entry, Path(target) / entry.name)
        elif entry.is_file():
            write_private(Path(target) / entry.name, entry.read_bytes())
            count += 1
    return count


def restrict_if_present(path: Path) -> None:
    """Make an existing file user-only (a database's WAL left by an older version); absent is fine."""
    if Path(path).is_file():
        _tighten(Path(path), PRIVATE_FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    if os.name != "posix":
        return  # Windows: the user profile's ACLs already keep other users out
    try:
        info = os.stat(path)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            return  # a device or a pipe someone named (/dev/null): its mode is not facegui's to change
        if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX:
            # A folder every user shares by design (/tmp, with the sticky bit): made 0700 it would lock all
            # the others out of it (as root, or as its owner). The files facegui keeps in it are 0600 anyway.
            return
        if (info.st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except PermissionError:
        pass  # not ours (e.g. a shared export folder): its owner decides
