"""File safety logic without models or photos: header sizes of every accepted format, what is read at
all, private modes, confined snapshot paths, names, CSV cells, and which face enrollment takes."""
from __future__ import annotations

import os
import stat
import struct
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from facegui.engine import Face
from facegui.engine.imageio import (IMAGE_SUFFIXES, ImageError, copy_suffix, declared_size, decode_image,
                                    read_image_bytes, write_image)
from facegui.engine.video import VideoSourceError, open_capture, parse_source, path_problem
from facegui.files import (FileMissing, FileTooLarge, FileUnreadable, NotARegularFile, copy_tree_private,
                           make_private_dir, make_private_file, open_private, read_bounded)
from facegui.service.enrollment import low_score_warning, order_faces
from facegui.service.spreadsheet import safe_row, spreadsheet_safe
from facegui.storage import AttendanceStore, FaceDatabase, StorageError, new_person_name, normalize_person_name

from ..hostile_files import BOMB_SIDE, _bmp_rle, _gif, _jpeg2000, _png, _tiff, _webp

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and special files")


def encoded(suffix: str, width: int = 37, height: int = 33) -> bytes:
    # OpenJPEG's default of six resolution levels needs both sides of at least 32 pixels.
    pixels = np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8)
    if suffix in (".pgm", ".pbm"):
        pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    ok, data = cv2.imencode(suffix, pixels)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tiff", ".webp", ".bmp", ".ppm", ".pgm", ".pbm", ".jp2"])
def test_the_header_size_of_every_accepted_format_matches_the_decoded_image(suffix, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENCV_TEMP_PATH", str(tmp_path))  # OpenCV writes JPEG 2000 through a temp file
    data = encoded(suffix)
    assert declared_size(data) == (37, 33)
    assert decode_image(data, "x", 10_000).shape == (33, 37, 3)


@pytest.mark.parametrize("suffix", sorted(IMAGE_SUFFIXES | {""}))
def test_a_copy_of_an_image_of_any_accepted_suffix_is_written_privately_without_a_temp_file(
        suffix, tmp_path, monkeypatch):
    # Where OPENCV_TEMP_PATH does not exist, an encoder that goes through a temp file fails.
    monkeypatch.setenv("OPENCV_TEMP_PATH", str(tmp_path / "no such folder"))
    target = tmp_path / f"copy{copy_suffix(suffix)}"
    image = np.random.default_rng(1).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    write_image(target, image)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert decode_image(target.read_bytes(), target, 10_000).shape == (48, 64, 3)
    assert copy_suffix(suffix) == (suffix if suffix in (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
                                   else ".png")


@pytest.mark.parametrize("name", ["face.jp2", "face.hdr", "face.pgm", "face"])
def test_writing_a_face_image_in_a_format_encoded_through_a_temp_file_or_without_colour_is_refused(name, tmp_path):
    with pytest.raises(ImageError, match="cannot write images as"):
        write_image(tmp_path / name, np.zeros((48, 64, 3), np.uint8))
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("bomb", [_tiff, _webp, _bmp_rle, _png, _jpeg2000, _gif])
def test_bombs_declare_their_size_and_are_refused_without_decoding(bomb):
    data = bomb()
    width, height = declared_size(data)
    assert width * height >= 16383 ** 2 and width in (BOMB_SIDE, 2 * BOMB_SIDE, 16383)
    with pytest.raises(ImageError, match="above the limit of 50,000,000"):
        decode_image(data, "bomb", 50_000_000)


def test_pnm_headers_with_comments_and_pam():
    assert declared_size(b"P6\n# made by hand\n640 480\n255\n") == (640, 480)
    assert declared_size(b"P7\nWIDTH 12\nHEIGHT 34\nDEPTH 3\nMAXVAL 255\nENDHDR\n") == (12, 34)
    assert declared_size(b"P5 7 9 255 ") == (7, 9)


def test_a_format_whose_size_is_not_read_here_is_refused_by_name():
    with pytest.raises(ImageError, match="OpenEXR images are not read"):
        decode_image(b"v/1\x01" + bytes(200), "x.exr", 50_000_000)
    with pytest.raises(ImageError, match="not an image or corrupt"):
        decode_image(b"hello, not a picture", "notes.jpg", 50_000_000)
    # An iPhone photo's file type box (major brand heic), an AVIF that OpenCV wrote, and an MP4 video.
    with pytest.raises(ImageError, match=r"IMG_0001.HEIC: HEIC photos \(an iPhone's default\) are not read; "
                                         r"save it as JPEG"):
        decode_image(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200), "IMG_0001.HEIC", 50_000_000)
    with pytest.raises(ImageError, match="HEIC photos"):  # HEIF named only among the compatible brands
        decode_image(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic" + bytes(200), "x.heif", 50_000_000)
    ok, avif = cv2.imencode(".avif", np.zeros((40, 50, 3), np.uint8))
    if ok:
        with pytest.raises(ImageError, match="AVIF photos are not read; save it as JPEG or PNG"):
            decode_image(avif.tobytes(), "x.avif", 50_000_000)
    with pytest.raises(ImageError, match="not an image or corrupt"):
        decode_image(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + bytes(200), "clip.mp4", 50_000_000)
    with pytest.raises(ImageError, match="no size in its JPEG header"):
        decode_image(b"\xff\xd8\xff\xd9", "tiny.jpg", 50_000_000)


def test_a_gif_frame_larger_than_its_screen_counts():
    gif = bytearray(b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0, 0, 0) + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0))
    assert declared_size(bytes(gif)) == (1, 1)
    gif[14:22] = struct.pack("<HHHH", 10, 20, 40000, 30000)
    assert declared_size(bytes(gif)) == (40010, 30020)


