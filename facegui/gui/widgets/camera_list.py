"""The cameras shown beside the main one, as the settings list them: each can be taken away."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from ..core.text import source_text

ROW_PX = 22
"""Room for one camera's row; the list is as tall as up to three of them."""


class CameraList(QWidget):
    """Sources in a list (shown without URL passwords); ``sources()`` gives back what is left, in order."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("moreCameras")
        self.list.setMaximumHeight(ROW_PX * 3 + 6)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Stop showing the selected camera"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self._enable()

    def set_sources(self, sources) -> None:
        self.list.clear()
        for source in sources:
            item = QListWidgetItem(source_text(source))
            item.setData(Qt.ItemDataRole.UserRole, source)
            self.list.addItem(item)
        self._enable()

    def sources(self) -> tuple[str, ...]:
        return tuple(self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count()))

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
        self._enable()

    def _enable(self) -> None:
        self.remove_button.setEnabled(self.list.currentRow() >= 0)
