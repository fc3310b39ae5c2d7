"""The two tiers themselves: without ../shared the whole suite still collects (no test module may
read a photo or model at import), and a real-model test fails naming the missing folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def pytest_without_shared(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FACEGUI_SHARED": str(tmp_path / "no-shared-here"), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_whole_suite_collects_without_the_shared_folder(tmp_path):
    result = pytest_without_shared(tmp_path, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_a_real_model_test_fails_naming_the_missing_folder(tmp_path):
    result = pytest_without_shared(tmp_path, "-q", "tests/test_docs.py::test_ci_runs_the_readme_test_command")
    assert result.returncode == 1
    assert f"the real-model tests need the test data folder {tmp_path / 'no-shared-here'}" in result.stdout
