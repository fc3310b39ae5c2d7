"""Kiosk mode: the window as a station at a door that a passer-by cannot escape.

Full screen, without the menu bar, the toolbar or any context menu; the panels (the roster, the unknown
faces) are hidden and locked (no toggle, no ×, no floating); no file dialog opens (``FileDialogs`` asks
``context.kiosk``). The station page shows the video alone with its check-in confirmations. What stays
reachable is the live view, the shortcuts (each guarded action asks for the admin PIN) and the small
Admin button.
Leaving (Esc, F11, the Admin button, closing the window) needs the PIN when one is set.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QPushButton, QToolBar

from ..widgets.panel_dock import PanelDock
from .context import AppContext


class KioskMode:
    def __init__(self, window: QMainWindow, context: AppContext, toolbar: QToolBar, docks: Sequence[PanelDock],
                 unlock_button: QPushButton, toggle: QAction):
        self.window, self.context, self.toolbar = window, context, toolbar
        self.docks, self.unlock_button, self.toggle = list(docks), unlock_button, toggle
        self._before: tuple[bool, bool] = (False, True)  # (maximized, toolbar visible)
        self._docks_visible: list[bool] = []
        unlock_button.clicked.connect(self.leave)

    @property
    def on(self) -> bool:
        return self.context.kiosk

    def enter(self) -> None:
        if not self.on:
            self._before = (self.window.isMaximized(), self.toolbar.isVisible())
            self.context.set_kiosk(True)
            self.window.menuBar().hide()
            self.toolbar.hide()
            self.toolbar.toggleViewAction().setEnabled(False)
            # QMainWindow's own right-click menu hides panels and toolbars.
            self.window.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            # Who is present is not for passers-by: the roster and the unknown faces go, locked away.
            self._docks_visible = [dock.isVisible() for dock in self.docks]
            for dock in self.docks:
                dock.set_locked(True)
                dock.hide()
            self.unlock_button.show()
            self.window.showFullScreen()
            if not self.context.guard.enabled:
                self.context.notice.emit(QCoreApplication.translate(
                    "KioskMode", "Kiosk mode: no admin PIN is set, so anyone can leave it (File → Set admin PIN…)"),
                    10000)
        self.toggle.setChecked(True)

    def leave(self) -> bool:
        """True when the window is out of kiosk mode (the right PIN, or none set)."""
        if not self.on:
            self.toggle.setChecked(False)
            return True
        if not self.context.guard.allow("exit_kiosk"):
            self.toggle.setChecked(True)
            return False
        self.context.set_kiosk(False)
        maximized, toolbar_visible = self._before
        self.window.menuBar().show()
        self.toolbar.setVisible(toolbar_visible)
        self.toolbar.toggleViewAction().setEnabled(True)
        self.window.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        for dock, visible in zip(self.docks, self._docks_visible):
            dock.set_locked(False)
            dock.setVisible(visible)
        self.unlock_button.hide()
        self.window.showMaximized() if maximized else self.window.showNormal()
        self.toggle.setChecked(False)
        return True

    def toggle_mode(self) -> None:
        self.leave() if self.on else self.enter()
