"""Kiosk mode, walked like a passer-by with all the time in the world: every action, every shortcut, every
button and every context menu reachable in the window, each one tried with a PIN set and not known.

Each step must be harmless (nothing changes: still in kiosk mode, full screen, the panels hidden and
locked, the camera running, the same people, settings, source and PIN) or ask for the PIN (which is then refused). No
file dialog may open at all (Qt's file dialog renames and deletes files from its right-click menu), no
folder may be opened in a file manager, and no other window may appear.

Offscreen, with the real models and the real video. Modal dialogs are replaced by recorders so the walk
never blocks; a PIN prompt answers "cancel".
"""
from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QAction, QContextMenuEvent, QDesktopServices, QKeySequence, QShortcut  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QFileDialog, QInputDialog,  # noqa: E402
                               QMenu, QMessageBox, QWidget)

from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.service import AdminLock, Recognizer  # noqa: E402

from .conftest import FACES  # noqa: E402

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
PIN = "471100"


class Recorder:
    """What the walk opened: file dialogs, folders in a file manager, modal dialogs, message boxes, PIN prompts."""

    def __init__(self):
        self.file_dialogs: list[str] = []
        self.urls: list[str] = []
        self.dialogs: list[str] = []
        self.boxes: list[str] = []
        self.prompts: list[str] = []

    def counts(self) -> tuple[int, ...]:
        return (len(self.file_dialogs), len(self.urls), len(self.dialogs), len(self.boxes), len(self.prompts))


@pytest.fixture
def recognizer(settings):
    with Recognizer.open(settings) as rec:
        yield rec


@pytest.fixture
def record(monkeypatch):
    rec = Recorder()

    def file_dialog(name, empty):
        def opened(*_args, **_kwargs):
            rec.file_dialogs.append(name)
            return empty
        return opened

    for name, empty in (("getOpenFileName", ("", "")), ("getOpenFileNames", ([], "")), ("getSaveFileName", ("", "")),
                        ("getExistingDirectory", ""), ("getOpenFileUrl", None), ("getOpenFileUrls", None),
                        ("getSaveFileUrl", None), ("getExistingDirectoryUrl", None)):
        monkeypatch.setattr(QFileDialog, name, staticmethod(file_dialog(name, empty)))
    for name in ("exec", "open", "show"):
        monkeypatch.setattr(QFileDialog, name, lambda self, *a, _n=name: rec.file_dialogs.append(f"QFileDialog.{_n}"))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: rec.urls.append(url.toString()) or True))
    monkeypatch.setattr(QDialog, "exec", lambda self: (rec.dialogs.append(type(self).__name__), 0)[1])
    for name in ("about", "information", "warning", "critical", "question"):
        # The worst answer: "Yes" to every confirmation, so the walk gets as far as a passer-by could.
        monkeypatch.setattr(QMessageBox, name, staticmethod(
            lambda *a, _n=name, **k: (rec.boxes.append(_n), QMessageBox.StandardButton.Yes)[1]))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("walker", True)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("walker", True)))
    return rec


@pytest.fixture
def window(qtbot, recognizer, tmp_path, record):
    store = PreferenceStore(tmp_path / "gui.ini")
    store.save(replace(store.load(), camera_source=str(VIDEO), pace_video_files=True, loop_video_files=True))
    win = MainWindow(AppContext(recognizer, store=store, config_file=tmp_path / "settings.json",
                                admin_lock=AdminLock(recognizer.settings.data_dir)))
    guard = win.context.guard
    guard.prompt = lambda label: (record.prompts.append(label), None)[1]  # asked, and cancelled
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    yield win
    guard.prompt = lambda label: PIN
    win.kiosk_mode.leave()
    assert win.shutdown(), "a thread was still running at teardown"
    qtbot.waitUntil(lambda: not win.context.tasks.busy, timeout=10_000)


def snapshot(win: MainWindow) -> dict:
    """Everything a kiosk step must leave as it was."""
    others = [w for w in QApplication.topLevelWidgets()
              if w is not win and w.isVisible() and not isinstance(w, QMenu)]
    return {
        "kiosk": win.context.kiosk,
        "full screen": win.isFullScreen(),
        "window visible": win.isVisible(),
        "menu bar hidden": not win.menuBar().isVisible(),
        "panels": [(d.objectName(), d.isVisible(), d.isFloating(), int(d.features().value))
                   for d in win.docks],
        "camera running": win.camera.running,
        "people": [p.name for p in win.context.recognizer.gallery.people()],
        "settings": win.context.settings,
        "source": win.context.prefs.camera_source,
        "pin set": win.context.guard.enabled,
        "other windows": [type(w).__name__ for w in others],
    }


