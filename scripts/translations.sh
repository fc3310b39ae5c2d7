#!/usr/bin/env bash
# The window's translations (docs/i18n.md). Run from anywhere:
#   bash scripts/translations.sh            refresh the .ts sources from the code, then compile them
#   bash scripts/translations.sh --release  only compile the .ts sources into .qm catalogues
# lupdate collects every tr() / QCoreApplication.translate() / QT_TRANSLATE_NOOP string of
# facegui/gui into resources/i18n/facegui_zh_CN.ts (and the plural forms into facegui_en.ts);
# strings no longer in the code are dropped. The .ts and the .qm files are both committed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
[ -x "$BIN/pyside6-lupdate" ] || BIN=$(dirname "$(command -v pyside6-lupdate || echo /nonexistent/x)")
if [ ! -x "$BIN/pyside6-lupdate" ] || [ ! -x "$BIN/pyside6-lrelease" ]; then
    echo "scripts/translations.sh: pyside6-lupdate/pyside6-lrelease not found; run scripts/test.sh once (it builds .venv)" >&2
    exit 1
fi
I18N=resources/i18n
LANGUAGES="zh_CN"  # one facegui_<locale>.ts per language besides English

if [ "${1:-}" != "--release" ]; then
    mapfile -t sources < <(find facegui/gui -name '*.py' | sort)
    for language in $LANGUAGES; do
        "$BIN/pyside6-lupdate" -silent -no-obsolete -locations none -source-language en \
            -target-language "$language" "${sources[@]}" -ts "$I18N/facegui_$language.ts"
    done
    # English needs a catalogue only for plural forms ("%n person(s)" → "1 person", "2 people").
    "$BIN/pyside6-lupdate" -silent -no-obsolete -locations none -pluralonly -source-language en \
        -target-language en "${sources[@]}" -ts "$I18N/facegui_en.ts"
fi
for source in "$I18N"/facegui_*.ts; do
    "$BIN/pyside6-lrelease" -silent -removeidentical "$source" -qm "${source%.ts}.qm"
done
