"""Open the window: ``facegui`` with no command (``facegui.app`` calls ``launch``)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..config import Settings, SettingsError
from ..engine import ModelLoadError
from ..modelstore import ModelStoreError
from ..service import Recognizer
from ..storage import StorageError


def launch(parsed_args) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .gui_settings import GUI_SETTINGS_FILE, PreferenceStore
    from .icon import app_icon
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("facegui")
    app.setOrganizationName("facegui")
    app.setWindowIcon(app_icon())
    try:
        settings = Settings.from_options(parsed_args)
        recognizer = Recognizer.open(settings)
    except ModelStoreError as exc:
        QMessageBox.critical(None, "facegui", f"{exc}\n\nInstall the models with:\n  facegui models install")
        return 2
    except (SettingsError, ModelLoadError, StorageError) as exc:
        QMessageBox.critical(None, "facegui", str(exc))
        return 2
    config = getattr(parsed_args, "config", None)
    config_file = Path(config) if config else None
    # With --config, the GUI preferences live next to that file; else in the user config folder.
    store = PreferenceStore(config_file.parent / GUI_SETTINGS_FILE if config_file else None)
    try:
        window = MainWindow(recognizer, settings, store=store, config_file=config_file)
        if recognizer.engine.fell_back_to_cpu:
            window.statusBar().showMessage("Running on CPU: CUDA is offered but its libraries are not usable", 10000)
        window.show()
        return app.exec()
    finally:
        recognizer.close()