@posix_only
def test_the_one_bounded_reader_says_what_a_file_is_instead_of_reading_it(tmp_path):
    """``files.read_bounded`` serves the settings file, the model files and the photos alike."""
    os.mkfifo(tmp_path / "pipe")  # no writer: opening it to read would wait forever
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "model").write_bytes(b"x" * 5 * (1 << 22) + b"tail")  # read in more than one chunk
    kinds = {}
    for name in ("pipe", "zero", "."):
        with pytest.raises(NotARegularFile) as refused:
            read_bounded(tmp_path / name, 100)
        kinds[name] = (refused.value.kind, refused.value.is_folder)
    assert kinds == {"pipe": ("a named pipe (FIFO)", False), "zero": ("a character device", False),
                     ".": ("a folder", True)}
    with pytest.raises(FileMissing, match="No such file"):
        read_bounded(tmp_path / "gone", 100)
    with pytest.raises(FileUnreadable, match="null"):
        read_bounded(str(tmp_path / "a\0b"), 100)
    size = (tmp_path / "model").stat().st_size
    with pytest.raises(FileTooLarge) as too_large:
        read_bounded(tmp_path / "model", size - 1)
    assert too_large.value.size == size
    assert read_bounded(tmp_path / "model", size, check_only=True) == b""
    data = read_bounded(tmp_path / "model", size)
    assert len(data) == size and data.endswith(b"tail")


@posix_only
def test_only_regular_files_of_bounded_size_are_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    (tmp_path / "photo.jpg").write_bytes(b"1234")
    with pytest.raises(ImageError, match="named pipe"):
        read_image_bytes(tmp_path / "pipe.jpg", 100)
    with pytest.raises(ImageError, match="character device"):
        read_image_bytes(tmp_path / "zero.jpg", 100)
    with pytest.raises(ImageError, match="is a folder"):
        read_image_bytes(tmp_path, 100)
    with pytest.raises(ImageError, match="no such file"):
        read_image_bytes(tmp_path / "gone.jpg", 100)
    with pytest.raises(ImageError, match="4 bytes, above the limit of 3"):
        read_image_bytes(tmp_path / "photo.jpg", 3)
    assert read_image_bytes(tmp_path / "photo.jpg", 4) == b"1234"


@posix_only
def test_a_video_source_path_must_be_a_file_or_a_camera_device(tmp_path):
    """FFmpeg would block on a pipe with no writer, or on a terminal: such paths never reach it."""
    os.mkfifo(tmp_path / "pipe.mp4")
    (tmp_path / "zero.mp4").symlink_to("/dev/zero")
    (tmp_path / "clip.mp4").write_bytes(b"1234")
    assert str(path_problem(str(tmp_path / "pipe.mp4"))) == f"{tmp_path / 'pipe.mp4'}: is a named pipe (FIFO), not a video file or a camera"
    assert str(path_problem(str(tmp_path / "zero.mp4"))) == f"{tmp_path / 'zero.mp4'}: is a character device, not a video file or a camera"
    assert str(path_problem(str(tmp_path))) == f"{tmp_path}: is a folder, not a video file"
    assert str(path_problem(str(tmp_path / "gone.mp4"))) == f"{tmp_path / 'gone.mp4'}: no such video file"
    assert path_problem(str(tmp_path / "clip.mp4")) is None  # a file: OpenCV decides whether it is a video
    with pytest.raises(VideoSourceError, match="named pipe"):
        open_capture(str(tmp_path / "pipe.mp4"))


