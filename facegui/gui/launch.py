"""Open the window: ``facegui`` with no command (``facegui.app`` calls ``launch``).

Before the main window, a missing model opens the first-run dialog (import or download it)
instead of an error. ``--smoke-test SOURCE`` opens the window headless-friendly, streams SOURCE
until the first frame is shown, prints the time since the process started and quits.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from ..config import Settings, SettingsError
from ..engine import ModelLoadError
from ..service.model_install import ModelStore, ModelStoreError
from ..service import Recognizer
from ..service.diagnostics import start_problems_log, stop_problems_log
from ..service.model_opening import ModelOpening
from ..service.types import StorageError

_IMPORTED_AT = time.perf_counter()
SMOKE_PREFIX = "facegui smoke-test:"


def process_age_s() -> float:
    """Seconds since this process started: from the kernel on Linux, else since this module
    was imported (which misses the interpreter's own start-up)."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # starttime, field 22 of proc_pid_stat(5)
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED_AT


def launch(parsed_args) -> int:
    # Read once, before Qt: where the settings are good and both models present, the models are checked and
    # opened on threads of their own while Qt and the window's modules load (service.model_opening).
    try:
        settings, settings_problem = Settings.from_options(parsed_args), None
    except SettingsError as exc:
        settings, settings_problem = None, str(exc)
    if settings is not None:
        start_problems_log(settings, "window")
    models = ModelStore.from_settings(settings) if settings is not None else None
    missing = models.missing() if models is not None else []
    opening = ModelOpening(settings, models) if settings is not None and models is not None and not missing \
        else None
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .core.context import AppContext
    from .core.preferences import GUI_SETTINGS_FILE, PreferenceStore
    from .i18n import apply_language
    from .dialogs.first_run import FirstRunDialog
    from .main_window import MainWindow
    from .widgets.icon import app_icon

    smoke_source = getattr(parsed_args, "smoke_test", None)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("facegui")
    app.setOrganizationName("facegui")
    app.setDesktopFileName("facegui")  # Wayland/X11 match the window with facegui.desktop's icon
    app.setWindowIcon(app_icon())
    config = getattr(parsed_args, "config", None)
    config_file = Path(config) if config else None
    smoke_dir = tempfile.TemporaryDirectory(prefix="facegui-smoke-") if smoke_source is not None else None
    if smoke_dir is not None:  # the smoke test never changes the user's window preferences
        store = PreferenceStore(Path(smoke_dir.name) / GUI_SETTINGS_FILE)
    else:
        # With --config, the GUI preferences live next to that file; else in the user config folder.
        store = PreferenceStore(config_file.parent / GUI_SETTINGS_FILE if config_file else None)
    # The language before the first dialog (the first-run one, or an error box): it applies on each start.
    apply_language(store.load().language)
    if settings is None or models is None:
        return _fatal(smoke_source, str(settings_problem),
                      lambda text=str(settings_problem): QMessageBox.critical(None, "facegui", text))
    if missing:
        if smoke_source is not None:  # headless: a dialog would wait for ever
            return _fatal(smoke_source, f"model(s) missing: {', '.join(missing)}", None)
        if not FirstRunDialog(models, missing, settings=settings).exec():
            return 2
    try:
        recognizer = Recognizer.open(settings, models, opening=opening)  # None: installed by the first-run dialog
    except ModelStoreError as exc:
        return _fatal(smoke_source, str(exc), lambda text=str(exc): QMessageBox.critical(
            None, "facegui", text + "\n\n" + QCoreApplication.translate("launch", "Install the models with:")
            + "\n  facegui models install"))
    except (ModelLoadError, StorageError) as exc:
        return _fatal(smoke_source, str(exc), lambda text=str(exc): QMessageBox.critical(None, "facegui", text))
    window = context = None
    try:
        context = AppContext(recognizer, store=store, config_file=config_file, owns_recognizer=True)
        context.unexpected.install()
        window = MainWindow(context)
        if recognizer.engine.fell_back_to_cpu:
            window.status.show_message(QCoreApplication.translate(
                "launch", "Running on CPU: CUDA is offered but its libraries are not usable"), 10000)
        window.show()
        if smoke_source is None and (getattr(parsed_args, "kiosk", False) or context.prefs.start_station):
            window.start_station()
        if smoke_source is not None:
            return _smoke_test(app, window, smoke_source, getattr(parsed_args, "smoke_timeout", 120.0))
        code = app.exec()
        # Closing the last window posted a Quit event; it must not end a later event loop of this process.
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        return code
    finally:
        if window is not None:
            # Threads stopped, then what they queued for the window dropped: no late frame or task
            # result reaches a slot after the gallery is closed (an in-process caller may run Qt again).
            window.shutdown()
            QCoreApplication.removePostedEvents(window)
        if context is not None:
            context.close()
        else:
            recognizer.close()
        if smoke_dir is not None:
            smoke_dir.cleanup()
        stop_problems_log()


def _fatal(smoke_source, message: str, show) -> int:
    if smoke_source is not None:
        print(f"{SMOKE_PREFIX} FAILED: {message}", file=sys.stderr, flush=True)
        return 1
    if show is not None:
        show()
    return 2


def _smoke_test(app, window, source: str, timeout_s: float) -> int:
    """Stream ``source`` until the window has shown one frame; 0 then, 1 on timeout or error."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    outcome = {"code": 1, "done": False}

    def finish(code: int, line: str) -> None:
        if outcome["done"]:
            return
        outcome.update(code=code, done=True)
        print(line, file=sys.stdout if code == 0 else sys.stderr, flush=True)
        window.close()
        app.quit()

    def on_frame(packet) -> None:
        age_ms = process_age_s() * 1000
        finish(0, f"{SMOKE_PREFIX} ok (first frame shown {age_ms:.0f} ms after process start, "
                  f"{len(packet.faces)} face(s), {window.context.engine.device})")

    def on_state(state) -> None:
        if state.state == "error":
            finish(1, f"{SMOKE_PREFIX} FAILED: {state.message}")

    window.camera.frameShown.connect(on_frame)
    QTimer.singleShot(int(timeout_s * 1000), lambda: finish(
        1, f"{SMOKE_PREFIX} FAILED: no frame of {source} shown within {timeout_s:.0f} s"))
    window.camera.stateChanged.connect(on_state)
    window.camera.start(source)
    app.exec()
    # Closing the last window while running posted a Quit event; it must not end a later event loop.
    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
    return outcome["code"]
