"""A Qt GUI application for drawing text where no window exists (the CLI's annotated files)."""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

OFFSCREEN_PLATFORM = "offscreen"

_created: list[QGuiApplication] = []  # keeps the application we made alive for the process


class RenderError(RuntimeError):
    """Labels cannot be drawn in this process (one plain line for the user)."""


def ensure_gui_application() -> QGuiApplication:
    """The running QGuiApplication, or a new one.

    Fonts, and therefore text on a QImage, need a QGuiApplication. Without a platform chosen
    (QT_QPA_PLATFORM unset) it gets the offscreen platform, so the CLI draws on a server with
    no display. A window's QApplication, when one exists, is reused as it is.
    """
    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        return app
    if app is not None:
        raise RenderError("cannot draw labels: this process runs a Qt application without a GUI")
    argv = [sys.argv[0] if sys.argv and sys.argv[0] else "facegui"]
    if not os.environ.get("QT_QPA_PLATFORM"):
        argv += ["-platform", OFFSCREEN_PLATFORM]
    # A process that has loaded QtWidgets may build widgets later (a test session running the
    # CLI in-process, say), and Qt aborts on a widget under a plain QGuiApplication. The CLI
    # itself never imports QtWidgets, so it gets the lighter application.
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication
        _created.append(QApplication(argv))
    else:
        _created.append(QGuiApplication(argv))
    return _created[-1]
