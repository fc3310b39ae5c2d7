"""The live path's owner in the window: one worker at a time, started, stopped and switched here.

The worker is a ``CameraWorker`` (``core/camera_worker.py``) over every camera the window shows: the main
one (``camera_source``) and up to three more (``GuiPreferences.more_sources``), recognised on one set of
model sessions, each packet and state tagged with its tile.

camera → engine → tracker → matches → attendance run in the worker thread (over the service's
``MultiStream`` and one ``LiveRecognizer`` per camera); this controller hands each rendered ``FramePacket``
to the view, then lets the worker emit the next one of its tile, so a slow GUI never queues frames.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from dataclasses import replace

from ...engine.video import open_capture
from .camera_worker import MAX_CAMERAS, CameraWorker, FramePacket, SourceState
from .context import AppContext

STOP_WAIT_S = 1.0
"""How long ``stop`` waits for the worker; one stuck in a slow read finishes on its own later."""
STUCK_WORKER_WAIT_MS = 5000


class CameraController(QObject):
    frameReady = Signal(object)
    """FramePacket to render (connected directly: the view draws it before the worker may send the next)."""
    frameShown = Signal(object)
    """FramePacket, once rendered (tests and the smoke test wait on it)."""
    stateChanged = Signal(object)
    """SourceState of the current worker."""
    checkedIn = Signal(object)
    """AttendanceEvent of a new check-in."""
    runningChanged = Signal(bool)
    """A worker started, or stopped (by ``stop`` or by itself: a video that ended, a failed model)."""
    started = Signal()
    stopped = Signal()
    """``stop`` stopped a running worker."""

    def __init__(self, context: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.context = context
        self.worker: CameraWorker | None = None
        self.last_packet: FramePacket | None = None
        self._stopping: set[CameraWorker] = set()
        self.capture_factory = open_capture
        """What the worker opens sources with (tests inject a faulty source)."""

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    @property
    def sources(self) -> list[str]:
        """Every camera the window shows, the main one (``camera_source``) first."""
        prefs = self.context.prefs
        return [prefs.camera_source, *prefs.more_sources][:MAX_CAMERAS]

    def start(self, source: str | None = None) -> None:
        self.stop()
        if source is not None:
            self.set_source(source, restart=False)
        prefs = self.context.prefs
        options = dict(attendance=self.context.attendance, pace_files=prefs.pace_video_files,
                       loop_files=prefs.loop_video_files, stall_timeout_s=self.context.settings.camera_stall_timeout_s,
                       capture_factory=self.capture_factory, parent=self)
        worker = CameraWorker(self.context.recognizer, self.sources, **options)
        worker.frameReady.connect(self._on_frame)
        worker.stateChanged.connect(self._on_state)
        worker.checkedIn.connect(self.checkedIn)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        self.runningChanged.emit(True)
        self.started.emit()
        worker.start()

    def stop(self) -> bool:
        """True when the worker has finished; one stuck in a slow read is let go and deleted when it ends."""
        worker, self.worker = self.worker, None
        if worker is None:
            return True
        stopped = worker.stop(STOP_WAIT_S)
        worker.frameReady.disconnect(self._on_frame)
        worker.stateChanged.disconnect(self._on_state)
        # Check-ins still queued from the stopped worker are real (already written): they stay connected.
        if stopped:
            worker.deleteLater()
        else:
            self._stopping.add(worker)
            worker.finished.connect(lambda w=worker: (self._stopping.discard(w), w.deleteLater()))
        self.runningChanged.emit(False)
        self.stopped.emit()
        return stopped

    def wait_for_stopped_workers(self, timeout_ms: int = STUCK_WORKER_WAIT_MS) -> bool:
        """Wait for workers let go by ``stop`` (they still hold the attendance service)."""
        done = True
        for worker in list(self._stopping):
            done = worker.wait(timeout_ms) and done
        return done

    def add_source(self, source: str) -> bool:
        """One more camera beside the others (remembered); False when it is shown already or there are
        ``MAX_CAMERAS``. A running camera restarts with it."""
        source = str(source)
        if source in self.sources or len(self.sources) >= MAX_CAMERAS:
            return False
        prefs = self.context.prefs.with_source(source)  # remembered in Recent sources too
        self.context.set_preferences(replace(prefs, camera_source=self.context.prefs.camera_source,
                                             more_sources=(*prefs.more_sources, source)))
        if self.running:
            self.start()
        return True

    def remove_source(self, source: str) -> bool:
        """Stop showing a camera (the main one's place goes to the next); False when it is not shown or is the
        only one."""
        sources = self.sources
        if source not in sources or len(sources) == 1:
            return False
        rest = [s for s in sources if s != source]
        prefs = self.context.prefs
        self.context.set_preferences(replace(prefs, camera_source=rest[0], more_sources=tuple(rest[1:])))
        if self.running:
            self.start()
        return True

    def set_source(self, source: str, restart: bool = True) -> None:
        """The main camera; one also shown beside it is shown once, here."""
        prefs = self.context.prefs.with_source(str(source))
        self.context.set_preferences(replace(prefs, more_sources=tuple(s for s in prefs.more_sources if s != str(source))))
        if restart and self.running:
            self.start()

    def current_frame(self):
        """The raw BGR frame last shown, or None when the camera is not streaming."""
        return None if self.last_packet is None or not self.running else self.last_packet.frame

    def forget_last_frame(self) -> None:
        self.last_packet = None

    def _on_frame(self, packet: FramePacket) -> None:
        worker = self.sender()
        if worker is None or worker is not self.worker:
            return  # a late frame of a stopped (maybe deleted) worker
        if packet.tile == 0:  # the main camera's frame is the one enrollment captures
            self.last_packet = packet
        self.frameReady.emit(packet)
        worker.frame_shown(packet.tile)
        self.frameShown.emit(packet)

    def _on_state(self, state: SourceState) -> None:
        if self.worker is not None and self.sender() is self.worker:
            self.stateChanged.emit(state)

    def _on_worker_finished(self) -> None:
        worker = self.sender()
        if worker is not None and worker is self.worker:  # ended or failed on its own
            self.worker = None
            worker.deleteLater()
            self.runningChanged.emit(False)
