"""The main window: live view, who is in the frame, enrolled people, attendance, status bar, menus.

Thin: it starts workers and renders what they emit. Inference and disk work run in the
CameraWorker thread or in TaskRunner pool threads; this module only moves plain data.
The window opens one AttendanceService (thread-safe) for the camera worker's check-ins and
for the Today panel, the unknown-faces review list and the history dialog.

Kiosk mode and the admin PIN: every guarded action asks ``self.guard`` (a ``kiosk.Guard``) first;
kiosk mode is full screen without menus and toolbar, left (Esc, F11, the Unlock button, or closing
the window) only with the PIN when one is set.
"""
from __future__ import annotations

from pathlib import Path

import cv2
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QImage,
    QKeySequence,
    QPainter,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..engine.imageio import IMAGE_SUFFIXES
from ..engine.video import describe, open_capture
from ..service import (
    AdminLock,
    AttendanceService,
    delete_all_face_data,
    export_personal_data,
    load_engine,
)
from ..storage import Gallery, normalize_person_name
from .attendance_view import (
    HistoryDialog,
    TodayPanel,
    UnknownFacesPanel,
    load_unknown_entries,
)
from .camera_worker import CameraWorker, FramePacket, SourceState, is_file_source
from .file_drop import FileDropTarget
from .gui_settings import GuiPreferences, PreferenceStore, save_engine_settings
from .icon import app_icon
from .identify_view import IdentifyResultsDialog, identify_paths
from .kiosk import Guard, SetPinDialog, ask_pin
from .people import PeoplePanel, ThumbnailStore, make_missing_thumbnails
from .tasks import CoalescedTask, TaskRunner

IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ");;All files (*)"
ATTENDANCE_REFRESH_MS = 60_000
"""The Today panel and the unknown-faces list are re-read this often (check-ins update them at once)."""


