"""The CLI end to end, with the real models on the real photos."""
from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import struct
import threading
import time
import zlib

import cv2
import numpy as np
import pytest

from facegui.app import main

from .conftest import FACES


def run(cli_args, *argv) -> int:
    return main([*argv, *cli_args])


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def names_left_to_right(record) -> list[str]:
    return [f["name"] for f in sorted(record["faces"], key=lambda f: f["box"][0])]


@pytest.fixture
def enrolled(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    capsys.readouterr()
    return cli_args


def test_models_list_shows_both_models(cli_args, capsys):
    assert run(cli_args, "models", "list", "--json") == 0
    models = {m["role"]: m for m in json.loads(capsys.readouterr().out)}
    assert set(models) == {"detector", "embedder"}
    assert all(m["present"] and len(m["sha256"]) == 64 and m["size"] > 1_000_000 for m in models.values())
    assert models["embedder"]["model_id"] == "arcface_mobilefacenet:4c08e11a0a2b"


def test_encode_gallery_then_rerun_skips_everything(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    assert "enrolled 9, skipped 0, failed 0" in capsys.readouterr().out
    assert run(cli_args, "encode", str(FACES / "gallery")) == 0
    assert "enrolled 0, skipped 9, failed 0" in capsys.readouterr().out
    assert run(cli_args, "people", "--json") == 0
    people = {p["name"]: p["embeddings"] for p in json.loads(capsys.readouterr().out)}
    assert people == {"alex_lacamoire": 1, "biden": 2, "kit_harington": 2, "obama": 2, "rose_leslie": 2}


@pytest.mark.parametrize("probe, expected", [
    ("two_people.jpg", ["obama", "biden"]),
    ("kit_with_rose.jpg", ["rose_leslie", "kit_harington"]),
    ("johnsnow_test1.jpg", ["kit_harington"]),
    ("obama-240p.jpg", ["obama"]),
    ("obama-480p.jpg", ["obama"]),
    ("obama-720p.jpg", ["obama"]),
    ("obama-1080p.jpg", ["obama"]),
    ("32bit.png", ["obama"]),
    ("lin-manuel-miranda.png", ["unknown"]),
    ("obama_and_biden.jpg", ["biden", "obama", "unknown"]),
])
def test_identify_names_the_people_in_the_probes(enrolled, capsys, probe, expected):
    assert run(enrolled, "identify", str(FACES / "probes" / probe), "--json") == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert names_left_to_right(record) == expected


def test_identify_writes_annotated_images(enrolled, tmp_path, capsys):
    out = tmp_path / "annotated"
    assert run(enrolled, "identify", str(FACES / "probes" / "two_people.jpg"), "--out", str(out)) == 0
    written = cv2.imread(str(out / "two_people_identified.jpg"))
    original = cv2.imread(str(FACES / "probes" / "two_people.jpg"))
    assert written.shape == original.shape
    assert np.abs(written.astype(int) - original).max() > 100  # boxes were drawn
    assert "obama" in capsys.readouterr().out


def test_the_annotated_copy_of_a_jpeg_2000_photo_is_a_png_and_never_passes_through_the_temp_folder(
        enrolled, tmp_path, capsys, monkeypatch):
    photo = tmp_path / "二人.jp2"
    monkeypatch.setenv("OPENCV_TEMP_PATH", str(tmp_path))  # OpenCV encodes JPEG 2000 through a temp file
    ok, data = cv2.imencode(".jp2", cv2.imread(str(FACES / "probes" / "two_people.jpg")))
    assert ok
    photo.write_bytes(data.tobytes())
    # From here on, an encoder that needs a temp file fails.
    monkeypatch.setenv("OPENCV_TEMP_PATH", str(tmp_path / "no such folder"))
    out = tmp_path / "annotated"
    assert run(enrolled, "identify", str(photo), "--out", str(out)) == 0
    assert [p.name for p in out.iterdir()] == ["二人_identified.png"]
    written = cv2.imdecode(np.fromfile(out / "二人_identified.png", np.uint8), cv2.IMREAD_COLOR)
    assert written.shape == cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape
    assert (out / "二人_identified.png").stat().st_mode & 0o077 == 0
    assert "obama" in capsys.readouterr().out


def test_seed_dataset_with_a_chinese_name(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "seed_dataset")) == 0
    assert "enrolled 2, skipped 0, failed 0" in capsys.readouterr().out
    assert run(cli_args, "identify", str(FACES / "seed_img" / "obama.jpg"),
               str(FACES / "seed_img" / "zhangxueyou.jpg"), "--json") == 0
    records = json_lines(capsys.readouterr().out)
    assert [names_left_to_right(r) for r in records] == [["obama"], ["张学友"]]


def test_enroll_one_compare_remove(cli_args, capsys):
    assert run(cli_args, "enroll", str(FACES / "probes" / "lin-manuel-miranda.png"), "--name", "Lin-Manuel") == 0
    assert "enrolled" in capsys.readouterr().out
    assert run(cli_args, "identify", str(FACES / "probes" / "lin-manuel-miranda.png"), "--json") == 0
    assert names_left_to_right(json_lines(capsys.readouterr().out)[-1]) == ["Lin-Manuel"]
    assert run(cli_args, "remove", "Lin-Manuel") == 0
    assert run(cli_args, "remove", "Lin-Manuel") == 1
    capsys.readouterr()
    assert run(cli_args, "identify", str(FACES / "probes" / "lin-manuel-miranda.png"), "--json") == 0
    assert names_left_to_right(json_lines(capsys.readouterr().out)[-1]) == ["unknown"]


def test_a_face_already_enrolled_under_another_name_is_refused(enrolled, tmp_path, capsys):
    """obama-480p.jpg scores 0.95 against obama's gallery photo: enrolled as someone else, the station could
    show either name for him. It is refused, naming obama, unless forced; as obama it joins him."""
    photo = str(FACES / "probes" / "obama-480p.jpg")
    assert run(enrolled, "enroll", photo, "--name", "Barack Typo") == 1
    captured = capsys.readouterr()
    (line,) = [text for text in captured.err.splitlines() if "looks like" in text]
    assert "this face looks like obama, who is already enrolled (similarity 0.9" in line
    assert line.endswith("enroll it as obama, or add --force")
    assert run(enrolled, "people", "--json") == 0
    assert "Barack Typo" not in {p["name"] for p in json.loads(capsys.readouterr().out)}

    # Someone nobody resembles (lin-manuel scores 0.21 at most against the gallery) is enrolled as before.
    assert run(enrolled, "enroll", str(FACES / "probes" / "lin-manuel-miranda.png"), "--name", "lin") == 0
    assert run(enrolled, "enroll", photo, "--name", "obama") == 0
    assert run(enrolled, "enroll", str(FACES / "probes" / "obama1.jpg"), "--name", "twin", "--force") == 0
    capsys.readouterr()
    assert run(enrolled, "people", "--json") == 0
    people = {p["name"]: p["embeddings"] for p in json.loads(capsys.readouterr().out)}
    assert people["obama"] == 3 and people["lin"] == 1 and people["twin"] == 1

    # A folder whose file names give kit's photo to rose: that one file fails, the rest are enrolled.
    folder = tmp_path / "mislabelled"
    folder.mkdir()
    shutil.copy(FACES / "probes" / "johnsnow_test1.jpg", folder / "rose_leslie_9.jpg")
    shutil.copy(FACES / "probes" / "alex-lacamoire.png", folder / "alex_lacamoire_9.png")
    assert run(enrolled, "encode", str(folder)) == 1  # a file failed
    captured = capsys.readouterr()
    assert "enrolled 1, skipped 0, failed 1" in captured.out
    assert "rose_leslie_9.jpg: this face looks like kit_harington" in captured.out + captured.err



def test_a_face_unlike_the_persons_own_enrolled_faces_is_refused(cli_args, tmp_path, capsys):
    """kit is enrolled nowhere, so there is no look-alike: his photo saved as rose_leslie_3.jpg beside
    her two would join rose, and the station would greet kit as rose. That file is refused, naming her
    faces and how close the best came, unless forced; alex's two real photos (0.50 apart) join him."""
    folder = tmp_path / "rose"
    folder.mkdir()
    for number in (1, 2):
        shutil.copy(FACES / "gallery" / f"rose_leslie_{number}.jpg", folder / f"rose_leslie_{number}.jpg")
    shutil.copy(FACES / "gallery" / "kit_harington_1.jpg", folder / "rose_leslie_3.jpg")
    assert run(cli_args, "encode", str(folder)) == 1  # a file failed
    captured = capsys.readouterr()
    assert "enrolled 2, skipped 0, failed 1" in captured.out
    (line,) = [text for text in (captured.out + captured.err).splitlines() if "does not look like" in text]
    assert "rose_leslie_3.jpg: this face does not look like rose_leslie's enrolled faces (best similarity " in line
    assert "minimum 0.25, setting enroll_min_own_similarity" in line and line.endswith("or add --force")

    assert run(cli_args, "enroll", str(FACES / "gallery" / "alex_lacamoire_1.jpg"), "--name", "alex") == 0
    assert run(cli_args, "enroll", str(FACES / "probes" / "alex-lacamoire.png"), "--name", "alex") == 0
    assert run(cli_args, "enroll", str(folder / "rose_leslie_3.jpg"), "--name", "rose_leslie", "--force") == 0
    capsys.readouterr()
    assert run(cli_args, "people", "--json") == 0
    assert {p["name"]: p["embeddings"] for p in json.loads(capsys.readouterr().out)} == {
        "rose_leslie": 3, "alex": 2}



def test_encode_lets_a_new_persons_agreeing_photos_outvote_a_mislabelled_first_one(cli_args, tmp_path, capsys):
    """obama_1.jpg is kit's photo, obama_2 and obama_3 are obama's. Taken in file order, kit's face would
    make the person "obama" and obama's own two photos would be refused as unlike him; the two that agree
    go first instead, and kit's is the one refused."""
    folder = tmp_path / "obama"
    folder.mkdir()
    shutil.copy(FACES / "gallery" / "kit_harington_1.jpg", folder / "obama_1.jpg")
    shutil.copy(FACES / "gallery" / "obama_1.jpg", folder / "obama_2.jpg")
    shutil.copy(FACES / "gallery" / "obama_2.jpg", folder / "obama_3.jpg")
    assert run(cli_args, "encode", str(folder)) == 1
    captured = capsys.readouterr()
    assert "enrolled 2, skipped 0, failed 1" in captured.out
    (line,) = [text for text in (captured.out + captured.err).splitlines() if "does not look like" in text]
    assert "obama_1.jpg: this face does not look like obama's enrolled faces" in line
    assert run(cli_args, "identify", str(FACES / "probes" / "obama1.jpg"), str(FACES / "probes" / "johnsnow_test1.jpg"),
               "--json") == 0
    records = json_lines(capsys.readouterr().out)
    assert [names_left_to_right(r) for r in records] == [["obama"], ["unknown"]]

def test_compare_and_embed(cli_args, capsys):
    assert run(cli_args, "compare", str(FACES / "gallery" / "obama_1.jpg"),
               str(FACES / "probes" / "obama1.jpg"), "--json") == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "same"
    assert run(cli_args, "compare", str(FACES / "gallery" / "obama_1.jpg"),
               str(FACES / "gallery" / "biden_1.jpg"), "--json") == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "different"
    corner = FACES / "gallery" / "obama_1.jpg"
    assert run(cli_args, "embed", str(corner), "--json") == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert record["model"].startswith("arcface_mobilefacenet:")
    assert len(record["embedding"]) == 128
    assert np.linalg.norm(record["embedding"]) == pytest.approx(1.0, abs=1e-4)


def test_export_is_seed_compatible(enrolled, tmp_path, capsys):
    assert run(enrolled, "export", "--npy", str(tmp_path / "npy")) == 0
    vectors = np.load(tmp_path / "npy" / "face_encoding.npy")
    names = np.load(tmp_path / "npy" / "face_name.npy")
    assert vectors.shape == (9, 128) and vectors.dtype == np.float32
    assert sorted(set(names.tolist())) == ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"]


def _bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header declares a huge image: decoding it would need gigabytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + data)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def messy_folder(tmp_path):
    """Real photos in every awkward form, plus files that are not images at all."""
    folder = tmp_path / "messy"
    folder.mkdir()
    obama = cv2.imread(str(FACES / "gallery" / "obama_1.jpg"))
    shutil.copy(FACES / "seed_dataset" / "张学友_1.jpg", folder / "张学友_1.jpg")
    # Three awkward forms of obama, all under his name (one face under three names is refused):
    # grey, 16 bits per channel, and RGBA.
    cv2.imwrite(str(folder / "obama_1.png"), cv2.cvtColor(obama, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(folder / "obama_2.png"), obama.astype(np.uint16) * 257)
    shutil.copy(FACES / "probes" / "32bit.png", folder / "obama_3.png")
    (folder / "empty_1.jpg").write_bytes(b"")
    (folder / "notes_1.jpg").write_text("this is not a picture")
    data = (FACES / "gallery" / "biden_1.jpg").read_bytes()
    (folder / "truncated_1.jpg").write_bytes(data[:200])
    cv2.imwrite(str(folder / "noface_1.jpg"), obama[-150:, :150])
    (folder / "bomb_1.png").write_bytes(_bomb_png(60000, 60000))
    return folder


def test_bad_input_is_reported_per_file_and_the_batch_goes_on(cli_args, messy_folder, capsys):
    assert run(cli_args, "encode", str(messy_folder)) == 1
    captured = capsys.readouterr()
    assert "enrolled 4, skipped 0, failed 5" in captured.out
    errors = captured.err.splitlines()
    def reason(name):
        (line,) = [e for e in errors if name in e]
        return line
    assert "empty file" in reason("empty_1.jpg")
    assert "cannot be decoded" in reason("notes_1.jpg")
    assert "cannot be decoded" in reason("truncated_1.jpg")
    assert "no face found" in reason("noface_1.jpg")
    assert "60000x60000" in reason("bomb_1.png") and "max_image_pixels" in reason("bomb_1.png")
    assert "Traceback" not in captured.err
    assert run(cli_args, "people", "--json") == 0
    people = {p["name"]: p["embeddings"] for p in json.loads(capsys.readouterr().out)}
    assert people == {"张学友": 1, "obama": 3}


def test_identify_reports_bad_files_and_continues(enrolled, messy_folder, capsys):
    code = run(enrolled, "identify", str(messy_folder / "notes_1.jpg"), str(messy_folder / "obama_1.png"),
               str(messy_folder / "missing.jpg"), "--json")
    assert code == 1
    captured = capsys.readouterr()
    (record,) = json_lines(captured.out)
    assert names_left_to_right(record) == ["obama"]
    assert "notes_1.jpg: not an image" in captured.err
    assert "missing.jpg: no such file" in captured.err


def test_a_folder_of_phone_photos_names_each_heic_photo_and_identifies_the_rest(enrolled, tmp_path, capsys):
    folder = tmp_path / "from the phone"
    folder.mkdir()
    (folder / "IMG_0001.jpg").write_bytes((FACES / "probes" / "obama1.jpg").read_bytes())
    # An iPhone photo's file type box; OpenCV has no HEIC decoder, so its pixels never matter here.
    (folder / "IMG_0002.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(4000))
    assert run(enrolled, "identify", str(folder), "--json") == 1
    captured = capsys.readouterr()
    (record,) = json_lines(captured.out)
    assert names_left_to_right(record) == ["obama"]
    err = [line for line in captured.err.splitlines() if "running on CPU" not in line]
    assert err == [f"facegui: {folder / 'IMG_0002.HEIC'}: HEIC photos (an iPhone's default) are not read; save it "
                   f"as JPEG, or set the iPhone to Settings > Camera > Formats > Most Compatible"]


def test_a_folder_without_images_in_it_is_one_line_not_silence(enrolled, tmp_path, capsys):
    outer = tmp_path / "outer"  # its photos are one folder further down, where commands do not look
    (outer / "inner").mkdir(parents=True)
    (outer / "inner" / "obama.jpg").write_bytes((FACES / "probes" / "obama1.jpg").read_bytes())
    for command in ("identify", "embed", "encode"):
        assert run(enrolled, command, str(outer)) == 1, command
        err = [line for line in capsys.readouterr().err.splitlines() if "running on CPU" not in line]
        assert err == [f"facegui: {outer}: no image files in this folder (folders inside it are not searched)"], command


def test_too_large_image_is_refused_by_setting(cli_args, tmp_path, capsys):
    config = tmp_path / "small.json"
    config.write_text(json.dumps({"max_image_pixels": 100_000}))
    args = [a if a != str(tmp_path / "no-settings.json") else str(config) for a in cli_args]
    assert run(args, "identify", str(FACES / "probes" / "obama-720p.jpg")) == 1
    assert "1280x720 pixels, above the limit of 100,000" in capsys.readouterr().err


def test_missing_models_give_one_line_saying_what_to_run(tmp_path, capsys):
    args = ["--data-dir", str(tmp_path / "d"), "--models", str(tmp_path / "none"),
            "--config", str(tmp_path / "none.json")]
    # model_data/ and the user data folder must not satisfy the search either.
    code = main(["identify", str(FACES / "probes" / "obama1.jpg"), *args])
    err = capsys.readouterr().err
    if code == 0:
        pytest.skip("models are installed in ./model_data of this checkout")
    assert code == 2
    assert "facegui models install" in err and len(err.strip().splitlines()) == 1


def test_tampered_model_file_is_refused_by_its_sha256(tmp_path, models_dir, capsys):
    tampered = tmp_path / "tampered_models"
    shutil.copytree(models_dir, tampered)
    data = bytearray((tampered / "arcface.onnx").read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the weights: still a loadable graph, different numbers
    (tampered / "arcface.onnx").write_bytes(bytes(data))
    args = ["--data-dir", str(tmp_path / "d"), "--models", str(tampered), "--config", str(tmp_path / "n.json")]
    assert main(["identify", str(FACES / "probes" / "obama1.jpg"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert "arcface.onnx" in err and "differs from" in err and "facegui models install" in err
    assert len(err.splitlines()) == 1


def test_model_file_copied_in_by_hand_is_refused(tmp_path, models_dir, capsys):
    by_hand = tmp_path / "by_hand"
    by_hand.mkdir()
    for name in ("retinaface_mobilenet0.25.onnx", "arcface.onnx"):
        shutil.copy(models_dir / name, by_hand)
    (by_hand / "arcface.onnx").write_bytes(b"garbage" * 100)
    args = ["--data-dir", str(tmp_path / "d"), "--models", str(by_hand), "--config", str(tmp_path / "n.json")]
    assert main(["identify", str(FACES / "probes" / "obama1.jpg"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert "not installed by facegui" in err and "facegui models install" in err and len(err.splitlines()) == 1


def test_installing_a_garbage_onnx_is_refused(tmp_path, capsys):
    garbage = tmp_path / "model.onnx"
    garbage.write_bytes(b"garbage" * 100)
    assert main(["models", "install", "--from", str(garbage), "--models", str(tmp_path / "m"),
                 "--data-dir", str(tmp_path / "d"), "--config", str(tmp_path / "n.json")]) == 2
    assert "not a valid ONNX file" in capsys.readouterr().err


def test_usage_errors_exit_2(cli_args, capsys):
    assert run(cli_args, "encode", str(FACES / "nowhere")) == 2
    assert "not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["identify"])
    assert exit_info.value.code == 2


def test_video_names_the_singer(cli_args, tmp_path, capsys):
    assert run(cli_args, "enroll", str(FACES / "probes" / "lin-manuel-miranda.png"), "--name", "lin") == 0
    capsys.readouterr()
    out = tmp_path / "annotated.mp4"
    assert run(cli_args, "video", str(FACES / "video" / "short_hamilton_clip.mp4"), "--json",
               "--max-frames", "220", "--out", str(out)) == 0
    captured = capsys.readouterr()
    frames = json_lines(captured.out)
    named = [f["frame"] for f in frames if any(face["name"] == "lin" for face in f["faces"])]
    # He sings in close-up from about frame 85 to 210 (the clip's README); most of those frames name him.
    assert len([n for n in named if 85 <= n <= 210]) > 90
    assert "FPS" in captured.err
    capture = cv2.VideoCapture(str(out))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 220


@pytest.mark.parametrize("name", ["annotated.gif", "annotated.webm", "annotated"])
def test_an_annotated_video_in_a_container_that_cannot_hold_it_is_refused_first_in_one_line(cli_args, tmp_path,
                                                                                          capsys, name):
    """OpenCV printed its own FFmpeg complaint, then facegui said "cannot write a video there" after loading the
    models and reading a frame; now one line names the suffix and the ones that work, and nothing is written."""
    out = tmp_path / name
    assert run(cli_args, "video", str(FACES / "video" / "short_hamilton_clip.mp4"), "--out", str(out)) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "running on CPU" not in line]
    suffix = out.suffix or "a file without a suffix"
    assert err == [f"facegui: {out}: cannot write a video as {suffix}; use .avi, .m4v, .mkv, .mov, .mp4"]
    assert not out.exists()


def test_an_annotated_video_in_each_container_that_can_hold_it_plays_back(cli_args, tmp_path, capsys):
    for suffix in (".mkv", ".mov", ".avi", ".m4v"):
        out = tmp_path / f"视频{suffix}"
        assert run(cli_args, "video", str(FACES / "video" / "short_hamilton_clip.mp4"), "--max-frames", "12",
                   "--out", str(out)) == 0
        capture = cv2.VideoCapture(str(out))
        frames = 0
        while capture.read()[0]:
            frames += 1
        assert frames == 12, suffix
        assert out.stat().st_mode & 0o077 == 0


def test_video_source_that_cannot_be_opened(cli_args, tmp_path, capsys):
    bogus = tmp_path / "not_a_video.mp4"
    bogus.write_text("nope")
    assert run(cli_args, "video", str(bogus)) in (1, 2)
    assert "not_a_video.mp4" in capsys.readouterr().err


def test_database_is_only_in_the_data_dir(enrolled, tmp_path):
    db = tmp_path / "data" / "facegui.sqlite3"
    assert db.is_file()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_truncated_video_ends_with_a_clear_message(cli_args, tmp_path, capsys):
    data = (FACES / "video" / "short_hamilton_clip.mp4").read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 3])
    started = time.monotonic()
    code = run(cli_args, "video", str(truncated), "--json")
    assert time.monotonic() - started < 60
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # Either the readable part is processed and the FPS line closes the run, or nothing is and one line says so.
    assert (code == 0 and "FPS" in err) or (code in (1, 2) and "truncated.mp4" in err)


def test_camera_url_that_never_answers_gives_up_in_bounded_time(cli_args, capsys):
    """A server that accepts the connection and then says nothing, on this machine's loopback."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    stop = threading.Event()

    def accept_and_stay_silent():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    server = threading.Thread(target=accept_and_stay_silent, daemon=True)
    server.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/stream.mjpg"
    try:
        started = time.monotonic()
        code = run(cli_args, "video", url, "--max-frames", "5")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        server.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()
    err = capsys.readouterr().err
    assert code in (1, 2) and elapsed < 30
    assert url in err and "Traceback" not in err


def test_a_database_server_that_cannot_be_reached_is_one_line(cli_args):
    """In a fresh process, as a user runs it: the command's own line, no log line besides it, no traceback."""
    import subprocess
    import sys

    photo = FACES / "probes" / "obama-480p.jpg"
    for command in (["people"], ["enroll", "--name", "ada", str(photo)], ["identify", str(photo)]):
        done = subprocess.run([sys.executable, "-m", "facegui", *cli_args, "--database",
                               "postgresql://nobody@127.0.0.1:1/none", *command],
                              capture_output=True, text=True, timeout=120)
        lines = done.stderr.splitlines()
        assert done.returncode == 2 and len(lines) == 1, (command, done.stderr)
        assert lines[0].startswith("facegui: database server postgresql://nobody@127.0.0.1:1/none cannot be reached")
