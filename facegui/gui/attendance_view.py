"""Attendance in the window: the Today panel, the unknown-faces review list and the history dialog.

The widgets only show plain data: ``TodayRoster`` (plain Python) merges the database's
roster with check-ins as the camera worker reports them; database reads and writes run
on the window's TaskRunner pool (``load_unknown_entries``, ``AttendanceService`` calls).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ..storage import DayRecord
from .tasks import TaskRunner

PRESENT_COLOUR = QColor(30, 140, 50)
ABSENT_COLOUR = QColor(150, 150, 150)
UNKNOWN_LIST_LIMIT = 200
"""The review list shows this many of the newest unknown faces (90 days of them can be thousands)."""
EVERYONE = "Everyone"


def clock_text(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment is not None else "—"


# -- Today ---------------------------------------------------------------------------------
class TodayRoster:
    """Everyone enrolled, present or absent today: the database's roster plus live check-ins."""

    def __init__(self, day: date | None = None):
        self.day = day or date.today()
        self.records: dict[str, DayRecord] = {}

    def set_records(self, day: date, records: list[DayRecord]) -> None:
        self.day = day
        self.records = {r.name: r for r in records}

    def apply_event(self, event) -> bool:
        """Mark a check-in (an AttendanceEvent) at once, before the next roster read; False if of another day."""
        if event.at.date() != self.day:
            return False
        held = self.records.get(event.name)
        if held is None:  # enrolled after the last roster read
            held = DayRecord(self.day, event.name, False, None, None, 0, 0)
        first = held.first_seen if held.first_seen is not None and held.first_seen <= event.at else event.at
        last = held.last_seen if held.last_seen is not None and held.last_seen >= event.at else event.at
        self.records[event.name] = replace(held, present=True, first_seen=first, last_seen=last,
                                           events=held.events + 1)
        return True

    def rows(self) -> list[DayRecord]:
        return sorted(self.records.values(), key=lambda r: (r.name.casefold(), r.name))

    @property
    def present_count(self) -> int:
        return sum(1 for r in self.records.values() if r.present)


