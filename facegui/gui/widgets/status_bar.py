"""The status bar's permanent fields: source and its state, frame rate, faces, models, device."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar

from ...service.sources import source_label
from ..core.camera import CameraController
from ..core.camera_worker import FramePacket, SourceState, is_file_source
from ..core.context import AppContext

NO_FPS = "— FPS"


class StatusFields:
    """Fills the permanent fields of ``bar`` from the context and the camera; transient messages go left of them."""

    def __init__(self, bar: QStatusBar, context: AppContext, camera: CameraController):
        self.bar, self.context = bar, context
        self.source = QLabel()
        self.fps = QLabel(NO_FPS)
        self.faces = QLabel("0 faces")
        self.models = QLabel()
        self.device = QLabel()
        for label in (self.source, self.fps, self.faces, self.models, self.device):
            bar.addPermanentWidget(label)
        # The one way back from kiosk mode besides Esc and F11 (all three ask for the PIN when one is set).
        self.unlock_button = QPushButton("Admin")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setFlat(True)
        self.unlock_button.setToolTip("Leave kiosk mode (asks for the admin PIN when one is set)")
        self.unlock_button.hide()
        bar.addPermanentWidget(self.unlock_button)
        camera.frameShown.connect(self.show_frame)
        camera.stateChanged.connect(self.show_state)
        camera.stopped.connect(self._stopped)
        context.preferencesChanged.connect(lambda _prefs: self.show_source("switching" if camera.running
                                                                           else "stopped"))
        context.notice.connect(bar.showMessage)
        self.show_source("stopped")
        self.show_engine()

    def show_engine(self) -> None:
        engine = self.context.engine
        detector_path = getattr(engine.detector.model, "path", None)
        detector = Path(detector_path).stem if detector_path else "RetinaFace"
        self.models.setText(f"{detector} · {engine.embedder_id}")
        note = " (CUDA unavailable)" if engine.fell_back_to_cpu else ""
        self.device.setText(f"{engine.device}{note}")

    def show_source(self, state: str) -> None:
        source = self.context.prefs.camera_source
        short = Path(source).name if is_file_source(source) else source_label(source)
        self.source.setText(f"{short} · {state}")
        self.source.setToolTip(source_label(source))

    def show_frame(self, packet: FramePacket) -> None:
        self.fps.setText(f"{packet.fps:.1f} FPS")
        count = len(packet.faces)
        self.faces.setText(f"{count} face{'s' if count != 1 else ''}")

    def show_state(self, state: SourceState) -> None:
        self.show_source(state.state)
        if state.state in ("retrying", "error"):
            self.fps.setText(NO_FPS)
        if state.state != "streaming":
            self.bar.showMessage(state.message, 5000)
        else:
            self.bar.clearMessage()

    def _stopped(self) -> None:
        self.fps.setText(NO_FPS)
        self.show_source("stopped")
