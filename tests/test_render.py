"""Names in any script on the annotated files and in the window: one Qt renderer, real fonts, real photos."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QImage

from facegui.app import main
from facegui.engine.face import Face
from facegui.engine.imageio import write_image
from facegui.engine.matcher import Recognition
from facegui.gui.drawing import FaceResult, annotated
from facegui.render import (FaceLabel, annotated_copy, bgr_to_qimage, draw_labels, label_font, label_text,
                            qimage_to_bgr, renders_fully)
from facegui.service import Recognizer

from .conftest import FACES, REPO

ZHANG = "张学友"
ZHANG_PHOTO = FACES / "seed_img" / "zhangxueyou.jpg"
LATIN_FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "FreeSans.ttf")


@pytest.fixture
def zhang_enrolled(cli_args, capsys):
    """张学友 and obama enrolled from the seed's own folder with the real models."""
    assert main(["encode", str(FACES / "seed_dataset"), *cli_args]) == 0
    assert "enrolled 2, skipped 0, failed 0" in capsys.readouterr().out
    return cli_args


def identify_out(cli_args, capsys, out: Path) -> dict:
    assert main(["identify", str(ZHANG_PHOTO), "--out", str(out), "--json", *cli_args]) == 0
    return json.loads(capsys.readouterr().out)


def jpeg_as_written(image_bgr: np.ndarray, folder: Path) -> np.ndarray:
    """The pixels ``image_bgr`` has after the CLI's own JPEG writer: files compare pixel for pixel."""
    path = folder / "reference.jpg"
    write_image(path, image_bgr)
    return cv2.imread(str(path))


def rendered_with(image: np.ndarray, face: FaceResult, name: str) -> np.ndarray:
    """The window's rendering of ``face`` under another name."""
    return qimage_to_bgr(annotated(image, [FaceResult(name, face.similarity, face.bbox, face.score, face.is_known)]))


def test_identify_out_draws_zhang_xueyou_in_chinese_with_the_windows_renderer(zhang_enrolled, capsys, settings,
                                                                               tmp_path):
    font = label_font(20)
    assert renders_fully(ZHANG, font), "no installed font draws 张学友: install Debian's fonts-noto-cjk"
    record = identify_out(zhang_enrolled, capsys, tmp_path / "out")
    assert [f["name"] for f in record["faces"]] == [ZHANG]
    written = cv2.imread(str(tmp_path / "out" / "zhangxueyou_identified.jpg"))

    with Recognizer.open(settings) as recognizer:
        image, recognitions = recognizer.identify_file(ZHANG_PHOTO)
    (face,) = [FaceResult.from_recognition(r) for r in recognitions]
    assert face.label == f"{ZHANG} {face.similarity:.2f}"  # the name itself, not a transliteration

    window = qimage_to_bgr(annotated(image, [face]))
    assert np.array_equal(written, jpeg_as_written(window, tmp_path))  # same renderer, same pixels

    # The label's pixels: where the Chinese name and "???" renderings disagree. They exist, and all
    # lie in the tag above the box (the box itself is drawn the same).
    question_marks = rendered_with(image, face, "???")
    differs = np.any(window != question_marks, axis=2)
    ys, xs = np.nonzero(differs)
    x1, y1, x2, _ = face.bbox
    assert differs.sum() > 500
    assert ys.max() < y1 and xs.min() >= x1 - 10


@pytest.mark.parametrize("name", ["张学友", "Zoë Łukasz", "Дмитрий", "محمد"])
def test_names_in_several_scripts_draw_with_real_glyphs(qapp, name):
    assert renders_fully(name, label_font(24))
    assert label_text(name, 0.81) == f"{name} 0.81"
    drawn, question_marks = (QImage(320, 120, QImage.Format.Format_RGB888) for _ in range(2))
    for image, shown in ((drawn, name), (question_marks, "?" * len(name))):
        image.fill(0)
        draw_labels(image, [FaceLabel(shown, 0.81, (20.0, 50.0, 140.0, 110.0), True)])
    assert qimage_to_bgr(drawn).tobytes() != qimage_to_bgr(question_marks).tobytes()


def test_a_name_no_font_can_draw_becomes_latin_and_never_a_box(qapp):
    unknown_script = "\U000f0000\U000f0001"  # private-use characters: no font has them
    assert not renders_fully(unknown_script, label_font(24))
    assert label_text(unknown_script, 0.5) == "0.50"  # nothing to transliterate: the name stays in lists
    for name in ("ᚠᛇᚻ", "🔒", unknown_script):  # runes and emoji: whatever is drawn has real glyphs
        assert renders_fully(label_text(name, 0.5), label_font(24))


