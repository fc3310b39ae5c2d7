"""Packaging without the bundle: the self-test, --version/--help, the .desktop launcher and icons,
the first-run dialog (offscreen) and the headless smoke start. tests/test_bundle.py builds and runs
the real PyInstaller bundle."""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import urllib.request

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from facegui.app import main
from facegui.cli.main import _desktop_quote
from facegui.config import Settings
from facegui.gui.dialogs.first_run import FirstRunDialog, missing_models
from facegui.gui.launch import process_age_s
from facegui.gui.main_window import MainWindow
from facegui.modelstore import DETECTOR, EMBEDDER, MODELS as MODEL_SPECS, ModelStore
from facegui.service import resource_path, run_self_test

from .conftest import FACES, MODELS, REPO

SELF_TEST_OK = re.compile(r"^facegui self-test: ok \(1 face, score [01]\.\d\d, 128-d embedding, (CPU|CUDA), "
                          r"\d+ ms per image, \d+ ms in all\)$")
VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No ./model_data of the checkout, no user data folder: options for main() that find only what a test gives."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return ["--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "no-settings.json")]


def desktop_file_validate(path) -> subprocess.CompletedProcess:
    tool = shutil.which("desktop-file-validate")
    assert tool, "desktop-file-validate is missing: install desktop-file-utils (scripts/test.sh does)"
    return subprocess.run([tool, str(path)], capture_output=True, text=True)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- self-test -----------------------------------------------------------------------------------
def test_self_test_passes_with_both_models(capsys, isolated, models_dir):
    assert main(["--self-test", "--models", str(models_dir), *isolated]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and SELF_TEST_OK.match(out[0]), out


def test_self_test_writes_nothing(tmp_path, isolated, models_dir):
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["--self-test", "--models", str(models_dir), *isolated]) == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no database, no data folder
    assert not (tmp_path / "data").exists()


