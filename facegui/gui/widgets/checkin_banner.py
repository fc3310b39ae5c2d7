"""The large check-in confirmation a station shows over the live video for a few seconds."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...service.station import Greeting
from ..core.text import arg, time_text

SHOW_MS = 4000
"""How long a confirmation stays (3-5 s: read at a glance, gone before the next person)."""
PHOTO_PX = 144


class CheckInBanner(QFrame):
    """Photo, name, time and "Checked in" / "Already checked in at 08:02"; hides itself after ``SHOW_MS``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("checkInBanner")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#checkInBanner { background: rgba(20, 20, 20, 225); border-radius: 18px; }"
                           "#checkInBanner QLabel { color: white; background: transparent; }")
        self.photo = QLabel()
        self.photo.setFixedSize(PHOTO_PX, PHOTO_PX)
        self.name = self._label(2.4, bold=True)
        self.name.setObjectName("bannerName")
        self.headline = self._label(1.6)
        self.headline.setObjectName("bannerHeadline")
        self.time = self._label(1.2)
        self.time.setObjectName("bannerTime")
        text = QVBoxLayout()
        text.addWidget(self.name)
        text.addWidget(self.headline)
        text.addWidget(self.time)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 20, 32, 20)
        layout.setSpacing(24)
        layout.addWidget(self.photo)
        layout.addLayout(text, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.greeting: Greeting | None = None
        self.hide()

    def _label(self, scale: float, bold: bool = False) -> QLabel:
        label = QLabel()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        font.setBold(bold)
        label.setFont(font)
        return label

    def show_greeting(self, greeting: Greeting, photo: QIcon) -> None:
        self.greeting = greeting
        self.photo.setPixmap(photo.pixmap(PHOTO_PX, PHOTO_PX))
        self.name.setText(greeting.name)
        # The service's English headline, in the window's language.
        self.headline.setText(arg(self.tr("Already checked in at %1"), time_text(greeting.at, seconds=False))
                              if greeting.already else self.tr("Checked in"))
        self.headline.setStyleSheet("color: #ffd180" if greeting.already else "color: #9be7a6")
        self.time.setText(time_text(greeting.at, seconds=False))
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()
        self.timer.start(SHOW_MS)

    def place(self) -> None:
        """Centred near the bottom of the parent (the video), over the picture."""
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(max(self.sizeHint().width(), parent.width() // 2), parent.width() - 40)
        height = self.sizeHint().height()
        self.setGeometry((parent.width() - width) // 2, max(parent.height() - height - 40, 0), width, height)
