"""What the window remembers between runs that the CLI does not need.

GUI-only preferences (window geometry, camera source, recent sources, video playback) live in
``gui.ini`` (QSettings, INI format) next to ``settings.json``. The engine settings are not here: they
are ``facegui.config.Settings``, saved by ``facegui.config.save_settings``.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ...config import settings_file_problem, user_config_dir
from ...files import config_folder, make_private_file

log = logging.getLogger(__name__)

GUI_SETTINGS_FILE = "gui.ini"
MAX_RECENT = 8


@dataclass(frozen=True)
class GuiPreferences:
    camera_source: str = "0"
    """Device index, video file or URL."""
    recent_sources: tuple[str, ...] = ()
    more_sources: tuple[str, ...] = ()
    """Cameras shown beside ``camera_source`` (Camera → Add camera…), recognised in the same process."""
    pace_video_files: bool = True
    """Play video files at their own frame rate (like a camera) rather than as fast as possible."""
    loop_video_files: bool = False
    start_station: bool = False
    """Start the camera (the last source) and the station view (kiosk mode) when facegui starts."""
    checkin_sound: bool = False
    """A short sound with each check-in confirmation at the station."""
    problems_seen_until: str = ""
    """The time of the newest problems-log line the admin has seen (Help ▸ Problems log), as the log writes
    times; the status bar counts the lines after it (``service.diagnostics.problems_after``)."""
    language: str = "system"
    """The window's language: "system" (follow the system locale), "en" or "zh_CN" (``gui/i18n.py``); applies
    on the next start."""

    def with_source(self, source: str) -> "GuiPreferences":
        recent = (source,) + tuple(s for s in self.recent_sources if s != source)
        return replace(self, camera_source=source, recent_sources=recent[:MAX_RECENT])


class PreferenceStore:
    """GuiPreferences and window state in an INI file."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else user_config_dir() / GUI_SETTINGS_FILE
        self.problem = settings_file_problem(self.path)  # why the file is not used (a pipe, too large …)
        where = self.path
        if self.problem is not None:
            # QSettings would read a pipe for as long as nothing writes to it: the window would never open.
            log.warning("%s: %s; the window's preferences start from their defaults and are not kept",
                        self.path, self.problem)
            self._scratch = tempfile.TemporaryDirectory(prefix="facegui-gui-")
            where = Path(self._scratch.name) / GUI_SETTINGS_FILE
        else:
            self._keep_private(own_folder=path is None)
        self.qsettings = QSettings(str(where), QSettings.Format.IniFormat)

    def _keep_private(self, own_folder: bool) -> None:
        """The file holds camera addresses, which may carry a password (rtsp://user:password@…): it is made
        user-only before QSettings first writes it (Qt would create it with the umask's mode, 0644), and Qt
        keeps an existing file's mode each time it saves."""
        try:
            config_folder(self.path.parent, own=own_folder)
            make_private_file(self.path)
        except OSError as exc:  # a read-only folder: QSettings cannot save there either, and says nothing
            log.warning("%s: cannot be made user-only (%s)", self.path, exc.strerror or exc)

    def load(self) -> GuiPreferences:
        values = {}
        defaults = GuiPreferences()
        for f in fields(GuiPreferences):
            key = f"preferences/{f.name}"
            if not self.qsettings.contains(key):
                continue
            raw = self.qsettings.value(key)
            default = getattr(defaults, f.name)
            try:
                if isinstance(default, bool):
                    values[f.name] = str(raw).lower() in ("true", "1", "yes")
                elif isinstance(default, tuple):
                    items = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
                    values[f.name] = tuple(str(s) for s in items)
                else:
                    values[f.name] = type(default)(raw)
            except (TypeError, ValueError):
                continue  # a hand-edited bad value falls back to the default
        return GuiPreferences(**values)

    def save(self, prefs: GuiPreferences) -> None:
        for f in fields(GuiPreferences):
            value = getattr(prefs, f.name)
            self.qsettings.setValue(f"preferences/{f.name}", list(value) if isinstance(value, tuple) else value)
        self.qsettings.sync()

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.qsettings.value("window/geometry"), self.qsettings.value("window/state")

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        self.qsettings.sync()
