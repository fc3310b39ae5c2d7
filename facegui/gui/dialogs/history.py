"""The attendance history: days of a date range (optionally one person), and their CSV export."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...service.types import AttendanceEvent, DayRecord
from ..core.context import AppContext
from ..core.tasks import TaskRunner
from ..widgets.tables import ABSENT_COLOUR, PRESENT_COLOUR, clock_text, read_only_table, status_text, table_item
from ..core.text import arg

EVERYONE = QT_TRANSLATE_NOOP("HistoryDialog", "Everyone")


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def filter_records(records: list[DayRecord], name: str | None) -> list[DayRecord]:
    return [r for r in records if name is None or r.name == name]


def stations_by_day(events: list[AttendanceEvent]) -> dict[tuple[date, str], str]:
    """(day, name) → the stations that checked the person in that day, in order ("north door, south door")."""
    stations: dict[tuple[date, str], list[str]] = {}
    for event in events:
        seen = stations.setdefault((event.at.date(), event.name), [])
        if event.station and event.station not in seen:
            seen.append(event.station)
    return {key: ", ".join(names) for key, names in stations.items()}


class HistoryDialog(QDialog):
    """Days of a date range (optionally one person): date, name, status, first/last seen, sightings; CSV export."""

    loaded = Signal(object)
    """list[DayRecord] shown after a query."""
    exported = Signal(str, int)
    """(CSV path, rows written)."""
    failed = Signal(str)

    def __init__(self, context: AppContext, names=(), parent=None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Attendance history"))
        self.setObjectName("historyDialog")
        self.resize(760, 480)
        self.tasks = TaskRunner(max_threads=1, parent=self)
        self.records: list[DayRecord] = []
        self.stations: dict[tuple[date, str], str] = {}
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-6))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMaximumDate(today.addDays(366))
        self.person = QComboBox()
        self.person.setObjectName("historyPerson")
        self.person.addItem(self.tr(EVERYONE))
        self.person.addItems(sorted(names, key=str.casefold))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setToolTip(self.tr("Everyone's days of the chosen range, as a spreadsheet file"))
        filters = QHBoxLayout()
        for label, widget in ((self.tr("From"), self.start), (self.tr("to"), self.end), (self.tr("Person"), self.person)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        self.table = read_only_table([self.tr("Date"), self.tr("Name"), self.tr("Status"), self.tr("First seen"),
                                      self.tr("Last seen"), self.tr("Sightings"), self.tr("Station")], "historyTable")
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
        self.message.setText(self.tr("Loading…"))
        attendance = self.context.attendance
        self.tasks.start(lambda: (filter_records(attendance.report(start, end), name),
                                  stations_by_day(attendance.history(start, end, name))),
                         on_done=self._show, on_failed=self._failed)

    def _show(self, result: tuple[list[DayRecord], dict[tuple[date, str], str]]) -> None:
        records, self.stations = result
        self.records = records
        self.table.setRowCount(len(records))
        for i, record in enumerate(records):
            self.table.setItem(i, 0, table_item(record.day.isoformat()))
            self.table.setItem(i, 1, table_item(record.name))
            self.table.setItem(i, 2, table_item(status_text(record.present),
                                                PRESENT_COLOUR if record.present else ABSENT_COLOUR))
            self.table.setItem(i, 3, table_item(clock_text(record.first_seen)))
            self.table.setItem(i, 4, table_item(clock_text(record.last_seen)))
            self.table.setItem(i, 5, table_item(str(record.sightings)))
            self.table.setItem(i, 6, table_item(self.stations.get((record.day, record.name), "")))
        present = sum(1 for r in records if r.present)
        self.message.setText(arg(self.tr("%n day record(s), %1 present.", "", len(records)), present) if records
                             else self.tr("Nobody was enrolled in this range."))
        self.loaded.emit(records)

    def _failed(self, message: str) -> None:
        self.message.setText(arg(self.tr("Failed: %1"), message))
        self.failed.emit(message)

    def _choose_export_file(self) -> None:
        if not self.context.guard.allow("export"):
            return
        start, end = self.date_range()
        suggested = f"attendance-{start.isoformat()}" + (f"-to-{end.isoformat()}" if end != start else "") + ".csv"
        path = self.context.file_dialogs.save_file(self, self.tr("Export attendance"), suggested,
                                                   self.tr("CSV files (*.csv)"))
        if path:
            self._write_csv(Path(path))

    def export_csv(self, path: Path) -> bool:
        """Everyone's days of the range (the person filter is for the table only) to ``path``, off the GUI thread;
        False when the guard refused."""
        if not self.context.guard.allow("export"):
            self.message.setText(self.tr("Export refused."))
            return False
        self._write_csv(Path(path))
        return True

    def _write_csv(self, path: Path) -> None:
        start, end = self.date_range()
        path = Path(path)

        def done(rows: int) -> None:
            self.message.setText(arg(self.tr("Exported %n row(s) to %1.", "", rows), path))
            self.exported.emit(str(path), rows)

        self.message.setText(arg(self.tr("Exporting to %1…"), path))
        self.tasks.start(self.context.attendance.export_csv, path, start, end, on_done=done, on_failed=self._failed)

    def done(self, result: int) -> None:
        self.tasks.wait(5000)
        super().done(result)
