"""The user's rights over their face data in the window: export it all, delete it all, open its folder.

Each asks for the admin PIN first; the work itself is the workspace's (service layer).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .camera import CameraController
from .context import AppContext
from .file_dialogs import NOT_IN_KIOSK, translated
from .text import arg

TASKS_WAIT_MS = 30_000


class DataRights(QObject):
    dataExported = Signal(str)
    """The folder the export wrote."""
    faceDataDeleted = Signal(object)
    """list[str] of the paths deleted; the window works again, with nobody enrolled."""

    def __init__(self, context: AppContext, camera: CameraController, window: QWidget):
        super().__init__(window)
        self.context, self.camera, self.window = context, camera, window

    def export_my_data(self, folder: str | Path | None = None) -> bool:
        """Everything facegui holds about people, copied into a new folder under ``folder`` (off the GUI thread)."""
        if not self.context.guard.allow("export_data"):
            return False
        if folder is None:
            folder = self.context.file_dialogs.folder(self.window, self.tr("Export my data into…"))
            if not folder:
                return False
        self.context.notice.emit(self.tr("Exporting all face data…"), 0)

        def done(export: Path) -> None:
            self.context.notice.emit(arg(self.tr("Exported all face data to %1"), export), 15000)
            self.dataExported.emit(str(export))
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Export my data"),
                              arg(self.tr("Everything facegui holds about people (database, people.json, checkins.csv, "
                                          "snapshots, thumbnails) is in:\n%1"), export),
                              QMessageBox.StandardButton.Ok, self.window)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # not modal: the export is done, nothing waits on the answer

        self.context.tasks.start(self.context.workspace.export_personal_data, Path(folder), on_done=done,
                                 on_failed=lambda message: self.context.problem.emit(self.tr("Export my data"), message))
        return True

    def _confirm_delete(self) -> bool:
        people = len(self.context.recognizer.gallery.people())
        answer = QMessageBox.warning(
            self.window, self.tr("Delete all face data"),
            arg(self.tr("Delete ALL face data in %1?\n\n"
                        "• every enrolled person (%2), their names and face embeddings\n"
                        "• all attendance check-ins and sightings\n"
                        "• logged unknown faces\n"
                        "• attendance snapshots and the thumbnails of the people list\n\n"
                        "Models and settings are kept. The camera stops. This cannot be undone; export the data "
                        "first (File → Export my data…) if you may need it."), self.context.settings.data_dir, people),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def delete_all_data(self) -> bool:
        """After the PIN and a confirmation: stop everything that holds the database, delete, reopen empty.

        On the GUI thread (a few file deletions and an empty database): nothing can use the gallery or the
        attendance service while they are closed."""
        if not self.context.guard.allow("delete_data") or not self._confirm_delete():
            return False
        was_running = self.camera.running
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        removed, error = [], None
        try:
            self.camera.stop()
            self.camera.wait_for_stopped_workers()
            self.context.dataResetting.emit()
            self.context.tasks.wait(TASKS_WAIT_MS)
            try:
                removed = self.context.workspace.delete_all_face_data()
            except OSError as exc:
                error = str(exc)
            self.camera.forget_last_frame()
            self.context.dataReset.emit()
        finally:
            QApplication.restoreOverrideCursor()
        if error is not None:
            self.context.problem.emit(self.tr("Delete all face data"),
                                      arg(self.tr("Not everything could be deleted: %1"), error))
            return False
        self.context.notice.emit(arg(self.tr("Deleted all face data (%n item(s) in %1)", "", len(removed)),
                                     self.context.settings.data_dir), 15000)
        self.faceDataDeleted.emit([str(p) for p in removed])
        if was_running:
            self.camera.start()
        return True

    def open_data_folder(self) -> None:
        if self.context.kiosk:  # a file manager at the door would be worse than a file dialog
            self.context.notice.emit(translated(NOT_IN_KIOSK), 8000)
            return
        if not self.context.guard.allow("open_data_folder"):  # it holds everyone's snapshots
            return
        folder = Path(self.context.settings.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
