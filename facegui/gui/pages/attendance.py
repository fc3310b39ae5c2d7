"""The Attendance page: everyone enrolled, present or absent today, with first and last seen.

``TodayRoster`` (plain Python) merges the database's roster with check-ins as the camera reports
them; the roster is read on the context's pool, coalesced, after each check-in, each change of the
people, and once a minute (the day may change; another station may check people in).
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from ...service.types import DayRecord
from ..core.context import AppContext
from ..core.tasks import PeriodicRefresh
from ..core.text import arg, day_text, time_text
from ..widgets.tables import ABSENT_COLOUR, PRESENT_COLOUR, clock_text, read_only_table, status_text, table_item

VIEW_HISTORY = QT_TRANSLATE_NOOP("PinPrompt", "view the attendance history")
"""The PIN prompt's words when the history is asked for in kiosk mode."""
LIVE_REFRESH_S = 2.0
"""While someone known is in view, the roster is re-read this often, so "Last seen" follows them."""
REFRESH_MS = 60_000
"""The roster is re-read this often (check-ins update it at once)."""


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


class TodayPage(QWidget):
    """Name, present/absent, first and last seen of everyone enrolled, for today; the way to the history."""

    refreshed = Signal()
    """The roster was read again from the database."""
    checkedIn = Signal(object)
    """AttendanceEvent of a check-in the camera reported, once the table shows it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.history_dialog = None
        self._last_live_refresh = 0.0
        self.roster = TodayRoster()
        self.summary = QLabel()
        self.summary.setObjectName("todaySummary")
        self.summary.setWordWrap(True)  # a long day name or an empty state must not widen the panel
        self.table = read_only_table([self.tr("Name"), self.tr("Status"), self.tr("First seen"), self.tr("Last seen")],
                                     "todayTable")
        # The times are short and fixed-width: a narrow dock gives any lack of room to the names.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        history = QPushButton(self.tr("History…"))
        history.clicked.connect(self.open_history)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(history)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._render()
        self._refresh = PeriodicRefresh(context.tasks, lambda: (context.attendance.today(), context.attendance.roster()),
                                        lambda result: self.set_roster(*result), REFRESH_MS, self)
        context.peopleChanged.connect(self.refresh)
        context.dataResetting.connect(self._stop)
        context.dataReset.connect(self._resume)
        self.refresh()

    def refresh(self) -> None:
        self._refresh.request()

    def _stop(self) -> None:
        """The attendance data is about to close: no more reads; the history dialog goes."""
        self._refresh.stop()
        if self.history_dialog is not None:
            self.history_dialog.close()
            self.history_dialog.deleteLater()
            self.history_dialog = None

    def _resume(self) -> None:
        self._refresh.resume()

    def follow_frame(self, packet) -> None:
        """A shown frame: with someone known in it, "Last seen" moves (the database keeps a sighting a second)."""
        if not self.isVisible() or not any(face.is_known for face in packet.faces):
            return
        now = time.monotonic()
        if now - self._last_live_refresh >= LIVE_REFRESH_S:
            self._last_live_refresh = now
            self.refresh()

    def show_check_in(self, event) -> None:
        self.apply_event(event)
        if not self.context.kiosk:  # at the door the confirmation says it; the status bar names nobody
            self.context.notice.emit(arg(self.tr("Checked in: %1 at %2"), event.name, time_text(event.at)), 8000)
        self.refresh()  # sightings and anything else the database knows
        self.checkedIn.emit(event)

    def open_history(self):
        """The history dialog (viewing is free, except at a kiosk: who was present is not for passers-by)."""
        from ..dialogs.history import HistoryDialog

        if self.context.kiosk and not self.context.guard.allow(VIEW_HISTORY):
            return None
        if self.history_dialog is None:
            names = [p.name for p in self.context.recognizer.gallery.people()]
            self.history_dialog = HistoryDialog(self.context, names, self.window())
        else:
            self.history_dialog.refresh()
        self.history_dialog.show()
        self.history_dialog.raise_()
        return self.history_dialog

    def open_history_of(self, name: str):
        """The per-person view: the history dialog showing only ``name``."""
        dialog = self.open_history()
        if dialog is not None:
            index = dialog.person.findText(name)
            if index < 0:  # enrolled after the dialog was made
                dialog.person.addItem(name)
                index = dialog.person.count() - 1
            dialog.person.setCurrentIndex(index)
        return dialog

    def stop(self) -> None:
        self._stop()

    def set_roster(self, day: date, records: list[DayRecord]) -> None:
        self.roster.set_records(day, records)
        self._render()
        self.refreshed.emit()

    def apply_event(self, event) -> None:
        if self.roster.apply_event(event):
            self._render()

    def first_check_in(self, name: str):
        """Today's first check-in of ``name`` as the roster knows it (check-ins apply at once), or None."""
        record = self.roster.records.get(name)
        return record.first_seen if record is not None and record.present else None

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
            self.table.setItem(i, 0, table_item(record.name))
            self.table.setItem(i, 1, table_item(status_text(record.present), colour))
            self.table.setItem(i, 2, table_item(clock_text(record.first_seen)))
            self.table.setItem(i, 3, table_item(clock_text(record.last_seen)))
        if rows:
            self.summary.setText(arg(self.tr("%1: %2 of %n present", "", len(rows)),
                                     f"<b>{day_text(self.roster.day)}</b>", self.roster.present_count))
        else:
            self.summary.setText(arg(self.tr("%1: no one enrolled yet — enroll people to see who is here"),
                                     f"<b>{day_text(self.roster.day)}</b>"))
