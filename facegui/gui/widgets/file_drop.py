"""Dropping files from the desktop onto a window: one behaviour for every widget that accepts them."""
from __future__ import annotations


def local_paths(event) -> list[str]:
    data = event.mimeData()
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile()] if data.hasUrls() else []


class FileDropTarget:
    """Mixed in before the Qt widget class; the widget calls ``setAcceptDrops(True)`` and defines
    ``files_dropped(paths)``."""

    def dragEnterEvent(self, event) -> None:
        if local_paths(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.files_dropped(paths)
