"""The window's language loader: the committed catalogues, Qt's own, and QLocale formatting."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QLocale

from facegui.gui.i18n import (SYSTEM, apply_language, installed_catalogues, language_choices, remove_translators,
                              translations_dir)

from .conftest import REPO

I18N = REPO / "resources" / "i18n"
SUNDAY = QDate(2026, 11, 29)


@pytest.fixture
def language(qapp):
    """apply_language, undone afterwards: the other tests see English and the system locale."""
    before = QLocale()
    yield apply_language
    remove_translators()
    QLocale.setDefault(before)


def lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    assert Path(found).exists(), "pyside6-lrelease is missing (it comes with PySide6)"
    return found


def test_the_catalogues_are_found_in_resources():
    assert translations_dir() == I18N
    assert (I18N / "facegui_zh_CN.ts").is_file() and (I18N / "facegui_zh_CN.qm").is_file()


@pytest.mark.parametrize("source", sorted(I18N.glob("facegui_*.ts")), ids=lambda p: p.name)
def test_each_committed_catalogue_is_compiled_from_its_source(source, tmp_path):
    rebuilt = tmp_path / source.with_suffix(".qm").name
    subprocess.run([lrelease(), "-silent", "-removeidentical", str(source), "-qm", str(rebuilt)], check=True)
    assert rebuilt.read_bytes() == source.with_suffix(".qm").read_bytes(), \
        f"{source.name} changed: run scripts/translations.sh --release and commit the .qm"


def test_chinese_translates_ours_and_qts_strings_and_formats_dates_in_chinese(language):
    locale = language("zh_CN")
    assert locale.name() == "zh_CN"
    assert QCoreApplication.translate("Language", "System") == "跟随系统"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own buttons
    assert "星期日" in QLocale().toString(SUNDAY, QLocale.FormatType.LongFormat)
    assert {Path(p).name for p in installed_catalogues()} == {"facegui_zh_CN.qm", "qtbase_zh_CN.qm"}
    assert language_choices() == [(SYSTEM, "跟随系统"), ("en", "English"), ("zh_CN", "简体中文")]


def test_switching_to_english_live_drops_the_chinese_catalogues(language):
    language("zh_CN")
    language("en")
    assert QCoreApplication.translate("Language", "System") == "System"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert "Sunday" in QLocale().toString(SUNDAY, QLocale.FormatType.LongFormat)
    assert not any("zh_CN" in p for p in installed_catalogues())


def test_a_language_without_a_catalogue_or_an_unknown_choice_shows_english(language, tmp_path):
    language("zh_CN", folder=tmp_path)  # no facegui_zh_CN.qm there
    assert QCoreApplication.translate("Language", "System") == "System"
    assert language("klingon").name() == QLocale.system().name()  # a hand-edited file: the system's
