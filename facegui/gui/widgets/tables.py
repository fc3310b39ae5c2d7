"""Small pieces the attendance tables share: read-only rows, colours and clock times."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ..core.text import time_text

PRESENT_COLOUR = QColor(30, 140, 50)
ABSENT_COLOUR = QColor(150, 150, 150)


def clock_text(moment: datetime | None) -> str:
    return time_text(moment)


def status_text(present: bool) -> str:
    """A day's status in the window's language (the data and the CSV say "present"/"absent")."""
    return (QCoreApplication.translate("AttendanceTable", "present") if present
            else QCoreApplication.translate("AttendanceTable", "absent"))


def table_item(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if colour is not None:
        item.setForeground(colour)
    return item


def read_only_table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
