"""The application icon, kept as SVG text so it ships inside the package."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect x="8" y="8" width="240" height="240" rx="48" fill="#1f3b57"/>
  <circle cx="128" cy="112" r="58" fill="#f2c9a0"/>
  <path d="M52 228c6-44 38-66 76-66s70 22 76 66z" fill="#f2c9a0"/>
  <circle cx="107" cy="106" r="7" fill="#1f3b57"/>
  <circle cx="149" cy="106" r="7" fill="#1f3b57"/>
  <path d="M108 136q20 14 40 0" stroke="#1f3b57" stroke-width="6" fill="none" stroke-linecap="round"/>
  <g stroke="#4cd964" stroke-width="12" fill="none" stroke-linecap="round">
    <path d="M40 76V44h32"/><path d="M184 44h32v32"/>
    <path d="M216 180v32h-32"/><path d="M72 212H40v-32"/>
  </g>
</svg>
"""


def render_icon(size: int = 256) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(ICON_SVG.encode())).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(QPixmap.fromImage(render_icon(size)))
    return icon
