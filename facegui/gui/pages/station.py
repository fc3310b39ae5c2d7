"""The Station page: the live video and who is in the frame now.

It renders what the camera controller hands it and says what the source is doing; it starts nothing.
"""
from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...service.sources import source_label
from ...service.station import Greeter, SeenFace
from ..core.camera import CameraController
from ..core.camera_worker import FramePacket, SourceState
from ..core.context import AppContext
from ..core.text import arg, number_text
from ..drawing import unknown_name
from ..widgets.checkin_banner import CheckInBanner
from ..widgets.video_view import VideoView

KNOWN_COLOUR = QColor(30, 140, 50)
UNKNOWN_COLOUR = QColor(200, 40, 40)
STOPPED_MESSAGE = QT_TRANSLATE_NOOP("StationPage", "Camera stopped — press F5 to start")
IN_FRAME_ROW_PX = 34
LOOK_AT_THE_CAMERA = QT_TRANSLATE_NOOP("StationPage", "Look at the camera")
QUIET_AFTER_S = 2.0
"""Seconds without a face before the station asks passers-by to look at the camera."""
CAMERA_LOST = QT_TRANSLATE_NOOP("StationPage", "The camera is not available — reconnecting…")


class StationPage(QWidget):
    """The live video, taking the room, and below it who is in the frame now.

    In kiosk mode it is the station at the door: the video alone fills the screen, each check-in is
    confirmed in large letters for a few seconds ("Checked in", or "Already checked in at 08:02" for
    someone back in view), and nobody's presence but the person's own is shown."""

    def __init__(self, context: AppContext, camera: CameraController, checked_in_at=lambda _name: None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.camera = context, camera
        self.video = VideoView()
        self.in_frame = QListWidget()
        self.in_frame.setObjectName("inFrameList")
        self.in_frame.setFlow(QListWidget.Flow.LeftToRight)
        self.in_frame.setWrapping(False)
        self.in_frame.setFixedHeight(IN_FRAME_ROW_PX)
        self.in_frame.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.in_frame_row = QWidget()
        row = QHBoxLayout(self.in_frame_row)
        row.setContentsMargins(0, 4, 0, 0)
        row.addWidget(QLabel("<b>" + self.tr("In this frame:") + "</b>"))
        row.addWidget(self.in_frame, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.in_frame_row)
        camera.frameReady.connect(self.show_frame)
        camera.stateChanged.connect(self.show_state)
        camera.started.connect(lambda: self.video.set_message(
            arg(self.tr("Opening %1…"), source_label(self.context.prefs.camera_source))))
        camera.stopped.connect(self._stopped)
        context.dataReset.connect(self.in_frame.clear)
        self.banner = CheckInBanner(self.video)
        self.greeter = Greeter(lambda: context.settings, checked_in_at)
        self.station_mode = False
        self._faceless_since: float | None = None
        camera.started.connect(self.greeter.reset)
        camera.checkedIn.connect(self.greet_check_in)
        context.kioskChanged.connect(self.set_station_mode)

    def set_station_mode(self, on: bool) -> None:
        """Kiosk mode: the video alone, confirmations on; back office: who is in the frame again."""
        self.station_mode = on
        self.in_frame_row.setVisible(not on)
        self.in_frame.clear()
        self.video.set_hint("")
        self._faceless_since = None
        if not on:
            self.banner.hide()

    def greet_check_in(self, event) -> None:
        greeting = self.greeter.check_in(event.name, event.at, event.snapshot)
        if self.station_mode:
            self.banner.show_greeting(greeting, self.context.thumbnails.icon(event.name))
            if self.context.prefs.checkin_sound:
                QApplication.beep()  # the system's own short sound: no audio files, no extra library

    def _greet_frame(self, packet: FramePacket) -> None:
        now = datetime.now().astimezone()
        seen = [SeenFace(f.name, f.similarity, f.is_known, f.fresh) for f in packet.faces]
        for greeting in self.greeter.frame(seen, now):
            self.banner.show_greeting(greeting, self.context.thumbnails.icon(greeting.name))
        if packet.faces:
            self._faceless_since = None
            self.video.set_hint("")
        else:
            clock = time.monotonic()
            self._faceless_since = self._faceless_since or clock
            if clock - self._faceless_since >= QUIET_AFTER_S:
                self.video.set_hint(self.tr(LOOK_AT_THE_CAMERA))

    def show_frame(self, packet: FramePacket) -> None:
        self.video.set_frame(packet.image)
        if self.station_mode:
            self._greet_frame(packet)
            return
        self.in_frame.clear()
        for face in sorted(packet.faces, key=lambda f: f.bbox[0]):
            item = QListWidgetItem(f"{face.name if face.is_known else unknown_name()}  {number_text(face.similarity)}")
            item.setForeground(KNOWN_COLOUR if face.is_known else UNKNOWN_COLOUR)
            self.in_frame.addItem(item)

    def show_state(self, state: SourceState) -> None:
        if state.state in ("retrying", "error"):
            self.video.set_message(self.tr(CAMERA_LOST) if self.station_mode else state.message, error=True)
            self.in_frame.clear()
        elif state.state == "ended":
            self.video.set_message(self.tr("End of video — press F5 to play again"), keep_frame=True)
            self.in_frame.clear()
        elif state.state == "opening" and self.camera.last_packet is None:
            self.video.set_message(state.message)

    def _stopped(self) -> None:
        self.video.set_message(self.tr(STOPPED_MESSAGE), keep_frame=True)
        self.in_frame.clear()  # nobody is in a frame that is no longer coming

    def show_message(self, text: str) -> None:
        self.video.set_message(text)
