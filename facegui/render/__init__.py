"""Face labels (boxes, names, similarities) drawn with Qt, one renderer for the window and the files.

Qt shapes text in any script (CJK, Arabic, Cyrillic …) with the system's fonts; OpenCV's
built-in fonts cannot, which is why the engine no longer draws. This layer sits above the
service and below the window and the CLI; the engine, storage and service stay free of Qt.
"""
from __future__ import annotations

from .fonts import displayable_name, label_font, renders_fully
from .headless import RenderError, ensure_gui_application
from .images import bgr_to_qimage, qimage_to_bgr
from .labels import FaceLabel, annotated_copy, draw_labels, label_text

__all__ = [
    "FaceLabel", "RenderError", "annotated_copy", "bgr_to_qimage", "displayable_name", "draw_labels",
    "ensure_gui_application", "label_font", "label_text", "qimage_to_bgr", "renders_fully",
]
