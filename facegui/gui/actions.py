"""The window's actions, menus and toolbar, wired to the pages and controllers that do the work."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ..service.sources import source_problem
from .core.problems import video_source_problem_text
from .core.text import arg, source_text
from .widgets.action_icons import action_icon

translate = QCoreApplication.translate


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
        self.camera = a(translate("Menu", "&Start camera"), w.toggle_camera, "F5", translate("Menu", "Start or stop the camera"), checkable=True)
        self.source = a(translate("Menu", "Choose &source…"), w.choose_source, "Ctrl+L", translate("Menu", "Camera device, video file or stream URL"))
        self.add_camera = a(translate("Menu", "&Add camera…"), w.add_camera, None,
                            translate("Menu", "Show and recognise one more camera beside the others (up to four)"))
        self.enroll = a(translate("Menu", "&Enroll person…"), lambda: w.people.open_enroll_dialog(), "Ctrl+E")
        self.identify = a(translate("Menu", "&Identify photos…"), w.identifier.choose_files, QKeySequence.StandardKey.Open,
                          translate("Menu", "Name every face in image files (or drop them on the window)"))
        self.remove = a(translate("Menu", "&Remove person…"), w.people.remove_selected, "Del")
        self.check_photos = a(translate("Menu", "&Check photos"), w.people.check_photos, None,
                              translate("Menu", "Photos that look like none of their person's others, and two people "
                                                "who look alike"))
        self.settings = a(translate("Menu", "Se&ttings…"), w.open_settings, "Ctrl+,")
        self.data = a(translate("Menu", "Open &data folder"), w.data_rights.open_data_folder, "Ctrl+Shift+D")
        self.history = a(translate("Menu", "Attendance &history…"), w.today.open_history, "Ctrl+H",
                         translate("Menu", "Who was present on which days; export as CSV"))
        self.about = a(translate("Menu", "&About facegui"), w.about, "F1")
        self.problems_log = a(translate("Menu", "&Problems log…"), w.open_problems_log, None,
                              translate("Menu", "Warnings and unexpected errors, newest last: what went wrong while "
                                                "nobody watched"))
        self.quit = a(translate("Menu", "&Quit"), w.close, QKeySequence.StandardKey.Quit)
        self.export_data = a(translate("Menu", "E&xport my data…"), lambda: w.data_rights.export_my_data(), None,
                             translate("Menu", "Copy everything facegui holds about people to a folder"))
        self.delete_data = a(translate("Menu", "&Delete all face data…"), w.data_rights.delete_all_data, None,
                             translate("Menu", "Delete every enrolled person, face, check-in and snapshot"))
        self.kiosk = a(translate("Menu", "&Kiosk mode"), w.toggle_kiosk, "F11",
                       translate("Menu", "Full screen without menus; leaving needs the admin PIN when one is set"), checkable=True)
        self.set_pin = a(translate("Menu", "Set admin &PIN…"), w.set_admin_pin, None,
                         translate("Menu", "Set, change or clear the PIN that guards admin actions"))
        self.window = w
        # The theme's icon where the desktop has one, else a bundled one (also in kiosk mode, menus hidden).
        for action, name in ((self.camera, "camera"), (self.source, "source"), (self.enroll, "enroll"),
                             (self.identify, "identify"), (self.history, "history"), (self.settings, "settings")):
            action.setIcon(action_icon(name))

    def build_menus(self, docks) -> None:
        """``docks``: the People panel, then the attendance panels."""
        w, bar = self.window, self.window.menuBar()
        self._menu(bar.addMenu(translate("Menu", "&File")), self.identify, self.data, None, self.export_data, self.delete_data, None,
                   self.settings, self.set_pin, None, self.quit)
        self._menu(bar.addMenu(translate("Menu", "&View")), self.kiosk)
        camera = self._menu(bar.addMenu(translate("Menu", "&Camera")), self.camera, self.source, self.add_camera)
        self.remove_camera_menu = camera.addMenu(translate("Menu", "Remo&ve camera"))
        self.remove_camera_menu.aboutToShow.connect(self._fill_remove_camera)
        self.recent_menu = camera.addMenu(translate("Menu", "&Recent sources"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        people, *attendance = docks
        self._menu(bar.addMenu(translate("Menu", "&People")), self.enroll, self.remove, self.check_photos, None, people.toggleViewAction())
        self._menu(bar.addMenu(translate("Menu", "&Attendance")), *[d.toggleViewAction() for d in attendance], self.history)
        self._menu(bar.addMenu(translate("Menu", "&Help")), self.problems_log, None, self.about)
        toolbar = w.addToolBar(translate("Menu", "Main toolbar"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
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
            action = self.recent_menu.addAction(source_text(source))
            action.triggered.connect(lambda _checked=False, s=source: self.start_recent(s))
        if not w.context.prefs.recent_sources:
            self.recent_menu.addAction(translate("Menu", "(none)")).setEnabled(False)

    def start_recent(self, source: str) -> bool:
        """A recent source, checked again as it is chosen: a video file moved or deleted since is refused in one
        line (the status bar), not retried for ever."""
        w = self.window
        if not w.context.guard.allow("settings"):
            return False
        problem = source_problem(source)
        if problem:
            w.context.notice.emit(arg(translate("Menu", "Cannot use this video file: %1"),
                                      video_source_problem_text(problem)), 10000)
            return False
        w.camera.start(source)
        return True

    def _fill_remove_camera(self) -> None:
        """The cameras shown, when there are several (the last one cannot be removed, only changed)."""
        w = self.window
        self.remove_camera_menu.clear()
        sources = w.camera.sources
        for source in sources if len(sources) > 1 else ():
            action = self.remove_camera_menu.addAction(source_text(source))
            action.triggered.connect(lambda _checked=False, s=source: w.remove_camera(s))
        if len(sources) < 2:
            self.remove_camera_menu.addAction(translate("Menu", "(only one camera)")).setEnabled(False)

    def camera_running(self, running: bool) -> None:
        self.camera.setChecked(running)
        self.camera.setIcon(action_icon("stop" if running else "camera"))
        self.camera.setText(translate("Menu", "&Stop camera") if running else translate("Menu", "&Start camera"))