def test_a_camera_index_no_camera_can_have_is_one_error():
    """Before: OpenCV's own error (a traceback) for an index beyond a C int, and int() failing on "²"."""
    with pytest.raises(VideoSourceError, match=r"^camera 99999999999999999999: cannot be opened"):
        open_capture("99999999999999999999")
    assert parse_source("²") == "²" and parse_source(" 2 ") == 2


@posix_only
def test_private_files_and_folders_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        folder = tmp_path / "data"
        folder.mkdir(mode=0o755)
        os.chmod(folder, 0o755)
        make_private_dir(folder)
        make_private_file(folder / "db")
        with open_private(folder / "report.csv", "w") as file:
            file.write("x")
        (folder / "old.txt").write_text("y")
        os.chmod(folder / "old.txt", 0o644)
        with open_private(folder / "old.txt", "w") as file:  # an existing file is tightened too
            file.write("z")
        (tmp_path / "src" / "day").mkdir(parents=True)
        (tmp_path / "src" / "day" / "a.jpg").write_bytes(b"a")
        assert copy_tree_private(tmp_path / "src", folder / "copy") == 1
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
    assert modes == {"data": 0o700, "db": 0o600, "report.csv": 0o600, "old.txt": 0o600, "copy": 0o700,
                     "day": 0o700, "a.jpg": 0o600}


