"""Shared fixtures, and the two test tiers.

- The unit tier (``pytest -m unit``): every test under tests/unit/, marked here. It needs neither
  ../shared nor model files: it checks logic, with an onnxruntime session faked where a test needs one.
- The real-model tier (``pytest -m "not unit"``): the real models, converted once per session from
  ../shared/models, on the real photos in ../shared/faces. Without that folder these tests fail, each
  with one line naming the missing folder: never skipped, so a CI run that lost it cannot pass.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from facegui.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FACEGUI_SHARED", REPO.parent / "shared"))
FACES = SHARED / "faces"
MODELS = SHARED / "models"
UNIT_DIR = Path(__file__).resolve().parent / "unit"


def shared_data_problem() -> str | None:
    """Why the real-model tier cannot run here, or None when ../shared is in place."""
    if FACES.is_dir() and MODELS.is_dir():
        return None
    return (f"the real-model tests need the test data folder {SHARED} (models/ and faces/), which is missing; "
            f"set FACEGUI_SHARED to it, or run only the unit tier: python -m pytest -m unit")


def pytest_configure(config: pytest.Config) -> None:
    # Never read the developer's own settings file or data folder.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for key in [k for k in os.environ if k.startswith("FACEGUI_") and k != "FACEGUI_SHARED"]:
        del os.environ[key]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if UNIT_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.unit)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("unit") is None:
        problem = shared_data_problem()
        if problem is not None:
            pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real models installed as `facegui models install` does (graphs optimised for this CPU
    included), so every real-model test runs what a user runs."""
    from facegui.service import install_models

    target = tmp_path_factory.mktemp("models")
    install_models(Settings(data_dir=tmp_path_factory.mktemp("install-data"), model_dir=target), [MODELS])
    return target


@pytest.fixture
def settings(tmp_path: Path, models_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", model_dir=models_dir)


@pytest.fixture
def cli_args(tmp_path: Path, models_dir: Path) -> list[str]:
    """The options every CLI call in the tests gets, so no user data is touched."""
    return ["--data-dir", str(tmp_path / "data"), "--models", str(models_dir),
            "--config", str(tmp_path / "no-settings.json")]
