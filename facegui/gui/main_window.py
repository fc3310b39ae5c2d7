"""The main window: a shell that assembles the pages, the docks, the menus and the status bar.

Everything it shows comes from the ``AppContext`` (created once at start-up) and the camera controller;
each concern lives in its own page or controller:

* ``pages/station.py``: the live video and who is in the frame (fed by ``core/camera.py``);
* ``pages/people.py``, ``pages/attendance.py``, ``pages/unknown_faces.py``: the side panel and the docks;
* ``core/kiosk.py``: kiosk mode; ``core/data_rights.py``: export and delete all face data;
* ``actions.py``: the actions, menus and toolbar; ``widgets/status_bar.py``: the permanent status fields.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from .. import __version__
from ..service.diagnostics import log_path, problems_after
from .actions import WindowActions
from .core.camera import CameraController
from .core.camera_worker import MAX_CAMERAS
from .core.context import AppContext
from .core.data_rights import DataRights
from .core.file_dialogs import NOT_IN_KIOSK, translated
from .core.kiosk import KioskMode
from .core.text import arg, source_text
from .dialogs.identify import Identifier
from .dialogs.pin import SetPinDialog, ask_pin
from .pages.attendance import TodayPage
from .pages.people import PeoplePage
from .pages.station import StationPage
from .pages.unknown_faces import UnknownFacesPage
from .widgets.file_drop import FileDropTarget
from .widgets.icon import app_icon
from .widgets.panel_dock import PanelDock
from .widgets.status_bar import StatusFields, models_text

DEFAULT_SIZE = (1180, 680)
DOCK_WIDTH = 330
STOP_WAIT_MS = 5000


class MainWindow(FileDropTarget, QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        context.guard.prompt = lambda label: ask_pin(self, label)
        context.guard.notify = self._pin_refused
        context.problem.connect(self.show_problem)
        context.unexpected.happened.connect(self.show_unexpected_error)
        self.camera = CameraController(context, self)
        self.setWindowTitle("facegui")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.people = PeoplePage(context, frame_provider=self.camera.current_frame)
        self.today = TodayPage(context)
        self.station = StationPage(context, self.camera, checked_in_at=self.today.first_check_in)
        self.unknown_faces = UnknownFacesPage(context)
        self.identifier = Identifier(context, self)
        self.data_rights = DataRights(context, self.camera, self)
        self.camera.checkedIn.connect(self.today.show_check_in)
        self.camera.frameShown.connect(self.today.follow_frame)
        self.people.personRequested.connect(self.today.open_history_of)
        self.setCentralWidget(self.station)
        # The video takes the room; everything else is one column of panels on the right.
        self.people_dock = PanelDock(self.tr("People"), "peopleDock", self.people, self)
        self.today_dock = PanelDock(self.tr("Today"), "todayDock", self.today, self)
        self.unknown_dock = PanelDock(self.tr("Unknown faces"), "unknownDock", self.unknown_faces, self)
        self.docks = [self.people_dock, self.today_dock, self.unknown_dock]
        for dock in self.docks:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.tabifyDockWidget(self.today_dock, self.unknown_dock)
        self.today_dock.raise_()
        self.unknown_faces.countChanged.connect(lambda count: self.unknown_dock.setWindowTitle(
            self.tr("Unknown faces (%n)", "", count) if count else self.tr("Unknown faces")))

        self.commands = WindowActions(self)
        self.commands.build_menus(self.docks)
        self.camera.runningChanged.connect(self.commands.camera_running)
        self.status = StatusFields(self.statusBar(), context, self.camera)
        self.status.problems.clicked.connect(self.open_problems_log)
        self.kiosk_mode = KioskMode(self, context, self.commands.toolbar, self.docks,
                                    self.status.unlock_button, self.commands.kiosk)
        geometry, state = context.store.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(*DEFAULT_SIZE)
        self._layout_restored = state is not None
        if state is not None:
            self.restoreState(state)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:  # first start: the panels narrow, the video takes the room
            self._layout_restored = True
            self.resizeDocks([self.people_dock, self.today_dock], [DOCK_WIDTH, DOCK_WIDTH], Qt.Orientation.Horizontal)

    # -- camera ------------------------------------------------------------------------
    def toggle_camera(self) -> None:
        if self.camera.running:
            # At a kiosk, stopping the camera would stop attendance: only an admin may.
            if self.context.kiosk and not self.context.guard.allow("stop_camera"):
                self.commands.camera_running(True)
                return
            self.camera.stop()
        else:
            self.camera.start()

    def choose_source(self) -> None:
        from .dialogs.source import SourceDialog

        if not self.context.guard.allow("settings"):  # the source is a setting too
            return
        dialog = SourceDialog(self.context.prefs.camera_source, self.context.file_dialogs, self)
        if dialog.exec():
            self.camera.start(dialog.source())

    def add_camera(self) -> None:
        """One more camera beside the others (Camera → Add camera…), recognised in the same process."""
        from .dialogs.source import SourceDialog

        if not self.context.guard.allow("settings"):
            return
        if len(self.camera.sources) >= MAX_CAMERAS:
            self.status.show_message(arg(self.tr("At most %1 cameras can be shown side by side."), MAX_CAMERAS), 8000)
            return
        dialog = SourceDialog("", self.context.file_dialogs, self)
        dialog.setWindowTitle(self.tr("Add camera"))
        if dialog.exec() and not self.camera.add_source(dialog.source()):
            self.status.show_message(arg(self.tr("%1 is shown already."), source_text(dialog.source())), 8000)

    def remove_camera(self, source: str) -> None:
        if self.context.guard.allow("settings"):
            self.camera.remove_source(source)

    # -- settings ----------------------------------------------------------------------
    def open_settings(self) -> None:
        from .dialogs.settings import SettingsDialog

        if not self.context.guard.allow("settings"):
            return
        dialog = SettingsDialog(self.context, self)
        dialog.applied.connect(self.apply_settings)
        dialog.exec()

    def apply_settings(self, settings, prefs) -> None:
        """Thresholds and sizes apply on the next frame; onnxruntime options reload the models first."""
        was_running = self.camera.running
        change = self.context.apply_settings(settings, prefs)
        if change.reload_models:
            self.camera.stop()
            self.station.show_message(self.tr("Reloading the models…"))
            restart = was_running or change.camera_changed

            def done(engine) -> None:
                self.status.show_engine()
                self.station.show_message(self.tr("Models reloaded — CUDA unavailable, using CPU")
                                          if engine.fell_back_to_cpu else self.tr("Models reloaded"))
                if restart:
                    self.camera.start()

            self.context.reload_engine(on_done=done, on_failed=lambda message: self.show_problem(
                self.tr("Settings"), arg(self.tr("Cannot reload the models: %1"), message)))
        elif was_running and change.camera_changed:
            self.camera.start()

    # -- kiosk mode and the admin PIN ---------------------------------------------------
    def _pin_refused(self, message: str) -> None:
        self.status.show_message(message, 10000)
        QMessageBox.warning(self, self.tr("Administrator PIN"), message)

    def set_admin_pin(self) -> bool:
        if self.context.kiosk:
            self.status.show_message(translated(NOT_IN_KIOSK), 8000)
            return False
        dialog = SetPinDialog(self.context.guard, self)
        if dialog.exec():
            self.status.show_message(dialog.result_message, 8000)
            return True
        return False

    def start_station(self) -> None:
        """``facegui --kiosk`` or the start-up setting: the station view, with the last source streaming."""
        self.kiosk_mode.enter()
        self.camera.start()

    def toggle_kiosk(self) -> None:
        self.kiosk_mode.toggle_mode()

    def keyPressEvent(self, event) -> None:
        if self.context.kiosk and event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.kiosk_mode.leave()
            return
        super().keyPressEvent(event)

    # -- misc ----------------------------------------------------------------------------
    def files_dropped(self, paths) -> None:
        self.identifier.identify_files(paths)

    def about_text(self) -> str:
        engine = self.context.engine
        return (f"<h3>facegui {__version__}</h3><p>"
                + self.tr("Face-recognition attendance: RetinaFace detection, ArcFace embeddings, faiss search.")
                + "</p><p>" + arg(self.tr("Models: %1"), models_text(engine)) + "<br>"
                + arg(self.tr("Device: %1"), engine.device) + "<br>"
                + arg(self.tr("Data: %1"), str(self.context.settings.data_dir)) + "<br>"
                + arg(self.tr("Problems log: %1"), str(log_path(self.context.settings))) + "</p>")

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About facegui"), self.about_text())

    def show_unexpected_error(self, summary: str) -> None:
        # The status bar, not a dialog: at an unattended door a dialog would wait for ever over the video.
        self.status.show_message(arg(self.tr("Unexpected error (%1), a bug: the window goes on; the details are in "
                                             "Help ▸ Problems log"), summary), 30000)

    def open_problems_log(self) -> None:
        from .dialogs.problems_log import ProblemsLogDialog

        if not self.context.guard.allow("problems_log"):  # file names and camera addresses are in it
            return
        dialog = ProblemsLogDialog(self.context.settings, self)
        dialog.exec()
        seen = self.context.prefs.problems_seen_until
        _unseen, newest = problems_after(dialog.lines, seen)  # what was shown is seen now, nothing logged since
        if newest != seen:
            self.context.set_preferences(replace(self.context.prefs, problems_seen_until=newest))
        self.status.show_problems(recount=True)

    def show_problem(self, title: str, message: str) -> None:
        self.status.show_message(f"{title}: {message}", 10000)
        QMessageBox.warning(self, title, message)

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        """Stop the camera thread and wait up to ``timeout_s`` for pool tasks; True when nothing is left running."""
        stopped = self.camera.stop()
        stopped = self.camera.wait_for_stopped_workers(STOP_WAIT_MS) and stopped
        self.today.stop()
        self.unknown_faces.stop()
        self.people.close_enroll_dialog()
        idle = self.context.tasks.wait(int(timeout_s * 1000))
        if idle and stopped:
            self.context.close()
        return idle and stopped

    def closeEvent(self, event) -> None:
        if self.context.kiosk and not self.kiosk_mode.leave():
            event.ignore()
            return
        self.context.store.save_window_state(self.saveGeometry(), self.saveState())
        self.context.store.save(self.context.prefs)
        self.shutdown()
        super().closeEvent(event)