@posix_only
def test_what_is_not_facegui_s_keeps_its_mode(tmp_path):
    """A device written to (``attendance --csv /dev/null``) and a shared sticky folder used as the data
    folder (``--data-dir /tmp``) keep their modes: before, as root, /dev/null became 0600 and /tmp 0700,
    locking every other user out of both."""
    before = stat.S_IMODE(os.stat(os.devnull).st_mode)
    try:
        with open_private(Path(os.devnull), "w") as file:
            file.write("report")
        assert stat.S_IMODE(os.stat(os.devnull).st_mode) == before
    finally:
        if stat.S_IMODE(os.stat(os.devnull).st_mode) != before and os.geteuid() == 0:
            os.chmod(os.devnull, before)  # undo the defect this test exists for
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    make_private_dir(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(make_private_dir(shared / "data").stat().st_mode) == 0o700  # facegui's own: private


@posix_only
def test_a_database_that_is_a_device_or_a_pipe_is_refused_untouched(tmp_path):
    """``db copy --to /dev/null``: before, "disk I/O error", and /dev/null made 0600 (as root). A data
    folder under a file names the file in the way, not "File exists" about the folder."""
    os.mkfifo(tmp_path / "pipe")
    before = stat.S_IMODE(os.stat(os.devnull).st_mode)
    try:
        for path, what in ((Path(os.devnull), "a character device"), (tmp_path / "pipe", r"a named pipe \(FIFO\)")):
            with pytest.raises(StorageError, match=rf"^{path}: is {what}, not a database file$"):
                FaceDatabase(path)
        assert stat.S_IMODE(os.stat(os.devnull).st_mode) == before
    finally:
        if stat.S_IMODE(os.stat(os.devnull).st_mode) != before and os.geteuid() == 0:
            os.chmod(os.devnull, before)  # undo the defect this test exists for
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(StorageError, match=rf"{tmp_path / 'notes.txt'} is a file, not a folder$"):
        FaceDatabase(tmp_path / "notes.txt" / "data" / "facegui.sqlite3")


@posix_only
def test_a_copy_into_a_folder_of_the_user_s_leaves_that_folder_as_it_was(tmp_path):
    """``db copy --to ~/backup.sqlite3`` made the user's home 0700, and ``--to /dev/x`` made /dev 0700 (as
    root: every other user lost /dev/null). Only facegui's own data folder is tightened when it exists."""
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    for folder in (theirs, ours):
        folder.mkdir()
        os.chmod(folder, 0o755)
    with FaceDatabase(theirs / "copy.sqlite3", own_folder=False), FaceDatabase(ours / "facegui.sqlite3"):
        pass
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o755 and stat.S_IMODE(ours.stat().st_mode) == 0o700
    assert stat.S_IMODE((theirs / "copy.sqlite3").stat().st_mode) == 0o600
    with FaceDatabase(tmp_path / "new" / "copy.sqlite3", own_folder=False):
        pass
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700  # made by facegui: private


@posix_only
def test_a_report_into_a_pipe_nobody_reads_is_refused_at_once(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            with open_private(pipe, "w") as file:
                file.write("report")
            outcome.append(None)
        except OSError as error:
            outcome.append(error)

    worker = threading.Thread(target=write, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # it blocked (the defect): a reader lets it finish, and the test fail
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
        worker.join(5)
        os.close(reader)
    assert len(outcome) == 1 and isinstance(outcome[0], OSError)
    assert outcome[0].strerror == "a named pipe (FIFO) that nothing reads"

    received = []  # with a reader, the pipe is written as usual
    reader_thread = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader_thread.start()
    time.sleep(0.2)  # let the reader open its end first
    with open_private(pipe, "w") as file:
        file.write("report")
    reader_thread.join(5)
    assert received == ["report"]


def test_stored_snapshot_paths_outside_the_folder_are_ignored(tmp_path):
    with AttendanceStore(tmp_path / "data") as store:
        (tmp_path / "data" / "snapshots" / "2026-01-01").mkdir(parents=True)
        inside = store._absolute("2026-01-01/090000-checkin-abc.jpg")
        assert inside == (tmp_path / "data" / "snapshots" / "2026-01-01" / "090000-checkin-abc.jpg").resolve()
        for hostile in ("../../victim.txt", "/etc/passwd", "2026-01-01/../../facegui.sqlite3", "", "."):
            assert store._absolute(hostile) is None, hostile


@pytest.mark.parametrize("name", ["a\nb", "a\rb", "tab\there", "line\u2028sep", "evil\u202eexe.jpg", "x" * 101])
def test_names_with_control_characters_line_breaks_or_overrides_are_refused(name):
    with pytest.raises(ValueError):
        normalize_person_name(name)


def test_ordinary_names_are_kept():
    assert normalize_person_name("  张学友 ") == "张学友"
    assert normalize_person_name("Zoë O'Brien-Smith") == "Zoë O'Brien-Smith"
    assert normalize_person_name("Zoe\u0308") == "Zoë"  # decomposed (macOS file names): the same person
    assert normalize_person_name("\u0645\u06cc\u200c\u0631\u0648") == "\u0645\u06cc\u200c\u0631\u0648"  # Persian ZWNJ


@pytest.mark.parametrize("name", ["oba\u200bma", "\ufeffobama", "oba\u00adma", "o\u2060bama"])
def test_a_name_with_an_invisible_character_that_would_look_like_another_is_refused(name, tmp_path):
    with pytest.raises(ValueError, match=r"must not contain invisible characters \(U\+[0-9A-F]{4}\)"):
        new_person_name(name)
    with FaceDatabase(tmp_path / "faces.sqlite3") as database:
        with pytest.raises(ValueError, match="invisible characters"):
            database.add_embedding(name, np.ones(8, np.float32), "unit-model:0", None, None)
        assert database.people() == []


def test_a_person_stored_under_an_invisible_character_before_the_rule_can_be_renamed_and_removed(tmp_path):
    import sqlite3

    legacy = "oba\u200bma"
    with FaceDatabase(tmp_path / "faces.sqlite3") as database:
        database.add_embedding("obama", np.ones(8, np.float32), "unit-model:0", None, None)
    with sqlite3.connect(tmp_path / "faces.sqlite3") as raw:  # as an older facegui wrote it
        raw.execute("UPDATE people SET name = ?", (legacy,))
    raw.close()
    with FaceDatabase(tmp_path / "faces.sqlite3") as database:
        assert [p.name for p in database.people()] == [legacy]
        database.rename_person(legacy, "obama")
        assert [p.name for p in database.people()] == ["obama"]


def test_every_text_cell_is_spreadsheet_safe():
    for formula in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\n=1", "  =HYPERLINK(\"x\")"):
        assert spreadsheet_safe(formula) == "'" + formula
    assert spreadsheet_safe("obama") == "obama" and spreadsheet_safe("") == ""
    assert safe_row(["=x", 0.5, -1, None, "door"]) == ["'=x", 0.5, -1, None, "door"]


def face(x1: float, width: float, score: float) -> Face:
    return Face(np.array([x1, 0, x1 + width, width], np.float32), np.zeros((5, 2), np.float32), score)


def test_enrollment_prefers_the_largest_confident_face():
    false_big, real, real_small = face(0, 300, 0.63), face(400, 150, 1.0), face(700, 60, 0.95)
    assert order_faces([false_big, real_small, real], 0.9) == [real, real_small, false_big]
    assert low_score_warning(real, 0.9) is None
    only_weak = order_faces([face(0, 100, 0.7), face(200, 200, 0.6)], 0.9)
    assert only_weak[0].width == 200 and "score 0.60" in low_score_warning(only_weak[0], 0.9)