class VideoView(QWidget):
    """Paints the newest annotated frame scaled to fit, or a message when there is none."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("videoView")
        self.setMinimumSize(480, 270)
        self.image: QImage | None = None
        self.message = "Camera stopped — press F5 to start"
        self.message_is_error = False

    def set_frame(self, image: QImage) -> None:
        self.image = image
        self.message = ""
        self.update()

    def set_message(self, text: str, error: bool = False, keep_frame: bool = False) -> None:
        self.message, self.message_is_error = text, error
        if not keep_frame:
            self.image = None
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, 450)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 24, 24))
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        if self.message:
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            rect = self.rect().adjusted(20, 20, -20, -20)
            bounds = painter.boundingRect(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            painter.fillRect(bounds.adjusted(-12, -8, 12, 8), QColor(0, 0, 0, 170))
            painter.setPen(QColor(255, 120, 110) if self.message_is_error else QColor(230, 230, 230))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()


class MainWindow(FileDropTarget, QMainWindow):
    frameShown = Signal(object)
    """A FramePacket was rendered (tests and screenshots wait on it)."""
    identifyFinished = Signal(object)
    """list[IdentifyResult] of one drop / identify action."""
    peopleChanged = Signal()
    checkedIn = Signal(object)
    """AttendanceEvent of a check-in the camera worker reported, once the Today panel shows it."""
    todayRefreshed = Signal()
    unknownFaceLogged = Signal(object)
    """UnknownFace; emitted from the camera worker thread (AttendanceService's on_unknown), so queued."""
    unknownFacesRefreshed = Signal()
    kioskChanged = Signal(bool)
    dataExported = Signal(str)
    """The folder export_personal_data wrote."""
    faceDataDeleted = Signal(object)
    """list[str] of the paths delete_all_face_data removed; the window is working again, with nobody enrolled."""

    def __init__(self, recognizer, settings, store: PreferenceStore | None = None,
                 config_file: Path | None = None, attendance: AttendanceService | None = None,
                 admin_lock: AdminLock | None = None, parent=None):
        super().__init__(parent)
        self.recognizer = recognizer
        self.settings = settings
        self.store = store or PreferenceStore()
        self.prefs: GuiPreferences = self.store.load()
        self.config_file = config_file
        self.thumbnails = ThumbnailStore(settings.data_dir)
        self.tasks = TaskRunner(parent=self)
        self._owns_attendance = attendance is None
        self.attendance = attendance if attendance is not None else AttendanceService.open(
            settings, recognizer.gallery, on_unknown=self.unknownFaceLogged.emit)
        self._attendance_closed = False
        self.history_dialog: HistoryDialog | None = None
        self._thumbnails_tried: set[str] = set()
        self.worker: CameraWorker | None = None
        self.last_packet: FramePacket | None = None
        self.results_dialog: IdentifyResultsDialog | None = None
        self.enroll_dialog = None
        self._reloading = False
        self._stopping: set[CameraWorker] = set()
        self.capture_factory = open_capture
        """What the camera worker opens sources with (tests inject a faulty source)."""
        # The admin PIN lives with the data it guards, whatever settings file the window was started with.
        self.guard = Guard(admin_lock or AdminLock.for_settings(settings, config_file),
                           prompt=lambda label: ask_pin(self, label),
                           notify=self._pin_refused)
        self.kiosk = False
        self._pre_kiosk: tuple[bool, bool] = (False, True)  # (maximized, toolbar visible)

        self.setWindowTitle("facegui")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._build_attendance_refresh()
        self.refresh_people()
        geometry, state = self.store.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 680)
        if state is not None:
            self.restoreState(state)

    # -- construction --------------------------------------------------------
    def _build_widgets(self) -> None:
        self.video = VideoView()
        self.in_frame = QListWidget()
        self.in_frame.setObjectName("inFrameList")
        self.in_frame.setMaximumHeight(160)
        self.people = PeoplePanel(self.thumbnails)
        self.people.removeRequested.connect(self.remove_person)
        self.people.enrollRequested.connect(self.open_enroll_dialog)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(QLabel("<b>In this frame</b>"))
        side_layout.addWidget(self.in_frame)
        side_layout.addWidget(self.people, 1)
        side.setMinimumWidth(220)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.video)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([880, 280])
        self.setCentralWidget(self.splitter)

        self.today = TodayPanel()
        self.today.historyRequested.connect(self.open_history)
        self.today_dock = self._dock("Today", "todayDock", self.today)
        self.unknown_faces = UnknownFacesPanel()
        self.unknown_faces.set_logging(self.settings.log_unknown_faces)
        self.unknown_faces.enrollRequested.connect(self.enroll_unknown)
        self.unknown_faces.dismissRequested.connect(self.dismiss_unknown)
        self.unknown_dock = self._dock("Unknown faces", "unknownDock", self.unknown_faces)
        self.tabifyDockWidget(self.today_dock, self.unknown_dock)
        self.today_dock.raise_()

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setMinimumWidth(340)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _action(self, text, slot, shortcut=None, tip=None, checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.act_camera = self._action("&Start camera", self.toggle_camera, "F5", "Start or stop the camera",
                                       checkable=True)
        self.act_source = self._action("Choose &source…", self.choose_source, "Ctrl+L",
                                       "Camera device, video file or stream URL")
        self.act_enroll = self._action("&Enroll person…", self.open_enroll_dialog, "Ctrl+E")
        self.act_identify = self._action("&Identify photos…", self.identify_dialog, QKeySequence.StandardKey.Open,
                                         "Name every face in image files (or drop them on the window)")
        self.act_remove = self._action("&Remove person…", self.people.remove_selected, "Del")
        self.act_settings = self._action("Se&ttings…", self.open_settings, "Ctrl+,")
        self.act_data = self._action("Open &data folder", self.open_data_folder, "Ctrl+Shift+D")
        self.act_history = self._action("Attendance &history…", self.open_history, "Ctrl+H",
                                        "Who was present on which days; export as CSV")
        self.act_about = self._action("&About facegui", self.about, "F1")
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_export_data = self._action("E&xport my data…", self.export_my_data, None,
                                            "Copy everything facegui holds about people to a folder")
        self.act_delete_data = self._action("&Delete all face data…", self.delete_all_data, None,
                                            "Delete every enrolled person, face, check-in and snapshot")
        self.act_kiosk = self._action("&Kiosk mode", self.toggle_kiosk, "F11",
                                      "Full screen without menus; leaving needs the admin PIN when one is set",
                                      checkable=True)
        self.act_set_pin = self._action("Set admin &PIN…", self.set_admin_pin, None,
                                        "Set, change or clear the PIN that guards admin actions")

        menu = self.menuBar().addMenu("&File")
        for action in (self.act_identify, self.act_data, None, self.act_export_data, self.act_delete_data, None,
                       self.act_settings, self.act_set_pin, None, self.act_quit):
            menu.addSeparator() if action is None else menu.addAction(action)
        view = self.menuBar().addMenu("&View")
        view.addAction(self.act_kiosk)
        camera = self.menuBar().addMenu("&Camera")
        camera.addAction(self.act_camera)
        camera.addAction(self.act_source)
        self.recent_menu = camera.addMenu("&Recent sources")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        people = self.menuBar().addMenu("&People")
        people.addAction(self.act_enroll)
        people.addAction(self.act_remove)
        attendance = self.menuBar().addMenu("&Attendance")
        attendance.addAction(self.today_dock.toggleViewAction())
        attendance.addAction(self.unknown_dock.toggleViewAction())
        attendance.addAction(self.act_history)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.act_about)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.act_camera, self.act_source, None, self.act_enroll, self.act_identify, None,
                       self.act_history, self.act_settings):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self.toolbar = toolbar
        # Shortcuts must keep working while kiosk mode hides the menu bar: the window holds every action too.
        self.addActions([self.act_camera, self.act_source, self.act_enroll, self.act_identify, self.act_remove,
                         self.act_settings, self.act_data, self.act_history, self.act_about, self.act_quit,
                         self.act_kiosk])

    def _build_status_bar(self) -> None:
        engine = self.recognizer.engine
        detector_path = getattr(engine.detector.model, "path", None)
        detector = Path(detector_path).stem if detector_path else "RetinaFace"
        self.status_source = QLabel()
        self.status_fps = QLabel("— FPS")
        self.status_faces = QLabel("0 faces")
        self.status_models = QLabel(f"{detector} · {engine.embedder_id}")
        self.status_device = QLabel()
        for label in (self.status_source, self.status_fps, self.status_faces, self.status_models,
                      self.status_device):
            self.statusBar().addPermanentWidget(label)
        # The one way back in kiosk mode, besides Esc and F11 (both ask for the PIN too).
        self.unlock_button = QPushButton("🔒 Admin")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setFlat(True)
        self.unlock_button.setToolTip("Leave kiosk mode (asks for the admin PIN when one is set)")
        self.unlock_button.clicked.connect(self.leave_kiosk)
        self.unlock_button.hide()
        self.statusBar().addPermanentWidget(self.unlock_button)
        self._update_source_label("stopped")
        self._update_device_label()

    def _update_device_label(self) -> None:
        engine = self.recognizer.engine
        note = " (CUDA unavailable)" if engine.fell_back_to_cpu else ""
        self.status_device.setText(f"{engine.device}{note}")

    def _update_source_label(self, state: str) -> None:
        source = self.prefs.camera_source
        short = Path(source).name if is_file_source(source) else describe(source)
        self.status_source.setText(f"{short} · {state}")
        self.status_source.setToolTip(describe(source))

    # -- camera --------------------------------------------------------------
    @property
    def camera_running(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def toggle_camera(self) -> None:
        if self.camera_running:
            # At a kiosk, stopping the camera would stop attendance: only an admin may.
            if self.kiosk and not self.guard.allow("stop_camera"):
                return
            self.stop_camera()
        else:
            self.start_camera()

    def start_camera(self, source: str | None = None) -> None:
        self.stop_camera()
        if source is not None:
            self.set_camera_source(source, restart=False)
        worker = CameraWorker(self.recognizer, self.prefs.camera_source, attendance=self.attendance,
                              pace_files=self.prefs.pace_video_files, loop_files=self.prefs.loop_video_files,
                              stall_timeout_s=self.settings.camera_stall_timeout_s,
                              capture_factory=self.capture_factory, parent=self)
        worker.frameReady.connect(self._on_frame)
        worker.stateChanged.connect(self._on_state)
        worker.checkedIn.connect(self._on_checked_in)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        self.act_camera.setChecked(True)
        self.act_camera.setText("&Stop camera")
        self.video.set_message(f"Opening {describe(self.prefs.camera_source)}…")
        worker.start()

    def stop_camera(self) -> bool:
        worker, self.worker = self.worker, None
        self.act_camera.setChecked(False)
        self.act_camera.setText("&Start camera")
        if worker is None:
            return True
        stopped = worker.stop(1.0)
        worker.frameReady.disconnect(self._on_frame)
        worker.stateChanged.disconnect(self._on_state)
        # Check-ins still queued from the stopped worker are real (already written): they stay connected.
        if stopped:
            worker.deleteLater()
        else:  # stuck in a slow read (a network stream): let it finish on its own
            self._stopping.add(worker)
            worker.finished.connect(lambda w=worker: (self._stopping.discard(w), w.deleteLater()))
        self.status_fps.setText("— FPS")
        self._update_source_label("stopped")
        self.video.set_message("Camera stopped — press F5 to start", keep_frame=True)
        return stopped

    def set_camera_source(self, source: str, restart: bool = True) -> None:
        self.prefs = self.prefs.with_source(str(source))
        self.store.save(self.prefs)
        self._update_source_label("stopped" if not self.camera_running else "switching")
        if restart and self.camera_running:
            self.start_camera()

    def choose_source(self) -> None:
        from .source_dialog import SourceDialog

        if not self.guard.allow("settings"):  # the source is a setting too
            return
        dialog = SourceDialog(self.prefs.camera_source, self)
        if dialog.exec():
            self.set_camera_source(dialog.source(), restart=False)
            self.start_camera()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for source in self.prefs.recent_sources:
            action = self.recent_menu.addAction(describe(source))
            action.triggered.connect(lambda _checked=False, s=source: self.guard.allow("settings") and self.start_camera(s))
        if not self.prefs.recent_sources:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _on_frame(self, packet: FramePacket) -> None:
        worker = self.sender()
        if worker is not self.worker:
            return  # a late frame of a stopped worker
        self.last_packet = packet
        self.video.set_frame(packet.image)
        self.in_frame.clear()
        for face in sorted(packet.faces, key=lambda f: f.bbox[0]):
            item = QListWidgetItem(f"{face.name}  {face.similarity:.2f}")
            item.setForeground(QColor(30, 140, 50) if face.is_known else QColor(200, 40, 40))
            self.in_frame.addItem(item)
        self.status_fps.setText(f"{packet.fps:.1f} FPS")
        self.status_faces.setText(f"{len(packet.faces)} face{'s' if len(packet.faces) != 1 else ''}")
        worker.frame_shown()
        self.frameShown.emit(packet)

    def _on_state(self, state: SourceState) -> None:
        if self.sender() is not self.worker:
            return
        self._update_source_label(state.state)
        if state.state in ("retrying", "error"):
            self.video.set_message(state.message, error=True)
            self.status_fps.setText("— FPS")
        elif state.state == "ended":
            self.video.set_message("End of video — press F5 to play again", keep_frame=True)
        elif state.state == "opening" and self.last_packet is None:
            self.video.set_message(state.message)
        if state.state != "streaming":
            self.statusBar().showMessage(state.message, 5000)
        else:
            self.statusBar().clearMessage()

    def _on_worker_finished(self) -> None:
        worker = self.sender()
        if worker is self.worker:  # ended or failed on its own
            self.worker = None
            self.act_camera.setChecked(False)
            self.act_camera.setText("&Start camera")
            worker.deleteLater()

    # -- people --------------------------------------------------------------
    def refresh_people(self) -> None:
        people = self.recognizer.gallery.people()
        self.people.set_people(people)
        self.unknown_faces.names = [p.name for p in people]
        self._make_missing_thumbnails([p.name for p in people])
        self.refresh_today()
        self.peopleChanged.emit()

    def _make_missing_thumbnails(self, names) -> None:
        """People enrolled with the CLI have no thumbnail yet: make them from their photos, off the GUI thread."""
        missing = [n for n in names if n not in self._thumbnails_tried and not self.thumbnails.has(n)]
        if not missing:
            return
        self._thumbnails_tried.update(missing)  # once per session: a photo that is gone stays gone
        self.tasks.start(make_missing_thumbnails, self.recognizer.engine, self.attendance.store, self.thumbnails,
                         missing, self.settings.max_image_pixels, on_done=self.people.refresh_icons)

    def remove_person(self, name: str) -> None:
        """Confirmed already (PeoplePanel); the removal runs off the GUI thread.

        Through the attendance service, so the person's check-ins, sightings and snapshots go too."""
        if not self.guard.allow("remove"):
            return
        def remove():
            removed = self.attendance.remove_person(name)
            self.thumbnails.remove(name)
            return removed

        def done(removed):
            self.statusBar().showMessage(f"Removed {name} ({removed} photos)", 5000)
            self.refresh_people()

        self.tasks.start(remove, on_done=done, on_failed=lambda message: self._error("Remove person", message))

    def open_enroll_dialog(self) -> None:
        from .enroll_dialog import EnrollDialog

        if self.enroll_dialog is not None and self.enroll_dialog.isVisible():
            self.enroll_dialog.raise_()
            self.enroll_dialog.activateWindow()
            return
        if not self.guard.allow("enroll"):
            return
        dialog = EnrollDialog(self.recognizer, self.thumbnails, names=self.people.names(),
                              frame_provider=self.current_frame, parent=self)
        dialog.enrolled.connect(lambda _report: self.refresh_people())
        self.enroll_dialog = dialog
        dialog.show()

    def current_frame(self):
        """The raw BGR frame last shown, or None when the camera is not streaming."""
        return None if self.last_packet is None or not self.camera_running else self.last_packet.frame

    # -- attendance ------------------------------------------------------------
    def _build_attendance_refresh(self) -> None:
        self._today_refresh = CoalescedTask(self.tasks, lambda: (self.attendance.today(), self.attendance.roster()),
                                            self._show_today)
        self._unknown_refresh = CoalescedTask(self.tasks, lambda: load_unknown_entries(self.attendance),
                                              self._show_unknown_faces)
        self.unknownFaceLogged.connect(lambda _record: self.refresh_unknown_faces())
        # Each minute: the day may have changed, and another program (a second camera) may have checked people in.
        self.attendance_timer = QTimer(self)
        self.attendance_timer.setInterval(ATTENDANCE_REFRESH_MS)
        self.attendance_timer.timeout.connect(self.refresh_attendance)
        self.attendance_timer.start()
        self.refresh_unknown_faces()

    def refresh_attendance(self) -> None:
        self.refresh_today()
        self.refresh_unknown_faces()

    def refresh_today(self) -> None:
        self._today_refresh.request()

    def _show_today(self, result) -> None:
        day, records = result
        self.today.set_roster(day, records)
        self.todayRefreshed.emit()

    def refresh_unknown_faces(self) -> None:
        self._unknown_refresh.request()

    def _show_unknown_faces(self, entries) -> None:
        self.unknown_faces.set_entries(entries)
        count = len(entries)
        self.unknown_dock.setWindowTitle(f"Unknown faces ({count})" if count else "Unknown faces")
        self.unknownFacesRefreshed.emit()

    def _on_checked_in(self, event) -> None:
        self.today.apply_event(event)
        self.statusBar().showMessage(f"Checked in: {event.name} at {event.at.strftime('%H:%M:%S')}", 8000)
        self.refresh_today()  # sightings and anything else the database knows
        self.checkedIn.emit(event)

    def enroll_unknown(self, unknown_id: int, name: str) -> None:
        """One step: the logged face's embedding joins the gallery under ``name`` (off the GUI thread)."""
        if not self.guard.allow("enroll"):
            return
        entry = next((e for e in self.unknown_faces.entries if e.id == unknown_id), None)

        def enroll():
            person = normalize_person_name(name)
            # Read the snapshot before enroll_unknown deletes it: it becomes the thumbnail of a new person.
            chip = cv2.imread(str(entry.snapshot)) if entry is not None and entry.snapshot is not None else None
            self.attendance.enroll_unknown(unknown_id, person)
            if chip is not None and not self.thumbnails.has(person):
                self.thumbnails.save(person, chip)
            return person

        def done(person):
            self.statusBar().showMessage(f"Enrolled the unknown face as {person}", 5000)
            self.refresh_people()
            self.refresh_unknown_faces()

        self.tasks.start(enroll, on_done=done, on_failed=lambda message: self._error("Enroll unknown face", message))

    def dismiss_unknown(self, unknown_id: int) -> None:
        if not self.guard.allow("remove"):
            return
        self.tasks.start(self.attendance.dismiss_unknown, unknown_id,
                         on_done=lambda _deleted: self.refresh_unknown_faces(),
                         on_failed=lambda message: self._error("Dismiss unknown face", message))

    def open_history(self) -> HistoryDialog:
        if self.history_dialog is None:
            self.history_dialog = HistoryDialog(self.attendance, self.people.names(), self, guard=self.guard.allow)
        else:
            self.history_dialog.refresh()
        self.history_dialog.show()
        self.history_dialog.raise_()
        return self.history_dialog

    # -- identification -------------------------------------------------------
    def identify_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Identify photos", "", IMAGE_FILTER)
        if paths:
            self.identify_files(paths)

    def identify_files(self, paths) -> None:
        if self.results_dialog is None:
            self.results_dialog = IdentifyResultsDialog(self)
        dialog = self.results_dialog
        dialog.clear()
        dialog.setWindowTitle(f"Identification results — {len(paths)} item(s)")
        dialog.show()
        dialog.raise_()
        self.statusBar().showMessage("Identifying…")

        def done(results):
            failed = sum(1 for r in results if r.error)
            faces = sum(len(r.faces) for r in results)
            self.statusBar().showMessage(f"Identified {faces} face(s) in {len(results) - failed} image(s)"
                                         + (f"; {failed} file(s) could not be read" if failed else ""), 8000)
            self.identifyFinished.emit(results)

        def failed(message):
            self._error("Identify photos", message)
            self.identifyFinished.emit([])

        self.tasks.start(identify_paths, self.recognizer, list(paths),
                         on_progress=dialog.add_result, on_done=done, on_failed=failed)

    def files_dropped(self, paths) -> None:
        self.identify_files(paths)

    # -- settings ------------------------------------------------------------
    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        if not self.guard.allow("settings"):
            return
        dialog = SettingsDialog(self.settings, self.prefs, self)
        dialog.applied.connect(self.apply_settings)
        dialog.exec()

    def apply_settings(self, settings, prefs: GuiPreferences) -> None:
        """Thresholds and sizes apply on the next frame; provider or threads reload the models."""
        old, self.settings = self.settings, settings
        source_changed = prefs.camera_source != self.prefs.camera_source
        playback_changed = (prefs.pace_video_files, prefs.loop_video_files) != (
            self.prefs.pace_video_files, self.prefs.loop_video_files)
        self.prefs = prefs.with_source(prefs.camera_source) if source_changed else prefs
        self.store.save(self.prefs)
        try:
            save_engine_settings(settings, self.config_file)
        except OSError as exc:
            self._error("Settings", f"cannot save the settings file: {exc}")
        self.attendance.configure(settings)
        self.unknown_faces.set_logging(settings.log_unknown_faces)
        needs_reload = (settings.execution_provider, settings.intra_op_threads) != (
            old.execution_provider, old.intra_op_threads)
        if needs_reload:
            self._reload_engine(settings, restart=self.camera_running or source_changed)
            return
        self.recognizer.configure(settings)
        if self.camera_running and (source_changed or playback_changed):
            self.start_camera()

    def _reload_engine(self, settings, restart: bool) -> None:
        self.stop_camera()
        self._reloading = True
        self.video.set_message("Reloading the models…")

        def done(engine):
            self._reloading = False
            self.recognizer.engine = engine
            self.recognizer.configure(settings)
            self._update_device_label()
            self.video.set_message("Models reloaded" + (" — CUDA unavailable, using CPU"
                                                        if engine.fell_back_to_cpu else ""))
            if restart:
                self.start_camera()

        def failed(message):
            self._reloading = False
            self.recognizer.configure(settings)
            self._error("Settings", f"cannot reload the models: {message}")

        self.tasks.start(load_engine, settings, on_done=done, on_failed=failed)

    # -- kiosk mode and the admin PIN ------------------------------------------
    def _pin_refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, "Admin PIN", message)

    def set_admin_pin(self) -> bool:
        dialog = SetPinDialog(self.guard, self)
        if dialog.exec():
            self.statusBar().showMessage(dialog.result_message, 8000)
            return True
        return False

    def toggle_kiosk(self) -> None:
        if self.kiosk:
            self.leave_kiosk()
        else:
            self.enter_kiosk()

    def enter_kiosk(self) -> None:
        if not self.kiosk:
            self._pre_kiosk = (self.isMaximized(), self.toolbar.isVisible())
            self.kiosk = True
            self.menuBar().hide()
            self.toolbar.hide()
            self.unlock_button.show()
            self.showFullScreen()
            if not self.guard.enabled:
                self.statusBar().showMessage("Kiosk mode: no admin PIN is set, so anyone can leave it "
                                             "(File → Set admin PIN…)", 10000)
        self.act_kiosk.setChecked(True)
        self.kioskChanged.emit(True)

    def leave_kiosk(self) -> bool:
        """True when the window is out of kiosk mode (the right PIN, or none set)."""
        if not self.kiosk:
            self.act_kiosk.setChecked(False)
            return True
        if not self.guard.allow("exit_kiosk"):
            self.act_kiosk.setChecked(True)
            return False
        self.kiosk = False
        maximized, toolbar_visible = self._pre_kiosk
        self.menuBar().show()
        self.toolbar.setVisible(toolbar_visible)
        self.unlock_button.hide()
        self.showMaximized() if maximized else self.showNormal()
        self.act_kiosk.setChecked(False)
        self.kioskChanged.emit(False)
        return True

    def keyPressEvent(self, event) -> None:
        if self.kiosk and event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.leave_kiosk()
            return
        super().keyPressEvent(event)

    # -- the user's rights over their data ---------------------------------------
    def export_my_data(self, folder: str | Path | None = None) -> bool:
        """Everything facegui holds about people, copied into a new folder under ``folder`` (off the GUI thread)."""
        if not self.guard.allow("export_data"):
            return False
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Export my data into…", str(Path.home()))
            if not folder:
                return False
        self.statusBar().showMessage("Exporting all face data…")

        def done(export: Path) -> None:
            self.statusBar().showMessage(f"Exported all face data to {export}", 15000)
            self.dataExported.emit(str(export))
            box = QMessageBox(QMessageBox.Icon.Information, "Export my data",
                              f"Everything facegui holds about people (database, people.json, checkins.csv, "
                              f"snapshots, thumbnails) is in:\n{export}", QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # not modal: the export is done, nothing waits on the answer

        self.tasks.start(export_personal_data, self.settings, Path(folder), on_done=done,
                         on_failed=lambda message: self._error("Export my data", message))
        return True

    def _confirm_delete(self) -> bool:
        count = len(self.people.names())
        answer = QMessageBox.warning(
            self, "Delete all face data",
            f"Delete ALL face data in {self.settings.data_dir}?\n\n"
            f"• every enrolled person ({count}), their names and face embeddings\n"
            "• all attendance check-ins and sightings\n"
            "• logged unknown faces\n"
            "• attendance snapshots and the thumbnails of the people list\n\n"
            "Models and settings are kept. The camera stops. This cannot be undone; export the data "
            "first (File → Export my data…) if you may need it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def delete_all_data(self) -> bool:
        """After the PIN and a confirmation: stop everything that holds the database, delete, reopen empty.

        Synchronous on the GUI thread (it is a few file deletions and an empty database): nothing can use the
        gallery or the attendance service while they are closed."""
        if not self.guard.allow("delete_data") or not self._confirm_delete():
            return False
        was_running = self.camera_running
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        removed, error = [], None
        try:
            self.stop_camera()
            for worker in list(self._stopping):  # a worker stuck in a read still holds the attendance service
                worker.wait(5000)
            for dialog in (self.enroll_dialog, self.history_dialog):
                if dialog is not None:
                    dialog.close()
                    dialog.deleteLater()
            self.enroll_dialog = self.history_dialog = None
            self._today_refresh.stop()
            self._unknown_refresh.stop()
            self.tasks.wait(30_000)
            old_gallery = self.recognizer.gallery
            old_gallery.close()
            if not self._attendance_closed:
                self.attendance.close()
            try:
                removed = delete_all_face_data(self.settings)
            except OSError as exc:
                error = str(exc)
            finally:
                engine = self.recognizer.engine
                self.recognizer.gallery = Gallery(
                    self.settings.data_dir, engine.embedder_id, engine.embedder.dim,
                    approximate_search_threshold=self.settings.approximate_search_threshold)
                self.attendance = AttendanceService.open(self.settings, self.recognizer.gallery,
                                                         on_unknown=self.unknownFaceLogged.emit)
                self._owns_attendance, self._attendance_closed = True, False
                self._thumbnails_tried.clear()
                self.last_packet = None
                # The same refreshers: one still in flight is followed by a run on the new data.
                self._today_refresh.resume()
                self._unknown_refresh.resume()
        finally:
            QApplication.restoreOverrideCursor()
        self.in_frame.clear()
        self.refresh_people()
        self.refresh_unknown_faces()
        if error is not None:
            self._error("Delete all face data", f"not everything could be deleted: {error}")
            return False
        self.statusBar().showMessage(f"Deleted all face data ({len(removed)} item(s) in {self.settings.data_dir})",
                                     15000)
        self.faceDataDeleted.emit([str(p) for p in removed])
        if was_running:
            self.start_camera()
        return True

    # -- misc ----------------------------------------------------------------
    def open_data_folder(self) -> None:
        if not self.guard.allow("open_data_folder"):  # it holds everyone's snapshots
            return
        folder = Path(self.settings.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about(self) -> None:
        engine = self.recognizer.engine
        QMessageBox.about(
            self, "About facegui",
            f"<h3>facegui {__version__}</h3><p>Face-recognition attendance: RetinaFace detection, "
            f"ArcFace embeddings, faiss search.</p><p>Models: {self.status_models.text()}<br>"
            f"Device: {engine.device}<br>Data: {self.settings.data_dir}</p>")

    def _error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(f"{title}: {message}", 10000)
        QMessageBox.warning(self, title, message)

    def shutdown(self, timeout_s: float = 1.0) -> bool:
        """Stop the camera thread and wait for pool tasks; True when nothing is left running."""
        stopped = self.stop_camera()
        self.attendance_timer.stop()
        self._today_refresh.stop()
        self._unknown_refresh.stop()
        for worker in list(self._stopping):
            stopped = worker.wait(5000) and stopped
        for dialog in (self.enroll_dialog, self.history_dialog):
            if dialog is not None:
                dialog.close()
        idle = self.tasks.wait(int(timeout_s * 5000))
        if idle and stopped and self._owns_attendance and not self._attendance_closed:
            self._attendance_closed = True
            self.attendance.close()
        return idle and stopped

    def closeEvent(self, event) -> None:
        if self.kiosk and not self.leave_kiosk():
            event.ignore()
            return
        self.store.save_window_state(self.saveGeometry(), self.saveState())
        self.store.save(self.prefs)
        self.shutdown()
        super().closeEvent(event)
