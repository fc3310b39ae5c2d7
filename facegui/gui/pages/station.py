"""The Station page: the live video and who is in the frame now.

It renders what the camera controller hands it and says what the source is doing; it starts nothing.
With several cameras (``core/camera_worker.py``) it shows them side by side (``widgets/video_grid.py``), each with
its own confirmations: a packet, a state or a check-in goes to the tile of its camera.
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
from ..core.text import arg, number_text, source_text
from ..drawing import unknown_name
from ..widgets.video_grid import VideoGrid
from ..widgets.video_view import VideoView

KNOWN_COLOUR = QColor(30, 140, 50)
UNKNOWN_COLOUR = QColor(200, 40, 40)
STOPPED_MESSAGE = QT_TRANSLATE_NOOP("StationPage", "Camera stopped — press F5 to start")
IN_FRAME_ROW_PX = 34
LOOK_AT_THE_CAMERA = QT_TRANSLATE_NOOP("StationPage", "Look at the camera")
QUIET_AFTER_S = 2.0
"""Seconds without a face before the station asks passers-by to look at the camera."""
CAMERA_LOST = QT_TRANSLATE_NOOP("StationPage", "The camera is not available — reconnecting…")
NOT_RECORDING = QT_TRANSLATE_NOOP("StationPage", "Check-ins cannot be recorded now — please tell the office")


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
        """The main camera's picture (the only one with one camera)."""
        self.grid = VideoGrid(self.video)
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
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.in_frame_row)
        camera.frameReady.connect(self.show_frame)
        camera.stateChanged.connect(self.show_state)
        camera.started.connect(self._opening)
        camera.stopped.connect(self._stopped)
        context.dataReset.connect(self.in_frame.clear)
        self._checked_in_at = checked_in_at
        self.greeters: list[Greeter] = []
        """One per camera: each door votes on its own frames."""
        self._faceless_since: list[float | None] = []
        self._in_frame: dict[int, list] = {}
        """Faces of each camera's last frame (the back office lists them all)."""
        self.station_mode = False
        self.set_camera_count(len(camera.sources))
        camera.checkedIn.connect(self.greet_check_in)
        context.kioskChanged.connect(self.set_station_mode)
        context.preferencesChanged.connect(lambda _prefs: self.set_camera_count(len(camera.sources)))

    @property
    def banner(self):
        return self.grid.banners[0]

    @property
    def greeter(self) -> Greeter:
        return self.greeters[0]

    def set_camera_count(self, count: int) -> None:
        """One tile per camera (the controller's ``sources``), each captioned with its source name when
        there are several."""
        self._caption_tiles()
        if count == len(self.greeters):
            return
        self.grid.set_count(count)
        self.greeters = self.greeters[:count] + [Greeter(lambda: self.context.settings, self._checked_in_at)
                                                 for _ in range(count - len(self.greeters))]
        self._faceless_since = (self._faceless_since + [None] * count)[:count]
        self._in_frame = {tile: faces for tile, faces in self._in_frame.items() if tile < count}
        self._caption_tiles()

    def _caption_tiles(self) -> None:
        sources = self.camera.sources
        several = len(sources) > 1 and len(self.grid.views) > 1
        for view, source in zip(self.grid.views, sources):
            view.set_caption(source_text(source) if several else "")

    def _opening(self) -> None:
        for view, source, greeter in zip(self.grid.views, self.camera.sources, self.greeters):
            view.set_message(arg(self.tr("Opening %1…"), source_text(source)))
            greeter.reset()

    def tile_of(self, source: str) -> int:
        """The tile of the camera whose attendance source name is ``source`` (0 when none is)."""
        labels = [source_label(s) for s in self.camera.sources]
        return labels.index(source) if source in labels else 0

    def set_station_mode(self, on: bool) -> None:
        """Kiosk mode: the video alone, confirmations on; back office: who is in the frame again."""
        self.station_mode = on
        self.in_frame_row.setVisible(not on)
        self.in_frame.clear()
        self._in_frame.clear()
        self._faceless_since = [None] * len(self._faceless_since)
        for view, banner in zip(self.grid.views, self.grid.banners):
            view.set_hint("")
            if not on:
                banner.hide()

    def greet_check_in(self, event) -> None:
        tile = self.tile_of(event.source)
        greeting = self.greeters[tile].check_in(event.name, event.at, event.snapshot)
        if self.station_mode:
            self.grid.banners[tile].show_greeting(greeting, self.context.thumbnails.icon(event.name))
            if self.context.prefs.checkin_sound:
                QApplication.beep()  # the system's own short sound: no audio files, no extra library

    def _greet_frame(self, packet: FramePacket) -> None:
        tile, view = packet.tile, self.grid.views[packet.tile]
        now = datetime.now().astimezone()
        seen = [SeenFace(f.name, f.similarity, f.is_known, f.fresh) for f in packet.faces]
        for greeting in self.greeters[tile].frame(seen, now):
            self.grid.banners[tile].show_greeting(greeting, self.context.thumbnails.icon(greeting.name))
        if packet.faces:
            self._faceless_since[tile] = None
            # Nobody walks off believing they checked in: no confirmation comes while writes fail (a full disk).
            known = any(face.is_known for face in packet.faces)
            view.set_hint(self.tr(NOT_RECORDING) if known and self.context.attendance.recording_problem else "")
        else:
            clock = time.monotonic()
            since = self._faceless_since[tile] = self._faceless_since[tile] or clock
            if clock - since >= QUIET_AFTER_S:
                view.set_hint(self.tr(LOOK_AT_THE_CAMERA))

    def show_frame(self, packet: FramePacket) -> None:
        if packet.tile >= len(self.grid.views):
            return  # a late frame of a camera just removed
        self.grid.views[packet.tile].set_frame(packet.image)
        if self.station_mode:
            self._greet_frame(packet)
            return
        self._in_frame[packet.tile] = sorted(packet.faces, key=lambda f: f.bbox[0])
        self._list_in_frame()

    def _list_in_frame(self) -> None:
        """Who is in the frame of each camera, left to right, camera after camera."""
        self.in_frame.clear()
        for face in (face for tile in sorted(self._in_frame) for face in self._in_frame[tile]):
            item = QListWidgetItem(f"{face.name if face.is_known else unknown_name()}  {number_text(face.similarity)}")
            item.setForeground(KNOWN_COLOUR if face.is_known else UNKNOWN_COLOUR)
            self.in_frame.addItem(item)

    def show_state(self, state: SourceState) -> None:
        if state.tile >= len(self.grid.views):
            return
        view = self.grid.views[state.tile]
        if state.state in ("retrying", "error"):
            view.set_message(self.tr(CAMERA_LOST) if self.station_mode else state.message, error=True)
            self._forget_faces(state.tile)
        elif state.state == "ended":
            view.set_message(self.tr("End of video — press F5 to play again"), keep_frame=True)
            self._forget_faces(state.tile)
        elif state.state == "opening":
            # Before the first frame only: a reconnecting camera keeps saying why it is reconnecting.
            first = (self.camera.last_packet is None if state.tile == 0
                     else view.image is None and not view.message_is_error)
            if first:
                view.set_message(state.message)

    def _forget_faces(self, tile: int) -> None:
        self._in_frame.pop(tile, None)
        self._list_in_frame()

    def _stopped(self) -> None:
        for view in self.grid.views:
            view.set_message(self.tr(STOPPED_MESSAGE), keep_frame=True)
        self._in_frame.clear()
        self.in_frame.clear()  # nobody is in a frame that is no longer coming

    def show_message(self, text: str) -> None:
        for view in self.grid.views:
            view.set_message(text)
