"""The window in 简体中文: every page and dialog opened, no English left on screen, no text cut off.

Offscreen, with the real models, a real enrolled photo, the real video and a real photo identified. "English"
is any Latin word on screen that is not a name, a file, a path or a technical term kept in every language
(CPU, CUDA, CSV …): an untranslated string, wrapped in tr() or not, fails the test. "Cut off" is measured
with QFontMetrics against the widget's width.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QCoreApplication, QLocale  # noqa: E402
from PySide6.QtGui import QFontMetrics  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QDockWidget, QGroupBox, QLabel,  # noqa: E402
                               QLineEdit, QListWidget, QMenu, QPushButton, QRadioButton, QTableWidget, QWidget)

from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.i18n import apply_language, remove_translators  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.service import Recognizer  # noqa: E402
from facegui.service.admin_lock import GUARDED_ACTIONS  # noqa: E402

from .conftest import FACES  # noqa: E402

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
KEPT_IN_EVERY_LANGUAGE = {
    # Product, model, format and hardware names; what the user typed or enrolled is removed before this.
    "facegui", "cpu", "cuda", "nvidia", "gpu", "fps", "csv", "retinaface", "arcface", "faiss", "sha", "onnx",
    "pth", "url", "rtsp", "http", "nms", "iou", "github", "english", "mb", "json", "mobilefacenet", "mobilenet",
    "onnxruntime", "f5", "esc",
}
PATH_OR_FILE = re.compile(r"\S*[/\\]\S*|\S+\.[A-Za-z0-9]{2,5}\b|\*\.\w+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def chinese(qapp):
    before = QLocale()
    apply_language("zh_CN")
    yield
    remove_translators()
    QLocale.setDefault(before)


@pytest.fixture
def window(qtbot, settings, tmp_path, chinese):
    recognizer = Recognizer.open(settings.replace(log_unknown_faces=True))  # the unknown faces list fills too
    assert recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
    store = PreferenceStore(tmp_path / "gui.ini")
    store.save(replace(store.load(), camera_source=str(VIDEO), pace_video_files=False, loop_video_files=True,
                       language="zh_CN"))
    win = MainWindow(AppContext(recognizer, store=store, config_file=tmp_path / "settings.json",
                                owns_recognizer=True))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.today.row_of("obama") is not None, timeout=20_000)
    yield win
    assert win.shutdown(), "a thread was still running at teardown"


def plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ").replace("&&", "&").replace("&", "")
    return text


def english_in(text: str, names: set[str]) -> list[str]:
    """Latin words of ``text`` that are neither a name, a file, a path nor a term kept in every language."""
    text = plain(text)
    for name in names:
        text = text.replace(name, " ")
    text = PATH_OR_FILE.sub(" ", text)
    return [w for w in LATIN_WORD.findall(text) if w.lower() not in KEPT_IN_EVERY_LANGUAGE]


def shown_texts(top: QWidget) -> list[tuple[QWidget, str]]:
    """Every text a visible widget of ``top`` shows (tooltips and placeholders too)."""
    texts: list[tuple[QWidget, str]] = [(top, top.windowTitle())]
    for widget in [top, *top.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        texts.append((widget, widget.toolTip()))
        if isinstance(widget, QLabel):
            texts.append((widget, widget.text()))
        elif isinstance(widget, QAbstractButton):
            texts.append((widget, widget.text()))
        elif isinstance(widget, QGroupBox):
            texts.append((widget, widget.title()))
        elif isinstance(widget, QDockWidget):
            texts.append((widget, widget.windowTitle()))
        elif isinstance(widget, QLineEdit):
            texts.append((widget, widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            texts += [(widget, widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QListWidget):
            texts += [(widget, widget.item(i).text()) for i in range(widget.count())]
        elif isinstance(widget, QTableWidget):
            texts += [(widget, widget.horizontalHeaderItem(c).text()) for c in range(widget.columnCount())]
            texts += [(widget, widget.item(r, c).text()) for r in range(widget.rowCount())
                      for c in range(widget.columnCount()) if widget.item(r, c) is not None]
    return [(w, t) for w, t in texts if t]


def menu_texts(menu: QMenu) -> list[tuple[QWidget, str]]:
    texts = [(menu, menu.title())]
    for action in menu.actions():
        texts += [(menu, action.text()), (menu, action.statusTip())]
        if action.menu() is not None:
            texts += menu_texts(action.menu())
    return texts


def clipped(top: QWidget) -> list[str]:
    """Labels and buttons whose text is wider than the widget shows (word-wrapped labels wrap instead)."""
    problems = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap() and widget.pixmap().isNull():
            text = plain(widget.text()) if "<" in widget.text() else widget.text()
            font = widget.font()
            font.setBold(font.bold() or "<b>" in widget.text() or "<h3>" in widget.text())
            needed = max(QFontMetrics(font).horizontalAdvance(line) for line in text.split("\n"))
            if needed > widget.contentsRect().width():
                problems.append(f"label {text!r}: {needed} px of text in {widget.contentsRect().width()} px")
        elif isinstance(widget, (QPushButton, QCheckBox, QRadioButton)) and widget.text():
            text = widget.text().replace("&", "")
            needed = QFontMetrics(widget.font()).horizontalAdvance(text)
            if needed > widget.width() or widget.sizeHint().width() > widget.width():
                problems.append(f"button {text!r}: {widget.sizeHint().width()} px wanted, {widget.width()} px given")
    return problems


def every_dialog() -> set[type]:
    """Every dialog class of facegui/gui/dialogs (a new one makes the test below fail until it is opened there)."""
    import importlib
    import pkgutil

    from PySide6.QtWidgets import QDialog

    import facegui.gui.dialogs as package

    found = set()
    for module in pkgutil.iter_modules(package.__path__):
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        found |= {v for v in vars(loaded).values()
                  if isinstance(v, type) and issubclass(v, QDialog) and v.__module__ == loaded.__name__}
    return found


class Screen:
    """Collects what each opened page or dialog shows, then says what is wrong with all of it."""

    def __init__(self, names: set[str]):
        self.names = names
        self.english: list[str] = []
        self.clipped: list[str] = []
        self.seen = 0
        self.opened: set[type] = set()

    def check(self, top: QWidget, extra: list[tuple[QWidget, str]] = ()) -> None:
        self.opened.add(type(top))
        for widget, text in [*shown_texts(top), *extra]:
            self.seen += 1
            words = english_in(text, self.names)
            if words:
                self.english.append(f"{type(top).__name__} › {type(widget).__name__}: {text!r} ({', '.join(words)})")
        self.clipped += [f"{type(top).__name__} › {p}" for p in clipped(top)]


def test_every_page_and_dialog_in_chinese_shows_no_english_and_cuts_no_text(qtbot, window, settings):
    from facegui.gui.dialogs.first_run import FirstRunDialog
    from facegui.gui.dialogs.pin import SetPinDialog
    from facegui.gui.dialogs.problems_log import ProblemsLogDialog
    from facegui.gui.dialogs.settings import SettingsDialog
    from facegui.gui.dialogs.source import SourceDialog
    from facegui.modelstore import ModelStore
    from facegui.service.station import Greeting

    screen = Screen({"obama", str(window.context.settings.data_dir)})
    # The back office, with the video streaming: people, today, unknown faces, who is in the frame, menus.
    frames = []
    window.camera.frameShown.connect(frames.append)
    window.camera.start()
    qtbot.waitUntil(lambda: any(p.faces for p in frames) and window.station.in_frame.count() > 0, timeout=30_000)
    in_frame = [window.station.in_frame.item(i).text() for i in range(window.station.in_frame.count())]
    assert any(t.startswith("陌生人") for t in in_frame), in_frame  # Lin-Manuel Miranda is not enrolled
    qtbot.waitUntil(lambda: bool(window.unknown_faces.entries), timeout=30_000)
    assert window.unknown_dock.windowTitle().startswith("陌生人（")
    window.unknown_dock.raise_()
    qtbot.wait(100)  # the status bar's fields take their new widths
    screen.check(window, [m for a in window.menuBar().actions() for m in menu_texts(a.menu())])
    window.camera.stop()
    screen.check(window)
    assert re.fullmatch(r"\d+月\d+日 星期.", plain(window.today.summary.text()).split(":")[0].strip()) or \
        re.search(r"\d+月\d+日 星期.", window.today.summary.text()), window.today.summary.text()
    assert window.today.row_of("obama")["状态"] in ("已签到", "未签到")

    settings_dialog = SettingsDialog(window.context, window)
    settings_dialog.show()
    settings_dialog.page.show_advanced.setChecked(True)
    qtbot.wait(50)
    assert settings_dialog.page.language.currentText() == "简体中文"
    screen.check(settings_dialog)
    settings_dialog.close()

    source = SourceDialog(window.context.prefs.camera_source, window.context.file_dialogs, window)
    source.show()
    screen.check(source)
    source.close()

    window.people.open_enroll_dialog()
    enroll = window.people.enroll_dialog
    with qtbot.waitSignal(enroll.photoAnalyzed, timeout=30_000):
        enroll.add_files([FACES / "probes" / "two_people.jpg"])
    qtbot.wait(50)
    screen.check(enroll)
    enroll.close()

    history = window.today.open_history()
    qtbot.waitUntil(lambda: bool(history.records), timeout=20_000)
    screen.check(history)
    history.close()

    with qtbot.waitSignal(window.identifier.finished, timeout=30_000):
        window.identifier.identify_files([FACES / "probes" / "two_people.jpg"])
    results = window.identifier.results_dialog
    qtbot.wait(50)
    assert "陌生人" in results.files.item(0).text() or "obama" in results.files.item(0).text()
    screen.check(results)
    results.close()

    person = window.people.open_person("obama")
    qtbot.waitUntil(lambda: person.photos.count() > 0, timeout=10_000)
    screen.check(person)
    person.close()

    pin = SetPinDialog(window.context.guard, window)
    pin.show()
    screen.check(pin)
    pin.close()

    problems = ProblemsLogDialog(settings, window)  # the log's lines are what was logged; its frame is Chinese
    problems.show()
    screen.check(problems)
    problems.close()

    first_run = FirstRunDialog(ModelStore.from_settings(settings), ["detector", "embedder"], window, settings=settings)
    first_run.show()
    qtbot.wait(50)
    screen.check(first_run)
    first_run.close()

    # The station at the door: kiosk mode, a confirmation in large letters.
    window.kiosk_mode.enter()
    window.station.banner.show_greeting(Greeting("obama", datetime(2026, 11, 29, 8, 2), already=True),
                                        window.context.thumbnails.icon("obama"))
    qtbot.wait(50)
    assert window.station.banner.headline.text() == "今天 08:02 已签到"
    screen.check(window)
    window.kiosk_mode.leave()

    about = QLabel(window.about_text())
    screen.check(about, [(about, about.text())])
    for label in GUARDED_ACTIONS.values():  # the PIN prompt names the action in Chinese
        assert QCoreApplication.translate("PinPrompt", label) != label, f"no Chinese for the PIN prompt's {label!r}"

    assert screen.seen > 200
    assert not every_dialog() - screen.opened, f"not opened in Chinese: {every_dialog() - screen.opened}"
    assert not screen.english, "English left on screen:\n" + "\n".join(screen.english)
    assert not screen.clipped, "text cut off:\n" + "\n".join(screen.clipped)


def test_the_language_is_chosen_in_settings_and_kept_for_the_next_start(window):
    from facegui.gui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(window.context, window)
    dialog.applied.connect(window.apply_settings)
    combo = dialog.page.language
    assert [combo.itemText(i) for i in range(combo.count())] == ["跟随系统", "English", "简体中文"]
    combo.setCurrentIndex(combo.findData("en"))
    assert dialog.apply()
    assert window.context.prefs.language == "en" and window.context.store.load().language == "en"
    dialog.close()


def test_the_enrollment_rules_refuse_in_chinese(qtbot, window):
    """The service's refusals, words and numbers, in the window's language: obama's photo under another
    name (a look-alike) and kit's beside lin's for one new person (unlike the person's own face)."""
    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    for photo in (FACES / "probes" / "obama-480p.jpg", FACES / "probes" / "lin-manuel-miranda.png",
                  FACES / "gallery" / "kit_harington_1.jpg"):
        with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000):
            dialog.add_files([photo])
    dialog.name.setCurrentText("新同事")
    with qtbot.waitSignal(dialog.enrolled, timeout=10_000) as enrolled:
        dialog.enroll_button.click()
    assert enrolled.args[0].enrolled == 1
    message = dialog.message.text()
    assert "obama-480p.jpg：这张人脸与已录入的 obama 相似（相似度 0.9" in message
    assert "kit_harington_1.jpg：这张人脸与 新同事 已录入的人脸都不相似（最高相似度 " in message
    assert english_in(message, {"obama", "新同事"}) == []


