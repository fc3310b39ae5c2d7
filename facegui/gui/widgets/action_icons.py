"""Toolbar icons: the desktop theme's where it has one, else a small bundled SVG (drawn in the palette's text
colour, so it reads on light and dark palettes alike)."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_STROKE = 'fill="none" stroke="{colour}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
BUNDLED_SVG = {
    "camera": '<rect x="3" y="7" width="13" height="10" rx="2"/><path d="M16 11l5-3v8l-5-3z"/>',
    "stop": '<rect x="6" y="6" width="12" height="12" rx="1"/>',
    "source": '<rect x="3" y="4" width="18" height="13" rx="2"/><path d="M8 21h8M12 17v4"/>',
    "enroll": '<circle cx="10" cy="8" r="4"/><path d="M3 21c0-4 3-6 7-6s7 2 7 6M19 8v6M16 11h6"/>',
    "identify": '<circle cx="10" cy="10" r="6"/><path d="M15 15l6 6"/>',
    "history": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1'
                'M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>',
}
THEME_NAMES = {"camera": "camera-web", "stop": "media-playback-stop", "source": "video-x-generic",
               "enroll": "contact-new", "identify": "edit-find", "history": "x-office-calendar",
               "settings": "preferences-system"}
"""freedesktop.org icon names, used when the desktop theme has them."""


def bundled_icon(name: str) -> QIcon:
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g {_STROKE.format(colour=colour)}>'
           f'{BUNDLED_SVG[name]}</g></svg>')
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in (16, 24, 32, 48):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


def action_icon(name: str) -> QIcon:
    """The theme's icon for ``name`` (one of ``BUNDLED_SVG``'s keys), or the bundled one."""
    return QIcon.fromTheme(THEME_NAMES[name], bundled_icon(name))
