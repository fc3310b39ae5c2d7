#!/usr/bin/env bash
# Set up a virtual environment with facegui and its test tools, then run the layering check and the tests.
# Needs ../shared (models and photos) beside the repository, or FACEGUI_SHARED pointing at it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# --- system tools the tests need (added for the packaging tests) ------------------------------
# desktop-file-validate checks resources/facegui.desktop (tests/test_packaging.py). CI runs as root
# on Debian, so apt-get installs it when missing; anywhere it cannot, stop with what to install.
if ! command -v desktop-file-validate >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq desktop-file-utils >/dev/null
    fi
    if ! command -v desktop-file-validate >/dev/null 2>&1; then
        echo "scripts/test.sh: desktop-file-validate is missing; install desktop-file-utils" >&2
        exit 1
    fi
fi
# ------------------------------------------------------------------------------------------------

.venv/bin/ruff check --quiet --select F facegui tests bench  # undefined names, unused imports
.venv/bin/lint-imports
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest "$@"