def test_a_refused_unknown_face_is_named_in_chinese(window):
    from facegui.gui.core.problems import refusal_text
    from facegui.service.enrollment import LOOKALIKE, EnrollProblem, Refusal

    refusal = Refusal("unknown face #7", EnrollProblem(LOOKALIKE, "this face looks like obama …", ("obama", 0.912, 0.37)), 7)
    assert refusal_text(refusal) == ("陌生人 #7：这张人脸与已录入的 obama 相似（相似度 0.91，阈值 0.37）——以另一个姓名录入后，"
                                     "签到点可能显示其中任一姓名；请录入为 obama")


def test_an_unknown_face_gone_or_of_another_model_is_named_in_chinese(window):
    from facegui.gui.core.problems import refusal_text
    from facegui.service.enrollment import GONE, OTHER_MODEL, EnrollProblem, Refusal

    gone = Refusal("unknown face #7", EnrollProblem(GONE, "already gone (dismissed, or enrolled elsewhere)"), 7)
    other = Refusal("unknown face #8", EnrollProblem(OTHER_MODEL, "embedded by model 'a', the gallery uses 'b'",
                                                     ("old_net:0123", "arcface:4c08")), 8)
    assert refusal_text(gone) == "陌生人 #7：已不存在（已忽略，或已在别处录入）"
    assert refusal_text(other) == "陌生人 #8：由模型 old_net:0123 提取特征，人脸库使用的是 arcface:4c08"