class Walk:
    def __init__(self, qtbot, win: MainWindow, record: Recorder):
        self.qtbot, self.win, self.record = qtbot, win, record
        self.baseline = snapshot(win)
        self.steps: dict[str, int] = {"actions": 0, "shortcuts": 0, "buttons": 0, "context menus": 0,
                                      "context menu items": 0}
        self.asked_pin: list[str] = []
        self.failures: list[str] = []

    def step(self, kind: str, name: str, do) -> None:
        before = self.record.counts()
        prompts = len(self.record.prompts)
        do()
        self.qtbot.wait(20)
        self.steps[kind] += 1
        after = snapshot(self.win)
        changed = {k: (self.baseline[k], after[k]) for k in after if after[k] != self.baseline[k]}
        files, urls, dialogs = (self.record.file_dialogs[before[0]:], self.record.urls[before[1]:],
                                self.record.dialogs[before[2]:])
        if changed or files or urls or dialogs:
            self.failures.append(f"{kind} {name!r}: changed {changed}, file dialogs {files}, "
                                 f"folders opened {urls}, dialogs {dialogs}")
            self._restore()
        if len(self.record.prompts) > prompts:
            self.asked_pin.append(f"{kind} {name}")

    def _restore(self) -> None:
        """Put the kiosk back after a failed step, so the walk goes on and reports every escape."""
        win = self.win
        for dock, (_name, visible, _floating, _features) in zip(win.docks,
                                                                self.baseline["panels"]):
            dock.setFloating(False)
            dock.setVisible(visible)
        for widget in QApplication.topLevelWidgets():
            if widget is not win and widget.isVisible() and not isinstance(widget, QMenu):
                widget.close()
        if not win.context.kiosk:
            win.kiosk_mode.enter()
        if not win.camera.running:
            win.camera.start()
        self.baseline = snapshot(win)


def test_every_action_shortcut_button_and_context_menu_in_kiosk_mode_is_harmless_or_asks_for_the_pin(
        qtbot, window, record, recognizer, capsys):
    assert recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
    window.context.peopleChanged.emit()
    window.people.list.setCurrentRow(0)  # so "Remove…" and Del have someone to remove
    window.context.guard.lock.set_pin(PIN)
    frames = []
    window.camera.frameShown.connect(frames.append)
    window.camera.start()
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=20_000)
    window.commands.kiosk.trigger()
    assert window.context.kiosk and window.isFullScreen()
    assert not window.today_dock.isVisible() and not window.unknown_dock.isVisible()  # no roster at the door
    qtbot.wait(100)
    walk = Walk(qtbot, window, record)

    # Every action of the window, menus included (a hidden menu bar is no protection: shortcuts reach them).
    for menu in window.findChildren(QMenu):
        menu.aboutToShow.emit()  # fills "Recent sources"
    actions = [a for a in window.findChildren(QAction) if not a.isSeparator() and a.menu() is None]
    assert len(actions) >= 15
    for action in actions:
        walk.step("actions", action.text() or action.objectName(), action.trigger)

    # Every shortcut, typed on the keyboard, and the keys a kiosk user tries first.
    sequences = {seq.toString(): seq for a in window.findChildren(QAction) for seq in a.shortcuts()}
    sequences.update({seq.toString(): seq for s in window.findChildren(QShortcut) for seq in [s.key()]})
    for extra in ("Esc", "Ctrl+W", "Ctrl+F4", "Alt+F4", "Ctrl+Q", "Ctrl+O", "Ctrl+S", "Ctrl+P", "F10"):
        sequences.setdefault(extra, QKeySequence(extra))
    for text, sequence in sorted(sequences.items()):
        walk.step("shortcuts", text, lambda s=sequence: QTest.keySequence(window, s))

    # Every visible, enabled button (the Admin button, the panels' buttons, any title-bar button left).
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible() and b.isEnabled()]
    for button in buttons:
        walk.step("buttons", button.text() or button.toolTip() or button.objectName(), button.click)

    # A right-click on every visible widget, and on the title bar of each panel; every item of every menu
    # that pops up is triggered while the menu is open.
    popped: list[str] = []

    def walk_popup():
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            items = [a for a in menu.actions() if not a.isSeparator()]
            popped.append(", ".join(a.text() for a in items))
            menu.close()
            for item in items:
                walk.steps["context menu items"] += 1
                item.trigger()

    targets = [(w, w.rect().center()) for w in [window, *window.findChildren(QWidget)] if w.isVisible()]
    targets += [(dock, QPoint(dock.width() // 2, 6)) for dock in window.docks]
    for widget, pos in targets:
        def right_click(w=widget, p=pos):
            QTimer.singleShot(0, walk_popup)
            QApplication.sendEvent(w, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p, w.mapToGlobal(p),
                                                        Qt.KeyboardModifier.NoModifier))
            QApplication.processEvents()
        walk.step("context menus", f"{type(widget).__name__} {widget.objectName()}".strip(), right_click)

    summary = (f"kiosk walk: {walk.steps['actions']} actions, {walk.steps['shortcuts']} shortcuts, "
               f"{walk.steps['buttons']} buttons, {walk.steps['context menus']} right-clicks "
               f"({len(popped)} menus, {walk.steps['context menu items']} items); "
               f"{len(walk.asked_pin)} asked for the PIN, the rest changed nothing; "
               f"{len(record.file_dialogs)} file dialogs")
    with capsys.disabled():
        print("\n" + summary)
    assert not walk.failures, "kiosk escapes:\n" + "\n".join(walk.failures)
    assert record.file_dialogs == [] and record.urls == []
    # The walk really reached the guarded actions: their shortcuts asked for the PIN.
    assert {"shortcuts Ctrl+E", "shortcuts Ctrl+,", "shortcuts Esc", "shortcuts F11", "shortcuts F5",
            "actions &Delete all face data…", "buttons Admin"} <= set(walk.asked_pin), walk.asked_pin
    assert window.context.kiosk and window.camera.running and window.people.names() == ["obama"]
