"""scripts/apt.sh, the test command's package installer, against a stand-in apt-get: it waits for a
busy apt lock a bounded time, then says so in one plain line instead of apt's raw error."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

APT_SH = Path(__file__).resolve().parents[2] / "scripts" / "apt.sh"
LOCKED = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)"


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    stand_in(folder, "id", 'echo 0\n')  # as root, like CI
    return folder


def apt_get_locked_for(bin_dir: Path, calls: int, then: str = "exit 0") -> Path:
    """apt-get that reports a held lock on its first ``calls`` runs, then does ``then``."""
    counter = bin_dir.parent / "apt-calls"
    stand_in(bin_dir, "apt-get", f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n + 1)) > {counter}\n'
                                 f'if [ "$n" -lt {calls} ]; then echo "{LOCKED}" >&2; exit 100; fi\n{then}\n')
    return counter


def install(bin_dir: Path, *packages: str, wait_s: int = 30) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_LOCK_WAIT_S": str(wait_s),
           "APT_LOCK_POLL_S": "1"}
    return subprocess.run(["bash", "-c", f'set -euo pipefail; source "{APT_SH}"; apt_install "$@"', "-", *packages],
                          env=env, capture_output=True, text=True, timeout=60)


def test_a_busy_lock_is_waited_for_and_said_once(bin_dir):
    counter = apt_get_locked_for(bin_dir, calls=2)
    result = install(bin_dir, "postgresql")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "scripts/test.sh: apt is busy (another install holds its lock); waiting up to 30 s to install postgresql"]
    assert counter.read_text().strip() == "4"  # two refused, then update and install


def test_a_lock_that_stays_busy_ends_in_one_plain_line(bin_dir):
    apt_get_locked_for(bin_dir, calls=1000)
    result = install(bin_dir, "postgresql", wait_s=2)
    assert result.returncode == 1
    *_, last = result.stderr.splitlines()
    assert last.startswith("scripts/test.sh: apt stayed locked by another process for 2 s; could not install "
                           "postgresql") and "E:" not in result.stderr


def test_other_apt_errors_are_one_line_naming_the_package(bin_dir):
    apt_get_locked_for(bin_dir, calls=0, then='echo "E: Unable to locate package nosuchpkg" >&2; exit 100')
    result = install(bin_dir, "nosuchpkg")
    assert result.returncode == 1
    assert result.stderr == "scripts/test.sh: apt-get could not install nosuchpkg: E: Unable to locate package nosuchpkg\n"


def test_without_root_it_says_what_to_install(bin_dir):
    stand_in(bin_dir, "id", "echo 1000\n")
    result = install(bin_dir, "desktop-file-utils")
    assert result.returncode == 1 and "install it and run again" in result.stderr
