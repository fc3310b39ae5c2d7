#!/usr/bin/env bash
# Set up a virtual environment with facegui and its test tools, then run the layering check and the tests.
# Needs ../shared (models and photos) beside the repository, or FACEGUI_SHARED pointing at it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/lint-imports
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest "$@"
