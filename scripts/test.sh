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
# CI runs as root on Debian, so apt-get installs what is missing. Another apt or dpkg may hold its
# lock (an unattended upgrade, a parallel job): wait for it, a bounded time, and say so plainly.
APT_LOCK_WAIT_S=${APT_LOCK_WAIT_S:-600}
apt_updated=0

apt_busy() {  # apt's own words when another process holds one of its locks
    grep -qiE 'could not get lock|unable to (acquire|lock)|is another process using it|waiting for cache lock' "$1"
}

# apt_install PACKAGE...: install Debian packages; fails (with one line) where apt cannot be used.
apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "scripts/test.sh: cannot install $* here (needs root and apt-get); install it and run again" >&2
        return 1
    fi
    local log waited=0
    log=$(mktemp)
    while :; do
        if { [ "$apt_updated" = 1 ] || apt-get -o DPkg::Lock::Timeout=60 update -qq >"$log" 2>&1; } &&
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 install -y -qq \
                --no-install-recommends "$@" >"$log" 2>&1; then
            apt_updated=1
            rm -f "$log"
            return 0
        fi
        if apt_busy "$log" && [ "$waited" -lt "$APT_LOCK_WAIT_S" ]; then
            [ "$waited" = 0 ] && echo "scripts/test.sh: apt is busy (another install holds its lock);" \
                "waiting up to ${APT_LOCK_WAIT_S} s to install $*" >&2
            sleep 15
            waited=$((waited + 15))
            continue
        fi
        if apt_busy "$log"; then
            echo "scripts/test.sh: apt stayed locked by another process for ${APT_LOCK_WAIT_S} s;" \
                "could not install $*. Run the tests again when that install has finished." >&2
        else
            echo "scripts/test.sh: apt-get could not install $*: $(grep -m1 '^E:' "$log" || tail -n 1 "$log")" >&2
        fi
        rm -f "$log"
        return 1
    done
}

# need_command COMMAND PACKAGE: install PACKAGE unless COMMAND is already on the PATH.
need_command() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2" || exit 1
}

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
