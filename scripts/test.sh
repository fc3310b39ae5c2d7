#!/usr/bin/env bash
# Set up a virtual environment with facegui and its test tools, then run the checks and both test tiers:
# the fast unit tier (no models or photos needed), then the real-model tier, which needs ../shared
# (models and photos) beside the repository, or FACEGUI_SHARED pointing at it.
# Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# --- system packages the tests need -------------------------------------------------------------
# CI runs as root on Debian, so apt-get installs what is missing (scripts/apt.sh: apt_install, which
# waits a bounded time when another apt or dpkg holds the lock and then says so plainly).
# shellcheck source=scripts/apt.sh
source scripts/apt.sh

# desktop-file-validate checks resources/facegui.desktop (tests/test_packaging.py).
need_command desktop-file-validate desktop-file-utils
# initdb and pg_ctl of PostgreSQL 15: tests marked "postgres" start a throwaway server of their own
# (tests/postgres_server.py); FACEGUI_PG_BIN points elsewhere.
[ -x "${FACEGUI_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ] || apt_install postgresql || exit 1
# A CJK font: tests/test_render.py draws 张学友 and compares pixels (docs/i18n.md, "Fonts").
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || apt_install fonts-noto-cjk || exit 1
# ------------------------------------------------------------------------------------------------

.venv/bin/ruff check --quiet --select F facegui tests bench  # undefined names, unused imports
.venv/bin/lint-imports
.venv/bin/mypy  # files and strictness: [tool.mypy] in pyproject.toml
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m unit "$@"      # fast tier: logic, no ../shared
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m "not unit" "$@"  # the real models on the real photos
