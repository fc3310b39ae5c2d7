"""The status bar: permanent fields (source and state, frame rate, faces, device) and short messages.

A message never overprints a permanent field: one too long for the room left of the fields is shown
elided in its middle ("Exported all face data to /home/…/facegui-export-2026…"), whatever sent it (the
window, or a menu item's status tip). The source name is elided too, its full text in the tooltip.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar

from ...service.diagnostics import log_state, problems_after, recent_lines
from ...service.shared_database import ServerStatus, server_status
from ..core.camera import CameraController
from ..core.camera_worker import FramePacket, SourceState
from ..core.feeds import is_file_source
from ..core.context import AppContext
from ..core.text import arg, plurals, source_text

translate = QCoreApplication.translate

NO_FPS = "— FPS"
STATE_WORDS = {
    "stopped": QT_TRANSLATE_NOOP("StatusBar", "stopped"),
    "switching": QT_TRANSLATE_NOOP("StatusBar", "switching"),
    "opening": QT_TRANSLATE_NOOP("StatusBar", "opening"),
    "streaming": QT_TRANSLATE_NOOP("StatusBar", "streaming"),
    "retrying": QT_TRANSLATE_NOOP("StatusBar", "retrying"),
    "ended": QT_TRANSLATE_NOOP("StatusBar", "ended"),
    "error": QT_TRANSLATE_NOOP("StatusBar", "error"),
}
"""The camera's state as the source field shows it, translated."""
SOURCE_MAX_PX = 240
"""The source field never grows wider than this (a long path or URL is elided, full in its tooltip)."""
MESSAGE_MARGIN_PX = 18
"""QStatusBar draws a message from x=6 to 2 px before the first permanent field; this keeps clear of both."""
SERVER_POLL_MS = 1000
"""How often the shared-database field re-reads the server state (from memory: it never waits on the network)."""


def models_text(engine) -> str:
    """Detector and embedding model, as About shows them."""
    detector_path = getattr(engine.detector.model, "path", None)
    detector = Path(detector_path).stem if detector_path else "RetinaFace"
    return f"{detector} · {engine.embedder_id}"


def faces_text(n: int) -> str:
    return plurals().faces(n)


class ServerWords(QObject):
    """Counted words of the status bar in the window's language (a QObject: lupdate sees plurals only in ``tr``)."""

    def cameras(self, n: int) -> str:
        return self.tr("%n camera(s)", "", n)

    def problems(self, n: int) -> str:
        return self.tr("%n new problem(s) logged", "", n)

    def text(self, status: ServerStatus) -> str:
        """``ServerStatus.text``, translated: "offline — 12 check-ins waiting", "online"."""
        waiting = status.checkins_waiting
        if not status.online:
            return (self.tr("offline — %n check-in(s) waiting", "", waiting) if status.batches_waiting
                    else self.tr("offline"))
        return (self.tr("online — sending %n check-in(s)", "", waiting) if status.batches_waiting
                else self.tr("online"))


def server_text(status: ServerStatus) -> str:
    return ServerWords().text(status)


