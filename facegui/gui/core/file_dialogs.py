"""Every file dialog of the window, in one place, behind one rule.

Qt's file dialog is a small file manager: its right-click menu renames and deletes files anywhere the
user may write. So in kiosk mode no file dialog opens at all (the admin leaves kiosk mode first), and
outside it the dialogs are read-only (no rename, delete or new folder). It also remembers the folders it
visited in Qt's own settings file, which the first dialog makes user-only (:func:`keep_dialog_history_private`).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from ...engine.imageio import IMAGE_SUFFIXES
from ...files import make_private_file

log = logging.getLogger(__name__)

IMAGE_PATTERNS = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
IMAGE_FILTER = QT_TRANSLATE_NOOP("FileDialogs", "Images (%1);;All files (*)")
VIDEO_FILTER = QT_TRANSLATE_NOOP(
    "FileDialogs", "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg);;All files (*)")
NOT_IN_KIOSK = QT_TRANSLATE_NOOP("FileDialogs", "Not available in kiosk mode: leave kiosk mode first")
_READ_ONLY = QFileDialog.Option.ReadOnly


def keep_dialog_history_private() -> None:
    """Qt's file dialog keeps the folders it visited (its history and the last one) in Qt's own settings,
    on Linux ``~/.config/QtProject.conf``, written with the umask's mode (0644): a folder of staff photos or of
    attendance exports, often named after the people in it, readable by every local user. The file is made
    user-only before a dialog opens, and Qt keeps an existing file's mode when it saves. (Windows keeps these
    settings in the user's registry.)"""
    if os.name == "nt":
        return
    path = Path(QSettings(QSettings.Scope.UserScope, "QtProject").fileName())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private_file(path)
    except OSError as exc:  # a read-only home: Qt cannot save its history there either
        log.warning("%s: cannot be made user-only (%s)", path, exc.strerror or exc)


def translated(text: str) -> str:
    """One of this module's texts (or a caller's filter) in the window's language; the image patterns filled in."""
    return QCoreApplication.translate("FileDialogs", text).replace("%1", IMAGE_PATTERNS)


class FileDialogs:
    """Asks ``in_kiosk()`` before each dialog; a refused dialog returns nothing and says why via ``notify``."""

    def __init__(self, in_kiosk, notify=lambda _message: None):
        self.in_kiosk = in_kiosk
        self.notify = notify

    def _allowed(self) -> bool:
        if self.in_kiosk():
            self.notify(translated(NOT_IN_KIOSK))
            return False
        keep_dialog_history_private()
        return True

    def open_files(self, parent: QWidget, title: str, file_filter: str = IMAGE_FILTER) -> list[str]:
        if not self._allowed():
            return []
        paths, _ = QFileDialog.getOpenFileNames(parent, title, "", translated(file_filter), options=_READ_ONLY)
        return paths

    def open_file(self, parent: QWidget, title: str, file_filter: str) -> str:
        if not self._allowed():
            return ""
        path, _ = QFileDialog.getOpenFileName(parent, title, "", translated(file_filter), options=_READ_ONLY)
        return path

    def save_file(self, parent: QWidget, title: str, suggested: str, file_filter: str) -> str:
        if not self._allowed():
            return ""
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, translated(file_filter), options=_READ_ONLY)
        return path

    def folder(self, parent: QWidget, title: str, start: Path | None = None) -> str:
        if not self._allowed():
            return ""
        return QFileDialog.getExistingDirectory(parent, title, str(start or Path.home()),
                                                QFileDialog.Option.ShowDirsOnly | _READ_ONLY)
