# Installing Debian packages for the test command, sourced by scripts/test.sh (and its tests).
#   apt_install PACKAGE...      install them; one plain line and status 1 when that cannot be done
#   need_command COMMAND PACKAGE install PACKAGE unless COMMAND is on the PATH; exits when it cannot
# Another apt or dpkg may hold apt's lock (an unattended upgrade, a parallel job): apt_install waits
# for it, up to APT_LOCK_WAIT_S seconds (default 600), looking again every APT_LOCK_POLL_S (15).
# The messages name the caller, APT_CALLER (default scripts/test.sh).
APT_LOCK_WAIT_S=${APT_LOCK_WAIT_S:-600}
APT_LOCK_POLL_S=${APT_LOCK_POLL_S:-15}
APT_CALLER=${APT_CALLER:-scripts/test.sh}
apt_updated=0

apt_busy() {  # apt's own words when another process holds one of its locks
    grep -qiE 'could not get lock|unable to (acquire|lock)|is another process using it|waiting for cache lock' "$1"
}

# apt_install PACKAGE...: install Debian packages; fails (with one line) where apt cannot be used.
apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "$APT_CALLER: cannot install $* here (needs root and apt-get); install it and run again" >&2
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
            [ "$waited" = 0 ] && echo "$APT_CALLER: apt is busy (another install holds its lock);" \
                "waiting up to ${APT_LOCK_WAIT_S} s to install $*" >&2
            sleep "$APT_LOCK_POLL_S"
            waited=$((waited + APT_LOCK_POLL_S))
            continue
        fi
        if apt_busy "$log"; then
            echo "$APT_CALLER: apt stayed locked by another process for ${APT_LOCK_WAIT_S} s;" \
                "could not install $*. Run the tests again when that install has finished." >&2
        else
            echo "$APT_CALLER: apt-get could not install $*: $(grep -m1 '^E:' "$log" || tail -n 1 "$log")" >&2
        fi
        rm -f "$log"
        return 1
    done
}

# need_command COMMAND PACKAGE: install PACKAGE unless COMMAND is already on the PATH.
need_command() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2" || exit 1
}