def latin_only_fontconfig(folder: Path) -> Path:
    """A fontconfig setup that knows one Latin font and nothing else: a machine without CJK fonts."""
    found = next((path for root in ("/usr/share/fonts", "/usr/local/share/fonts")
                  for name in LATIN_FONT_FILES for path in sorted(Path(root).rglob(name))), None)
    if found is None:
        pytest.fail(f"no Latin font ({', '.join(LATIN_FONT_FILES)}) under /usr/share/fonts; install fonts-dejavu-core")
    fonts = folder / "fonts"
    fonts.mkdir(parents=True)
    (fonts / found.name).write_bytes(found.read_bytes())
    config = folder / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                      f"<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
                      encoding="utf-8")
    return config


# Runs in a fresh process: fontconfig is read once per process. No display and no Qt platform set,
# as on a server: the CLI must choose the offscreen platform itself.
WITHOUT_CJK_FONTS = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import cv2, numpy as np
    from facegui.app import main
    from facegui.config import Settings
    from facegui.engine.imageio import write_image
    from facegui.render import FaceLabel, bgr_to_qimage, draw_labels, label_font, label_text, qimage_to_bgr, renders_fully
    from facegui.service import Recognizer

    data_dir, models, photo, out = sys.argv[1:5]
    code = main(["identify", photo, "--out", out, "--data-dir", data_dir, "--models", models,
                 "--config", str(Path(out) / "no-settings.json")])
    font = label_font(20)
    with Recognizer.open(Settings(data_dir=Path(data_dir), model_dir=Path(models))) as recognizer:
        image, (recognition,) = recognizer.identify_file(Path(photo))
    face = FaceLabel.from_recognition(recognition)
    latin = FaceLabel("ZhangXueYou", face.similarity, face.box, face.is_known)
    write_image(Path(out) / "latin.jpg", qimage_to_bgr(draw_labels(bgr_to_qimage(image), [latin])))
    written = cv2.imread(str(Path(out) / (Path(photo).stem + "_identified.jpg")))
    print(json.dumps({
        "exit": code, "name": recognition.name, "chinese_drawable": renders_fully(recognition.name, font),
        "label": label_text(recognition.name, face.similarity),
        "label_drawable": renders_fully(label_text(recognition.name, face.similarity), font),
        "file_shows_latin": bool(np.array_equal(written, cv2.imread(str(Path(out) / "latin.jpg")))),
    }, ensure_ascii=False))
""")


def test_without_any_cjk_font_the_file_shows_a_latin_transliteration(zhang_enrolled, settings, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(FONTCONFIG_FILE=str(latin_only_fontconfig(tmp_path / "fontconfig")), PYTHONPATH=str(REPO))
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run([sys.executable, "-c", WITHOUT_CJK_FONTS, str(settings.data_dir), str(settings.model_dir),
                          str(ZHANG_PHOTO), str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["exit"] == 0 and result["name"] == ZHANG
    assert not result["chinese_drawable"]  # really a machine without a CJK font
    assert result["label"].startswith("ZhangXueYou 0.") and "?" not in result["label"]
    assert result["label_drawable"]  # every glyph drawn is a real one: no tofu
    assert result["file_shows_latin"]


def test_annotated_copy_leaves_the_frame_alone_and_draws_what_the_window_draws(qapp):
    frame = cv2.imread(str(ZHANG_PHOTO))
    before = frame.copy()
    box = np.array([667.1, 106.2, 851.9, 340.6], np.float32)  # where the detector finds him
    recognition = Recognition(Face(box, np.zeros((5, 2), np.float32), 0.99), ZHANG, 0.82)
    face = FaceLabel.from_recognition(recognition)
    drawn = annotated_copy(frame, [recognition])
    assert np.array_equal(frame, before)
    assert np.array_equal(drawn, qimage_to_bgr(draw_labels(bgr_to_qimage(frame), [face])))
    assert not np.array_equal(drawn, frame)


@pytest.mark.parametrize("channels", [None, 3, 4])
def test_grey_bgr_and_bgra_frames_round_trip_through_qimage(channels):
    shape = (7, 9) if channels is None else (7, 9, channels)
    frame = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    expected = np.repeat(frame[:, :, None], 3, axis=2) if channels is None else frame[:, :, :3]
    assert np.array_equal(qimage_to_bgr(bgr_to_qimage(frame)), expected)
