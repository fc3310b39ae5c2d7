"""What the window remembers between runs, and writing engine settings back to settings.json.

GUI-only preferences (window geometry, camera source, recent sources, video playback)
live in ``gui.ini`` (QSettings, INI format) in the user config folder next to
``settings.json``. The engine settings chosen in the settings dialog are merged into
``settings.json`` so the CLI sees them too (and the next start of the window).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..config import SETTINGS_FILE, user_config_dir

GUI_SETTINGS_FILE = "gui.ini"
ENGINE_KEYS = ("detector_input_size", "detector_confidence", "detector_nms_iou", "min_face_size",
               "similarity_threshold", "execution_provider", "intra_op_threads",
               "enroll_min_face_size", "enroll_min_sharpness",
               "checkin_min_hits", "checkin_window", "checkin_cooldown_s", "attendance_snapshots",
               "log_unknown_faces", "retention_days")
"""The Settings fields the settings dialog edits, written back to settings.json."""
MAX_RECENT = 8


@dataclass(frozen=True)
class GuiPreferences:
    camera_source: str = "0"
    """Device index, video file or URL."""
    recent_sources: tuple[str, ...] = ()
    pace_video_files: bool = True
    """Play video files at their own frame rate (like a camera) rather than as fast as possible."""
    loop_video_files: bool = False

    def with_source(self, source: str) -> "GuiPreferences":
        recent = (source,) + tuple(s for s in self.recent_sources if s != source)
        return replace(self, camera_source=source, recent_sources=recent[:MAX_RECENT])


class PreferenceStore:
    """GuiPreferences and window state in an INI file."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else user_config_dir() / GUI_SETTINGS_FILE
        self.qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

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


def save_engine_settings(settings, config_file: Path | None = None) -> Path:
    """Merge the settings-dialog fields of ``settings`` into settings.json (atomically)."""
    path = Path(config_file) if config_file is not None else user_config_dir() / SETTINGS_FILE
    current: dict = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            current = {}
    mapping = settings.to_mapping()
    current.update({key: mapping[key] for key in ENGINE_KEYS})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
