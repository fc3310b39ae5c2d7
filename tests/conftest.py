"""Shared fixtures: the real models converted once per session from ../shared/models."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from facegui.config import Settings
from facegui.modelstore import ModelStore

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FACEGUI_SHARED", REPO.parent / "shared"))
FACES = SHARED / "faces"
MODELS = SHARED / "models"


def pytest_configure(config):
    if not (FACES.is_dir() and MODELS.is_dir()):
        raise pytest.UsageError(f"the test data folder {SHARED} is missing (set FACEGUI_SHARED)")
    # Never read the developer's own settings file or data folder.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for key in [k for k in os.environ if k.startswith("FACEGUI_") and k != "FACEGUI_SHARED"]:
        del os.environ[key]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("models")
    ModelStore([], target).install_from(MODELS)
    return target


@pytest.fixture
def settings(tmp_path, models_dir) -> Settings:
    return Settings(data_dir=tmp_path / "data", model_dir=models_dir)


@pytest.fixture
def cli_args(tmp_path, models_dir) -> list[str]:
    """The options every CLI call in the tests gets, so no user data is touched."""
    return ["--data-dir", str(tmp_path / "data"), "--models", str(models_dir),
            "--config", str(tmp_path / "no-settings.json")]
