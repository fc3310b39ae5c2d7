"""The application context: created once at start-up, handed to the window, every page and every dialog.

It holds what the whole window shares, so that no widget opens storage or services itself:

* the ``Workspace`` (service layer): the recognizer and the attendance service, and the one current
  ``Settings`` (``context.settings`` always reads it; nobody keeps a copy);
* the admin ``Guard`` (the PIN), the GUI preferences and their store, the thumbnails, the task pool;
* whether the window is in kiosk mode (file dialogs and panels ask it);
* ``unexpected``: the exceptions nothing caught, kept in the problems log and announced to the window.

Changes reach the pages through its signals only: ``settingsChanged`` after ``apply_settings`` (the one path
for a settings change), ``peopleChanged`` after an enrollment or a removal, ``dataReset`` after all face data
was deleted and the workspace reopened empty, ``unknownFaceLogged`` from the camera thread.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...config import Settings, save_settings
from ...engine import FaceEngine
from ...service import AdminLock, AttendanceService, Recognizer
from ...service.workspace import ENGINE_OPTIONS, Workspace
from .file_dialogs import FileDialogs
from .guard import Guard
from .text import arg
from ..i18n import ensure_language
from .preferences import GuiPreferences, PreferenceStore
from .tasks import TaskRunner, with_busy_cursor
from .thumbnails import ThumbnailStore
from .unexpected import UnexpectedErrors

SAVED_SETTINGS = ("detector_input_size", "detector_confidence", "detector_nms_iou", "min_face_size",
                  "similarity_threshold", "enroll_min_face_size", "enroll_min_sharpness", "enroll_min_own_similarity",
                  "checkin_min_hits", "checkin_window", "checkin_cooldown_s", "attendance_snapshots",
                  "log_unknown_faces", "retention_days") + ENGINE_OPTIONS
"""The Settings fields the window lets the admin change; saved to settings.json so the CLI sees them too."""


@dataclass(frozen=True)
class SettingsChange:
    reload_models: bool
    """onnxruntime options changed: the models must be reloaded (``AppContext.reload_engine``)."""
    camera_changed: bool
    """The camera sources or video playback changed: a running camera must restart."""


class AppContext(QObject):
    settingsChanged = Signal(object)
    """Settings, after ``apply_settings``."""
    preferencesChanged = Signal(object)
    """GuiPreferences."""
    peopleChanged = Signal()
    """Someone was enrolled or removed (pages re-read what they show)."""
    unknownFaceLogged = Signal(object)
    """UnknownFace; emitted from the camera thread (the attendance service's callback), so delivered queued."""
    dataResetting = Signal()
    """All face data is about to be deleted: stop reading it, close what shows it."""
    dataReset = Signal()
    """All face data was deleted; the workspace is open again, empty."""
    kioskChanged = Signal(bool)
    problem = Signal(str, str)
    """(title, message) of something that failed; the window shows it."""
    notice = Signal(str, int)
    """(message, milliseconds) for the status bar."""

    def __init__(self, recognizer: Recognizer, store: PreferenceStore | None = None,
                 config_file: Path | None = None, attendance: AttendanceService | None = None,
                 admin_lock: AdminLock | None = None, owns_recognizer: bool = False,
                 parent: QObject | None = None):
        super().__init__(parent)
        ensure_language()
        self.workspace = Workspace(recognizer, attendance, on_unknown=self.unknownFaceLogged.emit,
                                   owns_recognizer=owns_recognizer)
        self.store = store or PreferenceStore()
        self.prefs: GuiPreferences = self.store.load()
        self.config_file = Path(config_file) if config_file is not None else None
        self.thumbnails = ThumbnailStore(self.settings.data_dir)
        self.tasks = TaskRunner(parent=self)
        # The admin PIN lives with the data it guards, whatever settings file the window was started with.
        self.guard = Guard(admin_lock or AdminLock.for_settings(self.settings, self.config_file), run=with_busy_cursor)
        self.kiosk = False
        self.file_dialogs = FileDialogs(lambda: self.kiosk, notify=lambda message: self.notice.emit(message, 8000))
        self.unexpected = UnexpectedErrors(self)
        """Installed as the process's exception hooks by the launcher (a test may install it too)."""

    # -- what the pages read ------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    @property
    def recognizer(self) -> Recognizer:
        return self.workspace.recognizer

    @property
    def attendance(self) -> AttendanceService:
        return self.workspace.attendance

    @property
    def engine(self) -> FaceEngine:
        return self.workspace.recognizer.engine

    # -- the one path for a settings change ----------------------------------------------
    def apply_settings(self, settings: Settings, prefs: GuiPreferences | None = None) -> SettingsChange:
        """Save, use from the next frame on, and announce; says what the caller must still do."""
        camera_changed = False
        if prefs is not None:
            old = self.prefs
            camera_changed = (prefs.camera_source, prefs.more_sources, prefs.pace_video_files,
                              prefs.loop_video_files) != (old.camera_source, old.more_sources,
                                                          old.pace_video_files, old.loop_video_files)
            self.set_preferences(prefs.with_source(prefs.camera_source) if prefs.camera_source != old.camera_source
                                 else prefs)
        try:
            save_settings(settings, SAVED_SETTINGS, self.config_file)
        except OSError as exc:
            self.problem.emit(self.tr("Settings"), arg(self.tr("Cannot save the settings file: %1"), exc))
        reload_models = self.workspace.configure(settings)
        self.settingsChanged.emit(settings)
        return SettingsChange(reload_models, camera_changed)

    def reload_engine(self, on_done, on_failed) -> None:
        """The models again with the current onnxruntime options, on the pool (no camera may run meanwhile)."""
        self.tasks.start(self.workspace.reload_engine, on_done=on_done, on_failed=on_failed)

    def set_preferences(self, prefs: GuiPreferences) -> None:
        self.prefs = prefs
        self.store.save(prefs)
        self.preferencesChanged.emit(prefs)

    def set_kiosk(self, on: bool) -> None:
        if on != self.kiosk:
            self.kiosk = on
            self.kioskChanged.emit(on)

    def close(self) -> None:
        self.unexpected.uninstall()
        self.workspace.close()
