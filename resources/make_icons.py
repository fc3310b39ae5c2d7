"""Regenerate the icon files in resources/ from the SVG in facegui/gui/widgets/icon.py.

    QT_QPA_PLATFORM=offscreen python resources/make_icons.py

Writes ``facegui.png`` (256 px), ``icons/hicolor/NxN/apps/facegui.png`` for the freedesktop icon
theme (what ``facegui install-desktop`` copies) and ``facegui.ico`` for the Windows exe. The ICO is
written by the small stdlib writer below: each size is stored as PNG data, which Windows Vista
and later read, so no Pillow is needed.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG image per size (ICONDIR, ICONDIRENTRY..., data)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in sorted(pngs.items()):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication

    from facegui.gui.widgets.icon import render_icon

    _app = QGuiApplication.instance() or QGuiApplication([])

    def png(size: int) -> bytes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        render_icon(size).save(buffer, "PNG")
        buffer.close()
        return bytes(data)

    pngs = {size: png(size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    (HERE / "facegui.png").write_bytes(pngs[256])
    for size in PNG_SIZES:
        target = HERE / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "facegui.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
    (HERE / "facegui.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    print(f"wrote facegui.png, {len(PNG_SIZES)} theme icons and facegui.ico in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
