"""Settings: defaults, validation with one clear message, and the file ← environment ← options order."""
from __future__ import annotations

import json
import os
import stat
from types import SimpleNamespace

import pytest

from facegui.config import MAX_SETTINGS_FILE_BYTES, Settings, SettingsError


@pytest.mark.parametrize("change, message", [
    ({"detector_input_size": 16}, "detector_input_size"),
    ({"detector_input_size": 100_000}, "detector_input_size must be between 32 and 4096"),
    ({"detector_confidence": 1.0}, "detector_confidence"),
    ({"similarity_threshold": 1.5}, "similarity_threshold"),
    ({"execution_provider": "tpu"}, "execution_provider"),
    ({"track_iou": 0.0}, "track_iou"),
    ({"checkin_window": 2, "checkin_min_hits": 3}, "checkin"),
    ({"database_url": "mysql://db/x"}, "postgresql://"),
    ({"database_url": "postgresql://facegui:secret@db/school"}, "password"),
    # A SettingsError, not urllib's ValueError (a traceback before), and the password not echoed.
    ({"database_url": "postgresql://facegui:secret@[::1/school"}, r"^database_url is not a valid URL \(Invalid IPv6"),
    ({"database_url": "postgresql://facegui@db:99999/school"}, r"not a valid URL \(Port out of range"),
])
def test_invalid_values_are_refused_naming_the_setting(tmp_path, change, message):
    with pytest.raises(SettingsError, match=message):
        Settings(data_dir=tmp_path, **change)


def test_the_defaults_are_valid(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert 0 < settings.similarity_threshold < settings.checkin_min_similarity < 1
    assert settings.checkin_min_hits <= settings.checkin_window


def test_unknown_settings_are_refused_by_name():
    with pytest.raises(SettingsError, match="unknown setting.*colour"):
        Settings.from_mapping({"colour": "red"})


@pytest.mark.parametrize("text, message", [
    ("[1, 2]", "settings.json: not a readable settings file (it holds an array, not an object of settings)"),
    ('"data_dir"', "(it holds a string, not an object of settings)"),
    ('{"retention_days": 1e400}', "setting retention_days: cannot read inf"),
    ('{"similarity_threshold": true}', "setting similarity_threshold: cannot read True"),
    ('{"data_dir": "/tmp/a\\u0000b"}', "setting data_dir: cannot read"),
])
def test_a_settings_file_of_the_wrong_shape_is_one_clear_error(tmp_path, text, message):
    """Valid JSON that is not settings: before, a list or an infinite number ended in a traceback, and
    true was taken as the threshold 1.0 (nobody ever named)."""
    path = tmp_path / "settings.json"
    path.write_text(text)
    with pytest.raises(SettingsError) as caught:
        Settings.load(path, environ={})
    assert message in str(caught.value)


def test_a_damaged_settings_file_is_one_clear_error(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(SettingsError, match="settings.json: not a readable settings file"):
        Settings.load(path, environ={})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_settings_path_that_is_no_file_is_refused_unread(tmp_path):
    """A pipe with no writer would hold the start for ever; a device such as /dev/zero never ends."""
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    huge = tmp_path / "huge.json"
    with huge.open("wb") as out:
        out.truncate(MAX_SETTINGS_FILE_BYTES + 1)
    for name, reason in [("pipe.json", "is a named pipe \\(FIFO\\), not a settings file"),
                         ("zero.json", "is a character device, not a settings file"),
                         (".", "is a folder, not a settings file"), ("huge.json", "too large for a settings file")]:
        with pytest.raises(SettingsError, match=reason):
            Settings.load(tmp_path / name, environ={})
    assert Settings.load(tmp_path / "not yet saved.json", environ={}, data_dir=tmp_path).data_dir == tmp_path


def test_file_then_environment_then_options(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"similarity_threshold": 0.4, "checkin_window": 7, "data_dir": str(tmp_path)}))
    env = {"FACEGUI_SIMILARITY_THRESHOLD": "0.45", "FACEGUI_CHECKIN_WINDOW": "6"}
    settings = Settings.load(path, environ=env, checkin_window=8)
    assert settings.similarity_threshold == pytest.approx(0.45) and settings.checkin_window == 8


def test_command_line_options_override_the_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"similarity_threshold": 0.4}))
    options = SimpleNamespace(config=str(path), data_dir=str(tmp_path / "d"), threshold=0.5)
    settings = Settings.from_options(options)
    assert settings.similarity_threshold == 0.5 and settings.data_dir == tmp_path / "d"


def test_values_round_trip_through_a_mapping(tmp_path):
    settings = Settings(data_dir=tmp_path, similarity_threshold=0.42, tracking=False)
    assert Settings.from_mapping(json.loads(json.dumps(settings.to_mapping()))) == settings


@pytest.mark.parametrize("target, reason", [
    ("postgresql://facegui@[::1/school", "Invalid IPv6 URL"),
    ("postgresql://facegui:secret@db:99999/school", "Port out of range"),
])
def test_a_malformed_copy_target_url_is_one_line_without_the_url(tmp_path, target, reason):
    """``db copy --to`` with a URL urllib cannot take apart: before, its ValueError was a traceback."""
    from facegui.service.shared_database import copy_data
    from facegui.storage.copy import CopyError

    with pytest.raises(CopyError) as caught:
        copy_data(Settings(data_dir=tmp_path), target)
    assert str(caught.value).startswith(f"the target is not a valid URL ({reason}") and "secret" not in str(caught.value)


def test_saved_settings_are_user_only_and_only_facegui_s_own_folder_is_tightened(tmp_path, monkeypatch):
    """The window saves settings.json user-only whatever the umask. facegui's own config folder is made
    0700 (the window's gui.ini and the settings live there); a folder named with --config keeps its mode."""
    from facegui import config
    from facegui.config import save_settings

    own = tmp_path / "config" / "facegui"
    own.mkdir(parents=True, mode=0o755)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    monkeypatch.setattr(config, "user_config_dir", lambda: own)
    old_umask = os.umask(0o022)
    try:
        save_settings(Settings(similarity_threshold=0.4), ["similarity_threshold"])
        save_settings(Settings(similarity_threshold=0.4), ["similarity_threshold"], shared / "settings.json")
    finally:
        os.umask(old_umask)
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in
             (own, own / "settings.json", shared, shared / "settings.json")}
    assert modes == {own: 0o700, own / "settings.json": 0o600, shared: 0o755, shared / "settings.json": 0o600}
    assert json.loads((shared / "settings.json").read_text()) == {"similarity_threshold": 0.4}
    assert sorted(p.name for p in shared.iterdir()) == ["settings.json"]  # no temp file left beside it
