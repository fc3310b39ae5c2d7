"""The window's language: Qt translators for the system locale, or for the language chosen in Settings.

The choice is one of ``LANGUAGES``' keys ("system", "en", "zh_CN"), stored with the window's other
preferences. ``apply_language`` installs the translators before the first window is built, and may
be called again later: Qt then sends every widget a LanguageChange event, and a widget that sets
its texts in one method can re-run it there (otherwise the change shows on the next start).

Catalogues are ``resources/i18n/facegui_<locale>.qm`` (built from the committed ``.ts`` sources by
``scripts/translations.sh``); Qt's own ``qtbase_<locale>.qm`` translates standard buttons and
dialogs. A locale without a catalogue (say zh_TW) gets the English source strings. Dates, times and
numbers follow the same locale through ``QLocale.setDefault``: format them with ``QLocale()``.
The CLI stays English and never loads this module.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..service.selftest import resource_path

log = logging.getLogger(__name__)

SYSTEM = "system"
ENGLISH = "en"
LANGUAGES: dict[str, str] = {
    SYSTEM: QT_TRANSLATE_NOOP("Language", "System"),
    "en": "English",
    "zh_CN": "简体中文",
}
"""Choice → how the Settings menu shows it: each language in its own words, "System" translated."""
CATALOGUE = "facegui"
"""Our catalogues are CATALOGUE_<locale>.qm; Qt's own are QT_CATALOGUE_<locale>.qm."""
QT_CATALOGUE = "qtbase"
TRANSLATIONS_FOLDER = "i18n"
"""Inside resources/ (the source tree and the bundle alike)."""

_installed: list[QTranslator] = []


def language_choices() -> list[tuple[str, str]]:
    """(choice, label) pairs for the Settings menu, labels in the current language."""
    return [(choice, QCoreApplication.translate("Language", label) if choice == SYSTEM else label)
            for choice, label in LANGUAGES.items()]


def locale_for(language: str) -> QLocale:
    """The QLocale of a choice; an unknown choice (a hand-edited file) means the system's."""
    if language == SYSTEM:
        return QLocale.system()
    if language not in LANGUAGES:
        log.warning("language %r is not one of %s; following the system", language, ", ".join(LANGUAGES))
        return QLocale.system()
    return QLocale(language)


def translations_dir() -> Path | None:
    return resource_path(TRANSLATIONS_FOLDER)


def apply_language(language: str = SYSTEM, folder: Path | None = None) -> QLocale:
    """Install the translators for ``language`` on the running application, replacing earlier ones.

    Returns the locale now in force. Missing catalogues are not an error: the window then shows
    the English source strings.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("apply_language needs a running Qt application")
    locale = locale_for(language)
    QLocale.setDefault(locale)
    remove_translators()
    ours = folder if folder is not None else translations_dir()
    qt_own = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue, where in ((QT_CATALOGUE, qt_own), (CATALOGUE, str(ours) if ours else None)):
        if not where:
            continue
        translator = QTranslator(app)  # parented: lives as long as the application
        loaded = translator.load(locale, catalogue, "_", where)
        if not loaded and catalogue == CATALOGUE:
            # No catalogue for this language (de_DE, zh_TW…): English, with its real plural forms.
            loaded = translator.load(QLocale(ENGLISH), catalogue, "_", where)
        if loaded and app.installTranslator(translator):
            _installed.append(translator)
    return locale


def ensure_language() -> None:
    """A window built without ``apply_language`` (tests, a program embedding ours) gets English with its plural
    forms ("1 photo", "2 photos"); one built after ``apply_language`` keeps that language."""
    if not _installed:
        apply_language(ENGLISH)


def remove_translators() -> None:
    """Uninstall the translators ``apply_language`` installed: the English source strings again."""
    app = QCoreApplication.instance()
    for translator in _installed:
        if app is not None:
            app.removeTranslator(translator)
        translator.deleteLater()
    _installed.clear()


def installed_catalogues() -> list[str]:
    """Files of the translators in force (for the About box and for tests)."""
    return [translator.filePath() for translator in _installed]