def _item(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if colour is not None:
        item.setForeground(colour)
    return item


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class TodayPanel(QWidget):
    """Name, present/absent, first and last seen of everyone enrolled, for today."""

    historyRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.roster = TodayRoster()
        self.summary = QLabel()
        self.summary.setObjectName("todaySummary")
        self.table = _table(["Name", "Status", "First seen", "Last seen"], "todayTable")
        # The times are short and fixed-width: a narrow dock gives any lack of room to the names.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        history = QPushButton("History…")
        history.clicked.connect(self.historyRequested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(history)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._render()

    def set_roster(self, day: date, records: list[DayRecord]) -> None:
        self.roster.set_records(day, records)
        self._render()

    def apply_event(self, event) -> None:
        if self.roster.apply_event(event):
            self._render()

    def row_of(self, name: str) -> dict[str, str] | None:
        """The cells of a person's row, by column title (tests and screenshots read them)."""
        headers = [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == name:
                return {h: self.table.item(row, c).text() for c, h in enumerate(headers)}
        return None

    def _render(self) -> None:
        rows = self.roster.rows()
        self.table.setRowCount(len(rows))
        for i, record in enumerate(rows):
            colour = PRESENT_COLOUR if record.present else ABSENT_COLOUR
            self.table.setItem(i, 0, _item(record.name))
            self.table.setItem(i, 1, _item(record.status, colour))
            self.table.setItem(i, 2, _item(clock_text(record.first_seen)))
            self.table.setItem(i, 3, _item(clock_text(record.last_seen)))
        self.summary.setText(f"<b>{self.roster.day.strftime('%A %d %B')}</b>: "
                             f"{self.roster.present_count} of {len(rows)} present")


# -- unknown faces ---------------------------------------------------------------------------
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


class UnknownFacesPanel(QWidget):
    """Faces nobody matched, newest first: "Enroll as…" (one step) or "Dismiss"."""

    enrollRequested = Signal(int, str)
    """(unknown face id, name)."""
    dismissRequested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[UnknownEntry] = []
        self.names: list[str] = []
        self.hint = QLabel()
        self.hint.setObjectName("unknownHint")
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("unknownList")
        self.list.setIconSize(QSize(56, 56))
        self.enroll_button = QPushButton("Enroll as…")
        self.dismiss_button = QPushButton("Dismiss")
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
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.set_logging(False)

    def set_logging(self, enabled: bool) -> None:
        self.logging = enabled
        self.hint.setText("Faces nobody matches are logged here for review." if enabled else
                          "Logging of unknown faces is off: turn on “Log unknown faces” in Settings.")
        self._update_buttons()

    def set_entries(self, entries: list[UnknownEntry]) -> None:
        selected = self.selected()
        self.entries = list(entries)
        self.list.clear()
        for entry in self.entries:
            pixmap = QPixmap.fromImage(entry.image) if entry.image is not None else QPixmap()
            text = f"{entry.at.strftime('%Y-%m-%d %H:%M:%S')}\nbest match {entry.similarity:.2f} · {entry.source}"
            item = QListWidgetItem(QIcon(pixmap), text)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.list.addItem(item)
            if selected is not None and entry.id == selected.id:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.entries:
            self.list.setCurrentRow(0)
        self._update_buttons()

    def selected(self) -> UnknownEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.enroll_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)

    def enroll_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        name, ok = QInputDialog.getItem(self, "Enroll as", "Name of this person (new, or someone enrolled):",
                                        [""] + sorted(self.names, key=str.casefold), 0, True)
        if ok and name.strip():
            self.enrollRequested.emit(entry.id, name.strip())

    def dismiss_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.dismissRequested.emit(entry.id)


# -- history -------------------------------------------------------------------------------
def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def filter_records(records: list[DayRecord], name: str | None) -> list[DayRecord]:
    return [r for r in records if name is None or r.name == name]


class HistoryDialog(QDialog):
    """Days of a date range (optionally one person): date, name, status, first/last seen, sightings; CSV export."""

    loaded = Signal(object)
    """list[DayRecord] shown after a query."""
    exported = Signal(str, int)
    """(CSV path, rows written)."""
    failed = Signal(str)

    def __init__(self, attendance, names=(), parent=None, guard=None):
        super().__init__(parent)
        self.guard = guard or (lambda _action: True)
        """``(action) -> bool``: asked before an export (the window's admin PIN)."""
        self.setWindowTitle("Attendance history")
        self.setObjectName("historyDialog")
        self.resize(760, 480)
        self.attendance = attendance
        self.tasks = TaskRunner(max_threads=1, parent=self)
        self.records: list[DayRecord] = []
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-6))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMaximumDate(today.addDays(366))
        self.person = QComboBox()
        self.person.setObjectName("historyPerson")
        self.person.addItem(EVERYONE)
        self.person.addItems(sorted(names, key=str.casefold))
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Everyone's days of the chosen range, as a spreadsheet file")
        filters = QHBoxLayout()
        for label, widget in (("From", self.start), ("to", self.end), ("Person", self.person)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        self.table = _table(["Date", "Name", "Status", "First seen", "Last seen", "Sightings"], "historyTable")
        self.message = QLabel()
        self.message.setObjectName("historyMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.start.dateChanged.connect(lambda _d: self.refresh())
        self.end.dateChanged.connect(lambda _d: self.refresh())
        self.person.currentIndexChanged.connect(lambda _i: self.refresh())
        self.export_button.clicked.connect(self._choose_export_file)
        self.refresh()

    def date_range(self) -> tuple[date, date]:
        start, end = to_date(self.start.date()), to_date(self.end.date())
        return (start, end) if start <= end else (end, start)

    def chosen_person(self) -> str | None:
        text = self.person.currentText()
        return None if self.person.currentIndex() == 0 else text

    def refresh(self) -> None:
        start, end = self.date_range()
        name = self.chosen_person()
        self.message.setText("Loading…")
        self.tasks.start(lambda: filter_records(self.attendance.report(start, end), name),
                         on_done=self._show, on_failed=self._failed)

    def _show(self, records: list[DayRecord]) -> None:
        self.records = records
        self.table.setRowCount(len(records))
        for i, record in enumerate(records):
            self.table.setItem(i, 0, _item(record.day.isoformat()))
            self.table.setItem(i, 1, _item(record.name))
            self.table.setItem(i, 2, _item(record.status, PRESENT_COLOUR if record.present else ABSENT_COLOUR))
            self.table.setItem(i, 3, _item(clock_text(record.first_seen)))
            self.table.setItem(i, 4, _item(clock_text(record.last_seen)))
            self.table.setItem(i, 5, _item(str(record.sightings)))
        present = sum(1 for r in records if r.present)
        self.message.setText(f"{len(records)} day record(s), {present} present." if records else
                             "Nobody was enrolled in this range.")
        self.loaded.emit(records)

    def _failed(self, message: str) -> None:
        self.message.setText(f"Failed: {message}")
        self.failed.emit(message)

    def _choose_export_file(self) -> None:
        if not self.guard("export"):
            return
        start, end = self.date_range()
        suggested = f"attendance-{start.isoformat()}" + (f"-to-{end.isoformat()}" if end != start else "") + ".csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export attendance", suggested, "CSV files (*.csv)")
        if path:
            self._write_csv(Path(path))

    def export_csv(self, path: Path) -> bool:
        """Everyone's days of the range (the person filter is for the table only) to ``path``, off the GUI thread;
        False when the guard refused."""
        if not self.guard("export"):
            self.message.setText("Export refused.")
            return False
        self._write_csv(Path(path))
        return True

    def _write_csv(self, path: Path) -> None:
        start, end = self.date_range()
        path = Path(path)

        def done(rows: int) -> None:
            self.message.setText(f"Exported {rows} row(s) to {path}.")
            self.exported.emit(str(path), rows)

        self.message.setText(f"Exporting to {path}…")
        self.tasks.start(self.attendance.export_csv, path, start, end, on_done=done, on_failed=self._failed)

    def done(self, result: int) -> None:
        self.tasks.wait(5000)
        super().done(result)

