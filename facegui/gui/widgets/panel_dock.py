"""A dock panel that can be locked: no close button, no floating, no moving, no menu toggle, no way to close it."""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget

MIN_WIDTH = 250
"""Narrow enough for an 800x600 screen beside a usable video."""
MOVABLE = (QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
           | QDockWidget.DockWidgetFeature.DockWidgetFloatable)


class PanelDock(QDockWidget):
    def __init__(self, title: str, name: str, widget: QWidget, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setObjectName(name)
        self.setWidget(widget)
        self.setMinimumWidth(MIN_WIDTH)
        self.locked = False

    def set_locked(self, locked: bool) -> None:
        """Locked: the × and float buttons go, the panel stays where it is, and its menu toggle is disabled."""
        self.locked = locked
        if locked and self.isFloating():
            self.setFloating(False)
        self.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures if locked else MOVABLE)
        self.toggleViewAction().setEnabled(not locked)

    def closeEvent(self, event) -> None:
        if self.locked:  # whatever asked (a shortcut, a stray button, the window manager): the panel stays
            event.ignore()
            return
        super().closeEvent(event)