@pytest.mark.parametrize("source, words", [
    ("99", "摄像头 99：无法打开（没有这个摄像头，或它正被其他程序使用）；1 秒后重试"),
    ("rtsp://door:secret@127.0.0.1:9/live", "rtsp://127.0.0.1:9/live：无法打开（该地址没有响应，或没有发送视频）；1 秒后重试"),
])
def test_a_camera_that_does_not_open_is_named_in_chinese(qtbot, window, source, words):
    """The station's most common trouble (the camera unplugged or taken by another program, a door camera's
    server down) was an English line in the zh_CN window: "camera 99: cannot be opened (…)". Real captures:
    no camera 99 exists here, and nothing listens on port 9."""
    states = []
    window.camera.stateChanged.connect(states.append)
    window.camera.start(source)
    qtbot.waitUntil(lambda: any(s.state == "retrying" for s in states), timeout=20_000)
    retrying = next(s for s in states if s.state == "retrying")
    assert retrying.message == words
    assert window.station.video.message == words
    assert window.status.bar.currentMessage() == words
    assert window.status.source.text().startswith(words.split("：")[0] + " · ")  # "摄像头 99 · …"
    window.camera.stop()
    assert "secret" not in "".join(s.message + s.source for s in states)
    assert not english_in(words, set()), english_in(words, set())


