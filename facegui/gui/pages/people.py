"""The People page: everyone enrolled, with a thumbnail and the number of photos; enroll and remove."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from ...service.enrollment import audit_gallery
from ..core.context import AppContext
from ..core.problems import finding_text
from ..core.text import arg
from ..core.thumbnails import make_missing_thumbnails


class PeoplePage(QWidget):
    """Everyone enrolled (thumbnail, name, photos); enrolling and removing go through the admin PIN."""

    refreshed = Signal()
    """The list shows the gallery's people again (after any change of them)."""
    personRequested = Signal(str)
    """A person's attendance was asked for (in their dialog): the window shows it."""
    photosChecked = Signal(object)
    """The findings (``AuditFinding`` list) of a check of every enrolled photo, after they were shown."""

    def __init__(self, context: AppContext, frame_provider=lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.thumbnails = context.thumbnails
        self.frame_provider = frame_provider
        """The raw frame the live view shows now, or None (the enrollment dialog's "capture")."""
        self.enroll_dialog = None
        self.person_dialog = None
        self._thumbnails_tried: set[str] = set()
        self.title = QLabel("<b>" + self.tr("Enrolled people") + "</b>")
        self.search = QLineEdit()
        self.search.setObjectName("peopleSearch")
        self.search.setPlaceholderText(self.tr("Search people…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.empty = QLabel(self.tr("No one enrolled yet — press Enroll… (or People → Enroll person…) to add the "
                                    "first person."))
        self.empty.setObjectName("peopleEmpty")
        self.empty.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("peopleList")
        self.list.setIconSize(QSize(48, 48))
        self.list.setUniformItemSizes(True)
        self.enroll_button = QPushButton(self.tr("Enroll…"))
        self.enroll_button.setToolTip(self.tr("Enroll a new person from the camera or from photos"))
        self.add_photos_button = QPushButton(self.tr("Add photos…"))
        self.add_photos_button.setToolTip(self.tr("More photos of the selected person (better recognition)"))
        self.remove_button = QPushButton(self.tr("Remove…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.add_photos_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.enroll_button.clicked.connect(lambda: self.open_enroll_dialog())
        self.add_photos_button.clicked.connect(self.add_photos)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentItemChanged.connect(lambda _item, _prev: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda item: self.open_person(item.data(Qt.ItemDataRole.UserRole)))
        self._update_buttons()
        context.peopleChanged.connect(self.refresh)
        context.dataReset.connect(self._data_reset)
        self.refresh()

    def set_people(self, people) -> None:
        selected = self.selected_name()
        self.list.clear()
        for person in people:
            photos = self.tr("%n photo(s)", "", person.embedding_count)
            item = QListWidgetItem(self.thumbnails.icon(person.name), f"{person.name}\n{photos}")
            item.setData(Qt.ItemDataRole.UserRole, person.name)
            item.setToolTip(arg(self.tr("%1: %2, first enrolled %3"), person.name, photos,
                                person.first_enrolled_at or "?"))
            self.list.addItem(item)
            if person.name == selected:
                self.list.setCurrentItem(item)
        self.title.setText("<b>" + self.tr("Enrolled people") + f"</b> ({len(people)})")
        self.empty.setVisible(not people)
        self.search.setVisible(bool(people))
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(wanted) and wanted not in item.data(Qt.ItemDataRole.UserRole).casefold())
        current = self.list.currentItem()
        if current is not None and current.isHidden():
            self.list.setCurrentItem(None)
        self._update_buttons()

    def visible_names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def _update_buttons(self) -> None:
        chosen = self.selected_name() is not None
        self.add_photos_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def refresh_icons(self, names) -> None:
        """Reload the thumbnails of ``names`` (made after the list was filled)."""
        wanted = set(names)
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            if name in wanted:
                item.setIcon(self.thumbnails.icon(name))

    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def remove_selected(self) -> None:
        """The PIN first, then "are you sure": nobody confirms a removal they may not make."""
        name = self.selected_name()
        if name is None or not self.context.guard.allow("remove"):
            return
        answer = QMessageBox.question(
            self, self.tr("Remove person"),
            arg(self.tr("Remove %1 and all their enrolled photos?\nTheir attendance history (check-ins, sightings and "
                        "snapshots) is deleted too.\nThis cannot be undone."), name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self._remove(name)

    def check_photos(self) -> None:
        """The enrollment rules over every photo already enrolled (``facegui audit``), off the GUI thread:
        photos that look like none of their person's others, and two people who look alike."""
        context = self.context

        def show(findings) -> None:
            if findings:
                context.problem.emit(self.tr("Check photos"), "\n".join(finding_text(f) for f in findings))
            else:
                context.notice.emit(self.tr("Every photo looks like its person's others, and no two people look "
                                            "alike"), 8000)
            self.photosChecked.emit(findings)

        context.tasks.start(audit_gallery, context.recognizer.gallery, context.settings, on_done=show,
                            on_failed=lambda message: context.problem.emit(self.tr("Check photos"), message))

    def refresh(self) -> None:
        people = self.context.recognizer.gallery.people()
        self.set_people(people)
        self._make_missing_thumbnails([p.name for p in people])
        self.refreshed.emit()

    def _make_missing_thumbnails(self, names) -> None:
        """People enrolled with the CLI have no thumbnail yet: make them from their photos, off the GUI thread."""
        missing = [n for n in names if n not in self._thumbnails_tried and not self.thumbnails.has(n)]
        if not missing:
            return
        self._thumbnails_tried.update(missing)  # once per session: a photo that is gone stays gone
        self.context.tasks.start(make_missing_thumbnails, self.context.workspace, self.thumbnails, missing,
                                 on_done=self.refresh_icons)

    def _data_reset(self) -> None:
        self.close_enroll_dialog()
        self._thumbnails_tried.clear()
        self.refresh()

    def remove_person(self, name: str) -> None:
        """Confirmed already; through the attendance service, so check-ins, sightings and snapshots go too."""
        if self.context.guard.allow("remove"):
            self._remove(name)

    def _remove(self, name: str) -> None:
        def remove():
            removed = self.context.attendance.remove_person(name)
            self.thumbnails.remove(name)
            return removed

        def done(removed):
            self.context.notice.emit(arg(self.tr("Removed %1 (%n photo(s))", "", removed), name), 5000)
            self.context.peopleChanged.emit()

        self.context.tasks.start(remove, on_done=done,
                                 on_failed=lambda message: self.context.problem.emit(self.tr("Remove person"), message))

    def add_photos(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.open_enroll_dialog(name)

    def open_person(self, name: str):
        """A person's own view: rename, their photos (delete a bad one), their attendance."""
        from ..dialogs.person import PersonDialog

        if self.person_dialog is not None:
            self.person_dialog.close()
            self.person_dialog.deleteLater()
        dialog = PersonDialog(self.context, name, self.window())
        dialog.attendanceRequested.connect(self.personRequested)
        self.person_dialog = dialog
        dialog.show()
        return dialog

    def open_enroll_dialog(self, name: str | None = None) -> None:
        from ..dialogs.enroll import EnrollDialog

        if self.enroll_dialog is not None and self.enroll_dialog.isVisible():
            self.enroll_dialog.raise_()
            self.enroll_dialog.activateWindow()
            return
        if not self.context.guard.allow("enroll"):
            return
        dialog = EnrollDialog(self.context, names=self.names(), frame_provider=self.frame_provider,
                              parent=self.window())
        if name is not None:  # more photos of someone enrolled
            dialog.name.setCurrentText(name)
        dialog.enrolled.connect(lambda _report: self.context.peopleChanged.emit())
        self.enroll_dialog = dialog
        dialog.show()

    def close_enroll_dialog(self) -> None:
        if self.person_dialog is not None:  # it shows a person who may be about to go
            self.person_dialog.close()
            self.person_dialog.deleteLater()
            self.person_dialog = None
        if self.enroll_dialog is not None:
            self.enroll_dialog.close()
            self.enroll_dialog.deleteLater()
            self.enroll_dialog = None
