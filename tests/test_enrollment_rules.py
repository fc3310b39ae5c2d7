"""Enrollment's rules, the same for the CLI and the window (facegui.service.enrollment): the face taken
is the largest confident one, and the quality gate (face size, sharpness) applies to ``enroll`` and
``encode`` too, unless ``--force``."""
from __future__ import annotations

import json
import shutil

import cv2
import pytest

from facegui.app import main
from facegui.service import Recognizer
from facegui.service.enrollment import analyze_file

from .conftest import FACES
from .hostile_files import false_face_photo


@pytest.fixture
def false_face(tmp_path):
    """A real photo where a false detection (score 0.63) has a bigger box than the real face (1.00)."""
    path = tmp_path / "kit_1.jpg"
    cv2.imwrite(str(path), false_face_photo(FACES / "gallery" / "kit_harington_2.jpg"))
    return path


def test_the_largest_confident_face_is_enrolled_not_the_larger_false_one(cli_args, false_face, capsys):
    assert main(["enroll", str(false_face), "--name", "kit", *cli_args]) == 0
    assert main(["enroll", str(FACES / "gallery" / "obama_1.jpg"), "--name", "obama", *cli_args]) == 0
    capsys.readouterr()
    assert main(["identify", str(FACES / "gallery" / "kit_harington_1.jpg"), "--json", *cli_args]) == 0
    (face,) = json.loads(capsys.readouterr().out)["faces"]
    assert face["name"] == "kit" and face["similarity"] > 0.5  # the false face scored -0.09 against him


def test_compare_and_embed_take_the_confident_face(cli_args, false_face, capsys):
    assert main(["compare", str(false_face), str(FACES / "gallery" / "kit_harington_1.jpg"), "--json",
                 *cli_args]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["verdict"] == "same" and verdict["similarity"] > 0.5
    assert main(["embed", str(false_face), str(FACES / "gallery" / "kit_harington_1.jpg"), *cli_args]) == 0
    a, b = (json.loads(line)["embedding"] for line in capsys.readouterr().out.splitlines())
    assert sum(x * y for x, y in zip(a, b)) > 0.5


def test_the_enrollment_dialog_offers_the_confident_face_first(settings, false_face):
    with Recognizer.open(settings) as recognizer:
        photo = analyze_file(recognizer.engine, settings, false_face)
    assert [round(face.score, 1) for face in photo.faces] == [1.0, 0.6]
    assert photo.faces[0].width < photo.faces[1].width  # the bigger box is the false one
    assert photo.face is photo.faces[0] and photo.warning is None


def test_no_confident_face_falls_back_to_the_largest_with_a_warning(cli_args, tmp_path, capsys):
    # gallery/obama_2.jpg turned 90° clockwise: the real face scores 0.97, a bigger false box 0.78
    # (0.79 once saved as JPEG).
    turned = tmp_path / "turned.jpg"
    cv2.imwrite(str(turned), cv2.rotate(cv2.imread(str(FACES / "gallery" / "obama_2.jpg")), cv2.ROTATE_90_CLOCKWISE))
    config = tmp_path / "strict.json"
    config.write_text(json.dumps({"enroll_min_score": 0.99}))
    args = [a if not a.endswith("no-settings.json") else str(config) for a in cli_args]
    assert main(["embed", str(turned), *args]) == 0
    err = capsys.readouterr().err
    assert "turned.jpg: warning: no face scored at least 0.99 (setting enroll_min_score); took the largest face, " \
           "score 0.7" in err and "which may not be a face" in err
    assert main(["embed", str(turned), *cli_args]) == 0  # at the default 0.9 the real face is taken, silently
    assert "warning" not in capsys.readouterr().err


def test_enroll_and_encode_apply_the_quality_gate_unless_forced(cli_args, tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    obama = cv2.imread(str(FACES / "gallery" / "obama_1.jpg"))
    cv2.imwrite(str(folder / "blurred_1.jpg"), cv2.GaussianBlur(obama, (0, 0), 6))
    cv2.imwrite(str(folder / "tiny_1.jpg"), cv2.resize(obama, None, fx=0.08, fy=0.08, interpolation=cv2.INTER_AREA))
    shutil.copy(FACES / "gallery" / "biden_1.jpg", folder / "biden_1.jpg")
    assert main(["encode", str(folder), *cli_args]) == 1
    captured = capsys.readouterr()
    assert "enrolled 1, skipped 0, failed 2" in captured.out
    errors = [line for line in captured.err.splitlines() if "running on CPU" not in line]
    assert len(errors) == 2
    assert "blurred_1.jpg: the face is too blurry" in captured.err and "enroll_min_sharpness" in captured.err
    assert "tiny_1.jpg: the face is" in captured.err and "enroll_min_face_size" in captured.err
    assert "--force" in errors[0] and "--force" in errors[1]
    assert main(["enroll", str(folder / "blurred_1.jpg"), "--name", "obama", *cli_args]) == 1
    assert "too blurry" in capsys.readouterr().err
    assert main(["encode", str(folder), "--force", *cli_args]) == 0
    assert "enrolled 2, skipped 1, failed 0" in capsys.readouterr().out
