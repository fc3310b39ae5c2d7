#!/usr/bin/env bash
# Build the one-folder desktop bundle: dist/facegui/facegui (see docs/packaging.md).
#
#   bash scripts/build_bundle.sh                                # GPU flavour: dist/facegui/facegui
#   FACEGUI_BUNDLE_FLAVOUR=cpu bash scripts/build_bundle.sh     # CPU flavour (plain onnxruntime, small)
#
# 1. a virtual environment with facegui and PyInstaller (the `test` extra): .venv for the GPU flavour
#    (onnxruntime-gpu), .venv-cpu for the CPU flavour, where plain onnxruntime of the same version
#    replaces onnxruntime-gpu (both install the module `onnxruntime`, so they cannot share one),
# 2. the models converted from ../shared/models (or FACEGUI_SHARED/models) into model_data/,
#    with their licences; without that folder, whatever model_data/ already holds is used,
# 3. pyinstaller build.spec, into dist/ (build/ for PyInstaller's work files),
# 4. the bundle's own --self-test.
# Extra arguments go to pyinstaller (e.g. --distpath DIR --workpath DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${FACEGUI_SHARED:-../shared}"
MODELS="${FACEGUI_BUNDLE_MODELS:-model_data}"
FLAVOUR="${FACEGUI_BUNDLE_FLAVOUR:-gpu}"
export FACEGUI_BUNDLE_MODELS="$MODELS" FACEGUI_BUNDLE_FLAVOUR="$FLAVOUR"
case "$FLAVOUR" in
    gpu) VENV="${FACEGUI_BUNDLE_VENV:-.venv}" ;;
    cpu) VENV="${FACEGUI_BUNDLE_VENV:-.venv-cpu}" ;;
    *) echo "scripts/build_bundle.sh: FACEGUI_BUNDLE_FLAVOUR=$FLAVOUR: use gpu or cpu" >&2; exit 2 ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[test]"
if [ "$FLAVOUR" = cpu ]; then
    # pyproject asks for onnxruntime-gpu on Linux/Windows x86-64; swap it for the CPU package.
    gpu_version="$("$VENV/bin/python" -c 'import importlib.metadata as m
try:
    print(m.version("onnxruntime-gpu"))
except m.PackageNotFoundError:
    print("")')"
    if [ -n "$gpu_version" ]; then
        "$VENV/bin/python" -m pip uninstall --quiet --yes onnxruntime-gpu
        "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "onnxruntime==$gpu_version"
    fi
fi

if [ -d "$SHARED/models" ]; then
    "$VENV/bin/facegui" models install --models "$MODELS" --from "$SHARED/models"
    cp "$SHARED"/models/LICENSE-*.txt "$MODELS"/ 2>/dev/null || true
fi

# Qt's X11 plugin links a few xcb helper libraries that a desktop has but a build server may not;
# PyInstaller bundles only what it finds on the build system, so a missing one would be missing for
# every user whose desktop lacks it (tests/test_bundle.py checks every link of every bundled file).
missing_xcb=""
system_libraries="$(ldconfig -p 2>/dev/null || true)"
for pair in libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 \
            libxcb-image.so.0:libxcb-image0 libxcb-render-util.so.0:libxcb-render-util0 \
            libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0; do
    grep -q "^[[:space:]]*${pair%%:*} " <<<"$system_libraries" || missing_xcb="$missing_xcb ${pair#*:}"
done
if [ -n "$system_libraries" ] && [ -n "$missing_xcb" ]; then
    APT_CALLER=scripts/build_bundle.sh
    # shellcheck source=scripts/apt.sh
    source scripts/apt.sh
    # shellcheck disable=SC2086  # one word per package
    apt_install $missing_xcb || { echo "scripts/build_bundle.sh: the bundle needs these on the build" \
        "system, for Qt's X11 plugin:$missing_xcb" >&2; exit 1; }
fi

started=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN build.spec "$@"
echo "built the $FLAVOUR flavour in $(( $(date +%s) - started )) s"

dist=dist
prev=""
for arg in "$@"; do  # honour --distpath DIR / --distpath=DIR
    case "$prev" in --distpath) dist="$arg" ;; esac
    case "$arg" in --distpath=*) dist="${arg#--distpath=}" ;; esac
    prev="$arg"
done
bundle="$(cd "$dist/facegui" && pwd)"
du -sh "$bundle"
# From another folder, so the self-test uses the bundled models and not ./model_data.
(cd "${TMPDIR:-/tmp}" && "$bundle/facegui" --self-test) || { echo "the bundle's self-test failed" >&2; exit 1; }
echo "run it with: $bundle/facegui"