def test_self_test_without_the_embedder_checks_the_detector_and_fails(capsys, tmp_path, isolated, models_dir):
    only_detector = tmp_path / "detector-only"
    only_detector.mkdir()
    for name in (MODEL_SPECS[DETECTOR].filename, "manifest.json"):
        shutil.copy(models_dir / name, only_detector / name)
    assert main(["--self-test", "--models", str(only_detector), *isolated]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == ""
    assert lines[0].startswith("facegui self-test: FAILED: the embedder model (arcface.onnx) is missing")
    assert "detector ok: 1 face" in lines[0]


def test_self_test_without_any_model_says_so(capsys, tmp_path, isolated):
    (tmp_path / "empty").mkdir()
    assert main(["--self-test", "--models", str(tmp_path / "empty"), *isolated]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("facegui self-test: FAILED: the detector model (retinaface_mobilenet0.25.onnx) is missing; "
                   "run 'facegui models install'")


def test_self_test_fails_on_a_damaged_model(capsys, tmp_path, isolated, models_dir):
    damaged = tmp_path / "damaged"
    shutil.copytree(models_dir, damaged)
    data = bytearray((damaged / "arcface.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (damaged / "arcface.onnx").write_bytes(bytes(data))
    assert main(["--self-test", "--models", str(damaged), *isolated]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("facegui self-test: FAILED: ") and "differs from" in err and "\n" not in err


def test_self_test_needs_exactly_one_face(tmp_path, models_dir):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 127, np.uint8))
    result = run_self_test(Settings(data_dir=tmp_path / "data", model_dir=models_dir), image_path=blank)
    assert not result.ok and result.exit_code == 1
    assert result.line == "facegui self-test: FAILED: the detector found 0 faces in blank.png, expected 1"
    two = run_self_test(Settings(data_dir=tmp_path / "data", model_dir=models_dir),
                        image_path=FACES / "probes" / "two_people.jpg")
    assert "found 2 faces" in two.line


def test_the_sample_photo_and_its_licence_ship_in_resources():
    sample = resource_path("selftest_face.jpg")
    assert sample == REPO / "resources" / "selftest_face.jpg" and sample.stat().st_size < 50_000
    assert "MIT License" in (REPO / "resources" / "LICENSE-face_recognition.txt").read_text(encoding="utf-8")


# -- command line ----------------------------------------------------------------------------------
def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == "facegui 0.1.0"
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "--self-test" in out and "install-desktop" in out and "--smoke-test" not in out


def test_process_age_is_measured_from_the_process_start():
    assert 0.0 < process_age_s() < 24 * 3600


# -- .desktop launcher and icons ----------------------------------------------------------------------
def test_the_desktop_file_passes_desktop_file_validate():
    result = desktop_file_validate(REPO / "resources" / "facegui.desktop")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stdout + result.stderr


def test_install_desktop_writes_a_valid_launcher_and_icons(capsys, tmp_path, isolated):
    prefix = tmp_path / "share"
    assert main(["install-desktop", "--prefix", str(prefix), *isolated]) == 0
    desktop = prefix / "applications" / "facegui.desktop"
    result = desktop_file_validate(desktop)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stdout + result.stderr
    entries = dict(line.split("=", 1) for line in desktop.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert entries["Icon"] == "facegui" and entries["Terminal"] == "false"
    executable = entries["TryExec"]
    assert shutil.which(executable), f"{executable} is not runnable"
    assert entries["Exec"].startswith(_desktop_quote(executable))
    for size in ICON_SIZES:
        icon = prefix / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "facegui.png"
        assert png_size(icon.read_bytes()) == (size, size)
    assert str(desktop) in capsys.readouterr().out


def test_exec_arguments_are_quoted_as_the_desktop_spec_says():
    assert _desktop_quote("/usr/bin/facegui") == "/usr/bin/facegui"
    assert _desktop_quote("/opt/face gui/facegui") == '"/opt/face gui/facegui"'
    assert _desktop_quote('/opt/a$b"c') == '"/opt/a\\\\$b\\\\"c"'


def test_the_windows_icon_holds_every_size_as_png():
    data = (REPO / "resources" / "facegui.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(ICON_SIZES))
    sizes = []
    for i in range(count):
        width, height, _c, _r, _planes, bpp, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        assert bpp == 32
        assert png_size(data[offset:offset + length]) == ((width or 256), (height or 256))
        sizes.append(width or 256)
    assert sorted(sizes) == list(ICON_SIZES)


# -- first run: the models are missing ---------------------------------------------------------------
def flush_events() -> None:
    """Closing the last window while the app runs posts a Quit event. Delivered later, outside
    ``app.exec()``, it leaves Qt's "quit now" flag set and every later event loop (qtbot.waitSignal)
    returns at once. Drop such an event, and clear the flag with one short ``exec()``."""
    app = QApplication.instance()
    QApplication.removePostedEvents(app, QEvent.Type.Quit)
    QTimer.singleShot(0, lambda: app.exit(0))
    app.exec()


@pytest.fixture(autouse=True)
def clean_event_loop(qapp):
    flush_events()  # also what an earlier test file may have left behind
    yield
    flush_events()


def _when_visible(kind, action, timeout_ms=20000):
    """Poll until a visible top-level widget of ``kind`` exists, then ``action(widget)``."""
    timer = QTimer()
    timer.setInterval(50)
    waited = {"ms": 0}

    def poll():
        waited["ms"] += 50
        widgets = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        if widgets:
            timer.stop()
            action(widgets[0])
        elif waited["ms"] > timeout_ms:
            timer.stop()
            QApplication.instance().exit(99)
            for w in QApplication.topLevelWidgets():
                w.close()

    timer.timeout.connect(poll)
    timer.start()
    return timer


def test_first_run_dialog_imports_the_seed_weights_then_opens_the_main_window(qtbot, tmp_path, isolated):
    empty = tmp_path / "models"
    empty.mkdir()
    seen = {}

    def on_dialog(dialog):
        seen["dialog"] = dialog
        seen["text"] = dialog.explanation.text()
        seen["missing"] = list(dialog.missing)
        dialog.installFinished.connect(lambda ok, message: seen.setdefault("finished", (ok, message)))
        # What "Import model file…" does once the file dialog returns these two paths.
        dialog.import_paths([MODELS / "arcface_mobilefacenet.pth", MODELS / "Retinaface_mobilenet0.25.pth"])
        seen["busy"] = dialog.progress.isVisible() and not dialog.import_button.isEnabled()

    def on_window(window):
        seen["window"] = window.about_text()
        window.close()
        QApplication.instance().quit()

    timers = [_when_visible(FirstRunDialog, on_dialog), _when_visible(MainWindow, on_window)]
    assert main(["--models", str(empty), *isolated]) == 0
    del timers
    flush_events()
    assert seen["missing"] == [DETECTOR, EMBEDDER]
    assert "arcface_mobilefacenet.pth" in seen["text"] and "Retinaface_mobilenet0.25.pth" in seen["text"]
    assert seen["busy"], "no progress bar while importing"
    assert seen["finished"][0] and "arcface.onnx" in seen["finished"][1]
    assert "arcface_mobilefacenet" in seen["window"]
    assert missing_models(ModelStore([empty], empty)) == []
    assert {p.name for p in empty.iterdir()} >= {"arcface.onnx", "retinaface_mobilenet0.25.onnx", "manifest.json"}


@pytest.mark.parametrize("source", ["Retinaface_mobilenet0.25.pth", "arcface.onnx"])
def test_without_the_onnx_package_model_install_says_what_to_do_in_one_line(tmp_path, models_dir, source):
    """The desktop bundle leaves onnx out (build.spec): converting a .pth or checking an .onnx there is one line
    naming the file and the way round, not a traceback, and nothing is installed."""
    path = (MODELS if source.endswith(".pth") else models_dir) / source
    target = tmp_path / "models"
    without_onnx = ("import sys; sys.modules['onnx'] = None\n"  # as in the bundle: `import onnx` fails
                    "from facegui.app import main; sys.exit(main(sys.argv[1:]))")
    child = subprocess.run(
        [sys.executable, "-c", without_onnx, "models", "install", "--models", str(target), "--from", str(path),
         "--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "no-settings.json")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    errors = [line for line in child.stderr.splitlines() if line.startswith("facegui: ")]
    assert child.returncode != 0 and len(errors) == 1 and "Traceback" not in child.stderr, child.stderr
    assert f"{source}: cannot check or convert model files here: the onnx package is not installed" in errors[0]
    assert f"facegui models install --models DIR --from {source}" in errors[0] and "--models DIR" in errors[0]
    assert not target.exists() or not [p for p in target.iterdir() if p.suffix == ".onnx"]


def test_first_run_dialog_quit_leaves_without_a_window(qtbot, tmp_path, isolated):
    (tmp_path / "models").mkdir()
    timer = _when_visible(FirstRunDialog, lambda dialog: dialog.quit_button.click())
    assert main(["--models", str(tmp_path / "models"), *isolated]) == 2
    del timer
    flush_events()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_first_run_dialog_reports_a_wrong_file_and_a_failed_download(qtbot, tmp_path, monkeypatch):
    store = ModelStore([], tmp_path / "models")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    dialog = FirstRunDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()

    not_a_model = tmp_path / "notes.onnx"
    not_a_model.write_bytes(b"not a model")
    with qtbot.waitSignal(dialog.installFinished, timeout=20000) as signal:
        dialog.import_paths([not_a_model])
    assert signal.args[0] is False and "not a valid ONNX file" in signal.args[1]
    assert warnings[-1] == signal.args[1]
    assert dialog.import_button.isEnabled() and not dialog.progress.isVisible() and dialog.isVisible()

    def offline(*_args, **_kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    qtbot.waitUntil(lambda: not dialog.busy)  # the failed import's task has finished too
    with qtbot.waitSignal(dialog.installFinished, timeout=20000) as signal:
        dialog.download_button.click()
    assert signal.args[0] is False and "cannot download" in signal.args[1] and "network is unreachable" in signal.args[1]
    assert "Traceback" not in warnings[-1] and dialog.isVisible()


def test_importing_only_the_embedder_is_refused_until_the_detector_can_check_it(qtbot, tmp_path, monkeypatch):
    store = ModelStore([], tmp_path / "models")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    dialog = FirstRunDialog(store, settings=Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "models"))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.installFinished, timeout=60000) as signal:
        dialog.import_paths([MODELS / "arcface_mobilefacenet.pth"])
    assert signal.args[0] is False and "needs the face detector" in signal.args[1]
    assert dialog.isVisible() and dialog.missing == [DETECTOR, EMBEDDER]
    qtbot.waitUntil(lambda: not dialog.busy)
    with qtbot.waitSignal(dialog.installFinished, timeout=60000) as signal:
        dialog.import_paths([MODELS / "arcface_mobilefacenet.pth", MODELS / "Retinaface_mobilenet0.25.pth"])
    assert signal.args[0] is True and missing_models(store) == []


# -- headless start (the check CI runs on the bundle) ---------------------------------------------------
def test_smoke_test_opens_the_window_shows_a_frame_and_quits(qtbot, capsys, isolated, models_dir):
    assert main(["--smoke-test", str(VIDEO), "--models", str(models_dir), *isolated]) == 0
    flush_events()
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"facegui smoke-test: ok \(first frame shown \d+ ms after process start, \d+ face\(s\), "
                        r"(CPU|CUDA)\)", out), out
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_smoke_test_fails_in_one_line_without_models(qtbot, capsys, tmp_path, isolated):
    (tmp_path / "empty").mkdir()
    assert main(["--smoke-test", str(VIDEO), "--models", str(tmp_path / "empty"), *isolated]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "facegui smoke-test: FAILED: model(s) missing: detector, embedder"


def test_smoke_test_fails_when_no_frame_comes(qtbot, capsys, tmp_path, isolated, models_dir):
    code = main(["--smoke-test", str(tmp_path / "unplugged.mp4"), "--smoke-timeout", "3",
                 "--models", str(models_dir), *isolated])
    flush_events()
    assert code == 1
    assert capsys.readouterr().err.strip().startswith("facegui smoke-test: FAILED: no frame of ")
