"""Several live pictures side by side: one ``VideoView`` per camera, each with its own check-in banner.

Two cameras sit next to each other, three or four in a 2 x 2 grid. Only shows data; the station page feeds it.
"""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget

from .checkin_banner import CheckInBanner
from .video_view import VideoView

GRID_GAP_PX = 4


def grid_position(index: int, count: int) -> tuple[int, int]:
    """(row, column) of picture ``index`` of ``count``: one row for up to two, else two columns."""
    columns = count if count <= 2 else 2
    return divmod(index, columns)


class VideoGrid(QWidget):
    """``views[i]`` and ``banners[i]`` are camera i's picture and confirmation banner; the first view is kept
    for the window's life (the single-camera view), the others come and go with ``set_count``."""

    def __init__(self, first: VideoView, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("videoGrid")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(GRID_GAP_PX)
        self.views: list[VideoView] = [first]
        self.banners: list[CheckInBanner] = [CheckInBanner(first)]
        self.grid.addWidget(first, 0, 0)

    def set_count(self, count: int) -> None:
        count = max(count, 1)
        while len(self.views) > count:
            view = self.views.pop()
            self.banners.pop()
            self.grid.removeWidget(view)
            view.deleteLater()
        while len(self.views) < count:
            view = VideoView()
            view.setObjectName(f"videoView{len(self.views)}")
            self.views.append(view)
            self.banners.append(CheckInBanner(view))
        for index, view in enumerate(self.views):
            self.grid.removeWidget(view)
            self.grid.addWidget(view, *grid_position(index, count))
        rows = 1 if count <= 2 else 2
        for row in range(2):
            self.grid.setRowStretch(row, 1 if row < rows else 0)