def test_photos_that_cannot_be_used_are_named_in_chinese(qtbot, window, tmp_path):
    """An iPhone's HEIC photo and a real photo with no face in it, in the enrollment dialog and in identify:
    the file's reason was shown in English ("✗ IMG_0002.HEIC: HEIC photos …", "no face found")."""
    import cv2

    from facegui.gui.dialogs.identify import identify_paths

    heic = tmp_path / "IMG_0002.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(4000))
    wall = tmp_path / "wall.jpg"
    assert cv2.imwrite(str(wall), cv2.imread(str(FACES / "gallery" / "obama_1.jpg"))[-150:, :150])
    heic_words = "不能读取 HEIC 照片（iPhone 的默认格式）；请另存为 JPEG，或在 iPhone 上选择 设置 > 相机 > 格式 > 兼容性最佳"
    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    for photo in (heic, wall):
        with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000):
            dialog.add_files([photo])
    assert [dialog.photo_list.item(i).text() for i in range(dialog.photo_list.count())] == [
        f"✗ IMG_0002.HEIC: {heic_words}", "✗ wall.jpg: 未找到人脸"]
    dialog.photo_list.setCurrentRow(0)
    qtbot.wait(50)
    assert heic_words in dialog.warning.text()
    dialog.close()
    (result,) = identify_paths(window.context.recognizer, [heic])
    assert result.error == heic_words


def test_a_video_file_that_cannot_be_used_is_named_in_chinese(qtbot, window, tmp_path):
    """Choosing a video file checks it at once; the reason was the engine's English line in the zh_CN dialog."""
    from facegui.gui.dialogs.source import SourceDialog

    notes = tmp_path / "notes.mp4"
    notes.write_text("a shopping list, not a video")
    (tmp_path / "zero.mp4").symlink_to("/dev/zero")
    dialog = SourceDialog(window.context.prefs.camera_source, window.context.file_dialogs, window)
    qtbot.addWidget(dialog)
    for path, words in [(tmp_path / "typo.mp4", "没有这个视频文件"), (tmp_path, "是文件夹，不是视频文件"),
                        (tmp_path / "zero.mp4", "是字符设备，不是视频文件或摄像头"),
                        (notes, "无法打开（不是 facegui 能读取的视频）")]:
        dialog.set_source(str(path))
        with qtbot.waitSignal(dialog.refused, timeout=10_000) as refused:
            dialog._accept()
        assert dialog.error.text() == f"无法使用此视频文件：{path}：{words}"
        assert refused.args[0].startswith(f"{path}: ")  # the English line, for whoever listens
        assert not english_in(dialog.error.text(), set()), dialog.error.text()
