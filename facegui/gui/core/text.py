"""Words the window builds from numbers and values, in the language in force (``gui/i18n.py``).

Plural forms are Qt's: ``self.tr("%n photo(s)", "", n)`` (English forms from ``facegui_en.qm``); values go
into a translated sentence as ``%1``, ``%2`` … with ``arg``, so a translation may put them in another order.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QObject, QTime

from ...engine.video import parse_source
from ...service.sources import source_label

_PLACEHOLDER = re.compile(r"%(\d)")


def arg(template: str, *values: object) -> str:
    """``arg("%1 of %2", 3, 5)`` → "3 of 5": each ``%N`` replaced once, in one pass (a value holding "%2" stays)."""
    return _PLACEHOLDER.sub(lambda m: str(values[int(m.group(1)) - 1]) if 0 < int(m.group(1)) <= len(values)
                            else m.group(0), template)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """English only (kept for callers outside the window's translated text): "1 photo", "2 photos"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def day_text(day: date) -> str:
    """A day as the locale writes it without the year: "Sunday 29 November", "11月29日 星期日"."""
    locale = QLocale()
    qdate = QDate(day.year, day.month, day.day)
    if locale.language() == QLocale.Language.Chinese:
        return locale.toString(qdate, "M月d日 dddd")
    return locale.toString(qdate, "dddd d MMMM")


def time_text(moment: datetime | None, seconds: bool = True) -> str:
    """A clock time in the locale's digits and order (24 h where the locale uses it); "—" for none."""
    if moment is None:
        return "—"
    qtime = QTime(moment.hour, moment.minute, moment.second)
    return QLocale().toString(qtime, "HH:mm:ss" if seconds else "HH:mm")


def source_text(source: str | int) -> str:
    """A video source as the window names it: a camera by its number in the window's language ("camera 0",
    "摄像头 0"), a file by its path, a URL without its password (``service.sources.source_label``, which
    attendance records keep in every language)."""
    parsed = parse_source(source)
    if isinstance(parsed, int):
        return arg(QCoreApplication.translate("Sources", "camera %1"), parsed)
    return source_label(parsed)


def number_text(value: float, decimals: int = 2) -> str:
    """A decimal number as the locale writes it (similarities: 0.82)."""
    return QLocale().toString(float(value), "f", decimals)


class Plurals(QObject):
    """Counted phrases for code that is not a QObject: lupdate sees plural forms only in ``tr()`` calls."""

    def faces(self, n: int) -> str:
        return self.tr("%n face(s)", "", n)


_plurals: Plurals | None = None


def plurals() -> Plurals:
    global _plurals
    if _plurals is None:
        _plurals = Plurals()
    return _plurals
