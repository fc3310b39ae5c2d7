"""Which font draws a label, and what to draw when no installed font has a name's glyphs.

Qt picks a fallback font per character through the platform's font database (fontconfig on
Linux, DirectWrite on Windows, CoreText on macOS). We put a Simplified Chinese family right
after the UI font so Han characters take their mainland forms rather than whichever CJK font
comes first (often the Japanese one). docs/i18n.md "Fonts" says how each system provides one.
"""
from __future__ import annotations

from functools import lru_cache

from anyascii import anyascii
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QTextLayout

from .headless import ensure_gui_application

PREFERRED_CJK_FAMILIES = (
    "Noto Sans CJK SC",      # Linux: Debian/Ubuntu fonts-noto-cjk, Fedora google-noto-sans-cjk
    "Source Han Sans SC",    # the same design under Adobe's name
    "Microsoft YaHei",       # Windows Vista and later
    "PingFang SC",           # macOS 10.11 and later
    "Hiragino Sans GB",      # older macOS
    "SimHei",                # older Windows
    "WenQuanYi Micro Hei",   # older Linux distributions
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
MISSING_GLYPH = 0
"""The glyph index every font uses for "not in this font" (the box, or tofu)."""
COVERAGE_PIXEL_SIZE = 20
"""Size of the font a name's coverage is checked with: which glyphs exist does not depend on it."""


@lru_cache(maxsize=1)
def label_families() -> tuple[str, ...]:
    """The UI font's family, then the installed preferred CJK families."""
    installed = set(QFontDatabase.families())
    ui_family = QFontInfo(QFont()).family()  # the real family, not an alias such as "Sans Serif"
    return (ui_family, *(family for family in PREFERRED_CJK_FAMILIES if family in installed))


def label_font(pixel_size: int) -> QFont:
    ensure_gui_application()  # fonts exist only under a QGuiApplication; Qt aborts otherwise
    font = QFont()
    font.setFamilies(list(label_families()))
    font.setPixelSize(pixel_size)
    font.setBold(True)
    return font


def renders_fully(text: str, font: QFont) -> bool:
    """True when every character of ``text`` has a real glyph in ``font`` or one of Qt's fallbacks.

    QFontMetrics.inFont only asks the first font; laying the text out asks every font Qt would
    actually draw with, and a glyph index of 0 in any run is a box on the screen.
    """
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return all(MISSING_GLYPH not in run.glyphIndexes() for run in layout.glyphRuns())


@lru_cache(maxsize=4096)
def displayable_name(name: str) -> str:
    """``name`` when the installed fonts draw all of it; else its Latin transliteration
    (张学友 → ZhangXueYou); else "" (the name then appears only in lists, never as boxes or "?").
    """
    font = label_font(COVERAGE_PIXEL_SIZE)
    if renders_fully(name, font):
        return name
    try:
        latin = anyascii(name).strip()
    except OSError:  # its tables left out of a bundle: the name goes to the lists only
        latin = ""
    return latin if latin and renders_fully(latin, font) else ""
