"""The Unknown faces page: faces nobody matched, newest first, to enroll in one step or dismiss."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from ...service.people import dismiss_unknowns, enroll_unknowns
from ...service.types import new_person_name
from ..core.context import AppContext
from ..core.tasks import PeriodicRefresh
from ..core.problems import refusal_text
from ..core.text import arg, number_text, time_text

REFRESH_MS = 60_000
"""The list is re-read this often (faces the camera logs update it at once)."""
UNKNOWN_LIST_LIMIT = 200
"""The review list shows this many of the newest unknown faces (90 days of them can be thousands)."""


@dataclass(frozen=True)
class UnknownEntry:
    """An unknown face as the review list shows it (no embedding)."""

    id: int
    at: datetime
    source: str
    similarity: float
    snapshot: Path | None
    image: QImage | None
    """The snapshot decoded off the GUI thread (QImage is safe there), or None."""


def load_unknown_entries(attendance, limit: int = UNKNOWN_LIST_LIMIT) -> list[UnknownEntry]:
    """Runs in a pool thread: the newest unknown faces with their snapshots decoded."""
    entries = []
    for record in attendance.unknown_faces()[:limit]:
        image = None
        if record.snapshot is not None and record.snapshot.is_file():
            loaded = QImage(str(record.snapshot))
            image = None if loaded.isNull() else loaded
        entries.append(UnknownEntry(record.id, record.at, record.source, record.similarity, record.snapshot, image))
    return entries


class UnknownFacesPage(QWidget):
    """Faces nobody matched, newest first: "Enroll as…" (one step) or "Dismiss", each behind the admin PIN."""

    refreshed = Signal()
    countChanged = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.entries: list[UnknownEntry] = []
        self.names: list[str] = []
        self.hint = QLabel()
        self.hint.setObjectName("unknownHint")
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("unknownList")
        self.list.setIconSize(QSize(56, 56))
        self.enroll_button = QPushButton(self.tr("Enroll as…"))
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.enroll_button.clicked.connect(self.enroll_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.set_logging(context.settings.log_unknown_faces)
        self._refresh = PeriodicRefresh(context.tasks, lambda: load_unknown_entries(context.attendance), self._show,
                                        REFRESH_MS, self)
        context.unknownFaceLogged.connect(lambda _face: self.refresh())
        context.settingsChanged.connect(lambda settings: self.set_logging(settings.log_unknown_faces))
        context.peopleChanged.connect(self._people_changed)
        context.dataResetting.connect(self.stop)
        context.dataReset.connect(self._resume)
        self._people_changed()
        self.refresh()

    def refresh(self) -> None:
        self._refresh.request()

    def stop(self) -> None:
        self._refresh.stop()

    def _resume(self) -> None:
        self._refresh.resume()

    def _people_changed(self) -> None:
        self.names = [p.name for p in self.context.recognizer.gallery.people()]
        self.refresh()

    def _show(self, entries: list[UnknownEntry]) -> None:
        self.set_entries(entries)
        self.countChanged.emit(len(entries))
        self.refreshed.emit()

    def set_logging(self, enabled: bool) -> None:
        self.logging = enabled
        self.hint.setText(self.tr("Faces nobody matches are logged here for review.") if enabled else
                          self.tr("Logging of unknown faces is off: turn on “Log unknown faces” in Settings."))
        self._update_buttons()

    def set_entries(self, entries: list[UnknownEntry]) -> None:
        chosen = {e.id for e in self.selected_entries()}
        self.entries = list(entries)
        self.list.clear()
        for entry in self.entries:
            pixmap = QPixmap.fromImage(entry.image) if entry.image is not None else QPixmap()
            when = f"{entry.at:%Y-%m-%d} {time_text(entry.at)}"
            text = arg(self.tr("%1\nbest match %2 · %3"), when, number_text(entry.similarity), entry.source)
            item = QListWidgetItem(QIcon(pixmap), text)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.list.addItem(item)
            item.setSelected(entry.id in chosen)
        if not self.list.selectedItems() and self.entries:
            self.list.setCurrentRow(0)
        self._update_buttons()

    def selected_entries(self) -> list[UnknownEntry]:
        rows = sorted(self.list.row(item) for item in self.list.selectedItems())
        return [self.entries[row] for row in rows if 0 <= row < len(self.entries)]

    def selected(self) -> UnknownEntry | None:
        chosen = self.selected_entries()
        return chosen[0] if chosen else None

    def _update_buttons(self) -> None:
        chosen = len(self.selected_entries())
        self.enroll_button.setEnabled(chosen > 0)
        self.dismiss_button.setEnabled(chosen > 0)
        self.enroll_button.setText(self.tr("Enroll as…") if chosen <= 1 else
                                   self.tr("Enroll these %n as one person…", "", chosen))
        self.dismiss_button.setText(self.tr("Dismiss") if chosen <= 1 else self.tr("Dismiss %n", "", chosen))

    def enroll_selected(self) -> None:
        chosen = self.selected_entries()
        if not chosen:
            return
        prompt = (self.tr("Name of this person (new, or someone enrolled):") if len(chosen) == 1 else
                  self.tr("These %n faces are one person. Name (new, or someone enrolled):", "", len(chosen)))
        name, ok = QInputDialog.getItem(self, self.tr("Enroll as"), prompt, [""] + sorted(self.names, key=str.casefold),
                                        0, True)
        if ok and name.strip():
            self.enroll_unknown([e.id for e in chosen], name.strip())

    def dismiss_selected(self) -> None:
        chosen = self.selected_entries()
        if chosen:
            self.dismiss_unknown([e.id for e in chosen])

    def enroll_unknown(self, unknown_ids: int | list[int], name: str) -> None:
        """One step, one PIN prompt: the logged faces' embeddings join the gallery as one person, ``name``
        (off the GUI thread)."""
        ids = [unknown_ids] if isinstance(unknown_ids, int) else list(unknown_ids)
        if not ids or not self.context.guard.allow("enroll"):
            return
        snapshots = [e.snapshot for e in self.entries if e.id in ids and e.snapshot is not None]
        context = self.context

        def enroll():
            person = new_person_name(name)
            # Read a snapshot before the records go: it becomes the thumbnail of a new person.
            chip = cv2.imread(str(snapshots[0])) if snapshots else None
            result = enroll_unknowns(context.attendance, ids, person)
            if chip is not None and result.done and not context.thumbnails.has(person):
                context.thumbnails.save(person, chip)
            return person, result

        def done(outcome):
            person, result = outcome
            context.notice.emit(arg(self.tr("Enrolled %n unknown face(s) as %1", "", result.done), person), 5000)
            if result.problems:
                context.problem.emit(self.tr("Enroll unknown face"), "\n".join(refusal_text(p) for p in result.problems))
            context.peopleChanged.emit()

        context.tasks.start(enroll, on_done=done,
                            on_failed=lambda message: context.problem.emit(self.tr("Enroll unknown face"), message))

    def dismiss_unknown(self, unknown_ids: int | list[int]) -> None:
        ids = [unknown_ids] if isinstance(unknown_ids, int) else list(unknown_ids)
        if not ids or not self.context.guard.allow("remove"):
            return
        self.context.tasks.start(dismiss_unknowns, self.context.attendance, ids,
                                 on_done=lambda _result: self.refresh(),
                                 on_failed=lambda message: self.context.problem.emit(self.tr("Dismiss unknown face"),
                                                                                     message))
