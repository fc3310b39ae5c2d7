"""The Station page: the live video and who is in the frame now.

It renders what the camera controller hands it and says what the source is doing; it starts nothing.
"""
from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from ...service.sources import source_label
from ..core.camera import CameraController
from ..core.camera_worker import FramePacket, SourceState
from ..core.context import AppContext
from ..widgets.video_view import VideoView

KNOWN_COLOUR = QColor(30, 140, 50)
UNKNOWN_COLOUR = QColor(200, 40, 40)
STOPPED_MESSAGE = "Camera stopped — press F5 to start"


class StationPage(QWidget):
    """The video, and beside it (in a splitter) who is in the frame above ``side_panel`` (the people list)."""

    def __init__(self, context: AppContext, camera: CameraController, side_panel: QWidget | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.camera = context, camera
        self.video = VideoView()
        self.in_frame = QListWidget()
        self.in_frame.setObjectName("inFrameList")
        self.in_frame.setMaximumHeight(160)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(QLabel("<b>In this frame</b>"))
        side_layout.addWidget(self.in_frame)
        if side_panel is not None:
            side_layout.addWidget(side_panel, 1)
        side.setMinimumWidth(220)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.video)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([880, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        camera.frameReady.connect(self.show_frame)
        camera.stateChanged.connect(self.show_state)
        camera.started.connect(lambda: self.video.set_message(
            f"Opening {source_label(self.context.prefs.camera_source)}…"))
        camera.stopped.connect(lambda: self.video.set_message(STOPPED_MESSAGE, keep_frame=True))
        context.dataReset.connect(self.in_frame.clear)

    def show_frame(self, packet: FramePacket) -> None:
        self.video.set_frame(packet.image)
        self.in_frame.clear()
        for face in sorted(packet.faces, key=lambda f: f.bbox[0]):
            item = QListWidgetItem(f"{face.name}  {face.similarity:.2f}")
            item.setForeground(KNOWN_COLOUR if face.is_known else UNKNOWN_COLOUR)
            self.in_frame.addItem(item)

    def show_state(self, state: SourceState) -> None:
        if state.state in ("retrying", "error"):
            self.video.set_message(state.message, error=True)
        elif state.state == "ended":
            self.video.set_message("End of video — press F5 to play again", keep_frame=True)
        elif state.state == "opening" and self.camera.last_packet is None:
            self.video.set_message(state.message)

    def show_message(self, text: str) -> None:
        self.video.set_message(text)
