"""The window's actions, menus and toolbar, wired to the pages and controllers that do the work."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ..service.sources import source_label


def make_action(window: QMainWindow, text: str, slot, shortcut=None, tip: str | None = None,
                checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip or text.replace("&", ""))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    return action


class WindowActions:
    """Every QAction of the main window; the window also holds those with a shortcut, so they work in kiosk mode
    while the menu bar is hidden."""

    def __init__(self, w):
        a = lambda *args, **kw: make_action(w, *args, **kw)  # noqa: E731
        self.camera = a("&Start camera", w.toggle_camera, "F5", "Start or stop the camera", checkable=True)
        self.source = a("Choose &source…", w.choose_source, "Ctrl+L", "Camera device, video file or stream URL")
        self.enroll = a("&Enroll person…", w.people.open_enroll_dialog, "Ctrl+E")
        self.identify = a("&Identify photos…", w.identifier.choose_files, QKeySequence.StandardKey.Open,
                          "Name every face in image files (or drop them on the window)")
        self.remove = a("&Remove person…", w.people.remove_selected, "Del")
        self.settings = a("Se&ttings…", w.open_settings, "Ctrl+,")
        self.data = a("Open &data folder", w.data_rights.open_data_folder, "Ctrl+Shift+D")
        self.history = a("Attendance &history…", w.today.open_history, "Ctrl+H",
                         "Who was present on which days; export as CSV")
        self.about = a("&About facegui", w.about, "F1")
        self.quit = a("&Quit", w.close, QKeySequence.StandardKey.Quit)
        self.export_data = a("E&xport my data…", lambda: w.data_rights.export_my_data(), None,
                             "Copy everything facegui holds about people to a folder")
        self.delete_data = a("&Delete all face data…", w.data_rights.delete_all_data, None,
                             "Delete every enrolled person, face, check-in and snapshot")
        self.kiosk = a("&Kiosk mode", w.toggle_kiosk, "F11",
                       "Full screen without menus; leaving needs the admin PIN when one is set", checkable=True)
        self.set_pin = a("Set admin &PIN…", w.set_admin_pin, None,
                         "Set, change or clear the PIN that guards admin actions")
        self.window = w

    def build_menus(self, docks) -> None:
        """``docks``: the People panel, then the attendance panels."""
        w, bar = self.window, self.window.menuBar()
        self._menu(bar.addMenu("&File"), self.identify, self.data, None, self.export_data, self.delete_data, None,
                   self.settings, self.set_pin, None, self.quit)
        self._menu(bar.addMenu("&View"), self.kiosk)
        camera = self._menu(bar.addMenu("&Camera"), self.camera, self.source)
        self.recent_menu = camera.addMenu("&Recent sources")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        people, *attendance = docks
        self._menu(bar.addMenu("&People"), self.enroll, self.remove, None, people.toggleViewAction())
        self._menu(bar.addMenu("&Attendance"), *[d.toggleViewAction() for d in attendance], self.history)
        self._menu(bar.addMenu("&Help"), self.about)
        toolbar = w.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._menu(toolbar, self.camera, self.source, None, self.enroll, self.identify, None, self.history,
                   self.settings)
        self.toolbar = toolbar
        w.addActions([self.camera, self.source, self.enroll, self.identify, self.remove, self.settings, self.data,
                      self.history, self.about, self.quit, self.kiosk])

    @staticmethod
    def _menu(menu, *actions):
        for action in actions:
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    def _fill_recent(self) -> None:
        w = self.window
        self.recent_menu.clear()
        for source in w.context.prefs.recent_sources:
            action = self.recent_menu.addAction(source_label(source))
            action.triggered.connect(lambda _checked=False, s=source: w.context.guard.allow("settings")
                                     and w.camera.start(s))
        if not w.context.prefs.recent_sources:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def camera_running(self, running: bool) -> None:
        self.camera.setChecked(running)
        self.camera.setText("&Stop camera" if running else "&Start camera")
