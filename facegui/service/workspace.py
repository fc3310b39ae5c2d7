"""Everything one station works with over one data folder: the recognizer and the attendance service.

The window (and any later front end with a long life, e.g. a station with several cameras) opens one
``Workspace`` and keeps it. It is the single owner of the current ``Settings``: a change goes through
``configure``, which tells the recognizer (and through it the engine) and the attendance service, so no
one re-syncs copies by hand. The use cases that replace what it holds live here too: reloading the models
for new onnxruntime options, and deleting all face data and reopening empty.

Plain Python, no Qt: the window runs the slow calls on its own pool threads.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import Settings
from ..engine import FaceEngine
from ..modelstore import ModelStore
from ..storage import UnknownFace
from .attendance import AttendanceService
from .privacy import delete_all_face_data, export_personal_data
from .recognizer import Recognizer, load_engine, open_gallery

ENGINE_OPTIONS = ("execution_provider", "intra_op_threads")
"""Settings that onnxruntime reads when a session is created: changing one reloads the models."""


class Workspace:
    """The recognizer (engine + gallery) and the attendance service of one data folder, and their settings."""

    def __init__(self, recognizer: Recognizer, attendance: AttendanceService | None = None,
                 on_unknown: Callable[[UnknownFace], None] | None = None, owns_recognizer: bool = False) -> None:
        self.recognizer = recognizer
        self._owns_recognizer = owns_recognizer
        self._on_unknown = on_unknown
        self._owns_attendance = attendance is None
        self.attendance = attendance if attendance is not None else self._open_attendance()
        self._closed = False

    @classmethod
    def open(cls, settings: Settings, store: ModelStore | None = None,
             on_unknown: Callable[[UnknownFace], None] | None = None) -> Workspace:
        recognizer = Recognizer.open(settings, store)
        try:
            return cls(recognizer, on_unknown=on_unknown, owns_recognizer=True)
        except BaseException:
            recognizer.close()
            raise

    def _open_attendance(self) -> AttendanceService:
        return AttendanceService.open(self.settings, self.recognizer.gallery, on_unknown=self._on_unknown)

    @property
    def settings(self) -> Settings:
        return self.recognizer.settings

    # -- settings: the one path ----------------------------------------------------------
    def configure(self, settings: Settings) -> bool:
        """Use ``settings`` from the next frame on; True when the models must be reloaded (``reload_engine``)."""
        old = self.settings
        self.recognizer.configure(settings)
        self.attendance.configure(settings)
        return any(getattr(settings, key) != getattr(old, key) for key in ENGINE_OPTIONS)

    def reload_engine(self, store: ModelStore | None = None) -> FaceEngine:
        """Open the models again with the current settings and use them; the old engine is kept on failure.

        Slow (seconds): call it off the GUI thread, with no camera running on this recognizer."""
        engine = load_engine(self.settings, store)
        self.recognizer.engine = engine
        self.recognizer.configure(self.settings)
        return engine

    # -- the user's rights over their data ---------------------------------------------
    def export_personal_data(self, target_dir: Path) -> Path:
        return export_personal_data(self.settings, Path(target_dir))

    def delete_all_face_data(self) -> list[Path]:
        """Close the gallery and the attendance data, delete every face record, and reopen both empty.

        Nothing else may use this workspace's recognizer or attendance meanwhile (stop the camera first).
        An OSError (a file that cannot be deleted) is raised after reopening, so the workspace still works."""
        self.recognizer.gallery.close()
        self.attendance.close()
        try:
            return delete_all_face_data(self.settings)
        finally:
            self.recognizer.gallery = open_gallery(self.settings, self.recognizer.engine)
            self.attendance = self._open_attendance()
            self._owns_attendance = True

    # -- people --------------------------------------------------------------------------
    def first_enrollment_photo(self, name: str) -> Path | None:
        """The photo a person was first enrolled from, as the database remembers it (None: none kept)."""
        source = self.attendance.store.first_source(name)
        return Path(source) if source else None

    def close(self) -> None:
        """Close what this workspace opened (a recognizer or attendance service handed in stays its opener's)."""
        if self._closed:
            return
        self._closed = True
        if self._owns_attendance:
            self.attendance.close()
        if self._owns_recognizer:
            self.recognizer.close()