class StatusFields:
    """Fills the permanent fields of ``bar`` from the context and the camera; transient messages go left of them."""

    def __init__(self, bar: QStatusBar, context: AppContext, camera: CameraController):
        self.bar, self.context, self.camera = bar, context, camera
        self.tile_fps: dict[int, float] = {}
        self.tile_faces: dict[int, int] = {}
        """Each camera's last frame rate and face count (several cameras: ``core/camera_worker.py``)."""
        self.last_message = ""
        self.source = QLabel()
        self.source.setObjectName("statusSource")
        self.fps = QLabel(NO_FPS)
        self.faces = QLabel(faces_text(0))
        self.device = QLabel()
        self.server = QLabel()
        self.server.setObjectName("statusServer")
        self.server.hide()  # a local SQLite database: nothing to say
        self.recording = QLabel()
        self.recording.setObjectName("statusRecording")
        self.recording.setStyleSheet("color: #c62828")
        self.recording.hide()  # check-ins are written: nothing to say
        self.fields = (self.source, self.fps, self.faces, self.device)
        """Always shown; the shared-database field only with a PostgreSQL database."""
        # Fields of a steady width: a message fitted beside them stays clear of them as their values change.
        metrics = self.fps.fontMetrics()
        self.source.setFixedWidth(SOURCE_MAX_PX)
        self.fps.setMinimumWidth(metrics.horizontalAdvance("000.0 FPS") + 8)
        self.faces.setMinimumWidth(metrics.horizontalAdvance(faces_text(99)) + 8)
        for label in (*self.fields, self.server, self.recording):
            bar.addPermanentWidget(label)
        # The one way back from kiosk mode besides Esc and F11 (all three ask for the PIN when one is set).
        self.unlock_button = QPushButton(translate("StatusBar", "Admin"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setFlat(True)
        self.unlock_button.setToolTip(translate("StatusBar", "Leave kiosk mode (asks for the admin PIN when one is set)"))
        self.unlock_button.hide()
        bar.addPermanentWidget(self.unlock_button)
        # Problems logged since the admin last looked (by this window, a command, or the keeper that restarted
        # it): the way to notice them without opening Help ▸ Problems log every morning. Not at the door.
        self.problems = QPushButton()
        self.problems.setObjectName("statusProblems")
        self.problems.setFlat(True)
        self.problems.setStyleSheet("color: #c62828")
        self.problems.setToolTip(translate("StatusBar", "Open the problems log"))
        self.problems.hide()
        self.problems_unseen = 0
        self._log_state: tuple[int, int] | None = None
        bar.addPermanentWidget(self.problems)
        bar.messageChanged.connect(self._fit_message)
        camera.frameShown.connect(self.show_frame)
        camera.stateChanged.connect(self.show_state)
        camera.stopped.connect(self._stopped)
        context.preferencesChanged.connect(lambda _prefs: self.show_source("switching" if camera.running
                                                                           else "stopped"))
        context.notice.connect(self.show_message)
        self.show_source("stopped")
        self.show_engine()
        self.server_timer = QTimer(bar)
        self.server_timer.setInterval(SERVER_POLL_MS)
        self.server_timer.timeout.connect(self.show_server)
        self.server_timer.timeout.connect(self.show_recording)
        self.server_timer.timeout.connect(self.show_problems)
        self.server_timer.start()
        self.show_server()
        context.kioskChanged.connect(lambda _on: self.show_problems())  # hidden at the door from the first moment
        self.show_problems()

    # -- messages ------------------------------------------------------------------------
    def message_width(self) -> int:
        """Pixels a message may take: from the left edge to the first visible permanent field."""
        visible = [w for w in (*self.fields, self.server, self.recording, self.problems, self.unlock_button)
                   if w.isVisible()]
        right = min((w.x() for w in visible), default=self.bar.width()) if self.bar.isVisible() else self.bar.width()
        return max(right - MESSAGE_MARGIN_PX, 0)

    def fitted(self, text: str) -> str:
        return self.bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, self.message_width())

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        self.last_message = text
        """In full, also when the bar shows it elided (its tooltip then has it too)."""
        self.bar.showMessage(self.fitted(text), timeout_ms)
        self.bar.setToolTip(text if text != self.bar.currentMessage() else "")

    def _fit_message(self, text: str) -> None:
        """A message that came another way (a status tip) and is too long: shown elided instead."""
        if text and self.fitted(text) != text:
            self.show_message(text)

    # -- fields --------------------------------------------------------------------------
    def show_engine(self) -> None:
        engine = self.context.engine
        note = translate("StatusBar", " (CUDA unavailable)") if engine.fell_back_to_cpu else ""
        self.device.setText(f"{engine.device}{note}")

    def show_source(self, state: str) -> None:
        sources = self.camera.sources
        source = sources[0]
        short = Path(source).name if is_file_source(source) else source_text(source)
        if len(sources) > 1:
            short = ServerWords().cameras(len(sources))
        metrics = self.source.fontMetrics()
        suffix = " · " + translate("StatusBar", STATE_WORDS.get(state, state))
        room = SOURCE_MAX_PX - 8 - metrics.horizontalAdvance(suffix)
        self.source.setText(metrics.elidedText(short, Qt.TextElideMode.ElideMiddle, room) + suffix)
        self.source.setToolTip("\n".join(source_text(s) for s in sources))

    def show_server(self) -> None:
        """The shared database's state ("offline — 12 check-ins waiting"); hidden for the local SQLite file."""
        try:
            status = server_status(self.context.attendance.store)
        except Exception:  # the attendance data is being reopened (delete all data): next tick
            return
        self.server.setVisible(status.shared)
        if not status.shared:
            return
        self.server.setText(server_text(status))
        self.server.setStyleSheet("" if status.online else "color: #c62828")
        tip = arg(translate("StatusBar", "Shared database: %1"), status.server)
        self.server.setToolTip(tip + ("\n" + status.error if status.error else ""))

    def show_recording(self) -> None:
        """Check-ins that cannot be written (a full disk): said until a write succeeds, the reason in the tooltip."""
        problem = self.context.attendance.recording_problem
        self.recording.setVisible(problem is not None)
        if problem is not None:
            self.recording.setText(translate("StatusBar", "check-ins not recorded"))
            self.recording.setToolTip(arg(translate("StatusBar", "The last check-ins could not be written: %1"),
                                          problem))

    def show_problems(self, recount: bool = False) -> None:
        """The count of problems logged after ``problems_seen_until``; the log is read again only when it changed."""
        settings = self.context.settings
        state = log_state(settings)
        if recount or state != self._log_state:
            self._log_state = state
            try:
                lines = recent_lines(settings) if state is not None else []
            except OSError:
                lines = []
            self.problems_unseen, _newest = problems_after(lines, self.context.prefs.problems_seen_until)
        if self.problems_unseen:
            self.problems.setText("⚠ " + ServerWords().problems(self.problems_unseen))
        self.problems.setVisible(bool(self.problems_unseen) and not self.context.kiosk)

    def show_frame(self, packet: FramePacket) -> None:
        self.tile_fps[packet.tile], self.tile_faces[packet.tile] = packet.fps, len(packet.faces)
        self.fps.setText(" · ".join(f"{self.tile_fps[t]:.1f}" for t in sorted(self.tile_fps)) + " FPS")
        self.faces.setText(faces_text(sum(self.tile_faces.values())))

    def show_state(self, state: SourceState) -> None:
        self.show_source(state.state)
        if state.state in ("retrying", "error"):
            self.tile_fps.pop(state.tile, None)
            self.fps.setText(NO_FPS)
        if state.state in ("ended", "error", "retrying"):
            self.tile_faces.pop(state.tile, None)
            self.faces.setText(faces_text(sum(self.tile_faces.values())))
        if state.state != "streaming":
            self.show_message(state.message, 5000)
        else:
            self.bar.clearMessage()

    def _stopped(self) -> None:
        self.tile_fps.clear()
        self.tile_faces.clear()
        self.fps.setText(NO_FPS)
        self.faces.setText(faces_text(0))
        self.show_source("stopped")
