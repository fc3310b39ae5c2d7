#!/usr/bin/env bash
# Build the one-folder desktop bundle: dist/facegui/facegui (see docs/packaging.md).
#
#   bash scripts/build_bundle.sh            # then: dist/facegui/facegui
#
# 1. a virtual environment with facegui and PyInstaller (the `test` extra),
# 2. the models converted from ../shared/models (or FACEGUI_SHARED/models) into model_data/,
#    with their licences; without that folder, whatever model_data/ already holds is used,
# 3. pyinstaller build.spec, into dist/ (build/ for PyInstaller's work files),
# 4. the bundle's own --self-test.
# Extra arguments go to pyinstaller (e.g. --distpath DIR --workpath DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${FACEGUI_SHARED:-../shared}"
MODELS="${FACEGUI_BUNDLE_MODELS:-model_data}"
export FACEGUI_BUNDLE_MODELS="$MODELS"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

if [ -d "$SHARED/models" ]; then
    .venv/bin/facegui models install --models "$MODELS" --from "$SHARED/models"
    cp "$SHARED"/models/LICENSE-*.txt "$MODELS"/ 2>/dev/null || true
fi

started=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec "$@"
echo "built in $(( $(date +%s) - started )) s"

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
