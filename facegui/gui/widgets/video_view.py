"""The live picture: the newest annotated frame scaled to fit, or a message when there is none."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

CAPTION_MARGIN_PX = 8


class VideoView(QWidget):
    """Paints the newest annotated frame scaled to fit, or a message when there is none."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("videoView")
        self.setMinimumSize(320, 180)
        self.image: QImage | None = None
        self.message = self.tr("Camera stopped — press F5 to start")
        self.message_is_error = False
        self.hint = ""
        """A quiet line at the bottom, over the picture (e.g. "Look at the camera")."""
        self.caption = ""
        """Which camera this is, in the top left corner, when several are shown side by side."""

    def set_frame(self, image: QImage) -> None:
        self.image = image
        self.message = ""
        self.update()

    def set_message(self, text: str, error: bool = False, keep_frame: bool = False) -> None:
        self.message, self.message_is_error = text, error
        if not keep_frame:
            self.image = None
        self.update()

    def set_hint(self, text: str) -> None:
        if text != self.hint:
            self.hint = text
            self.update()

    def set_caption(self, text: str) -> None:
        if text != self.caption:
            self.caption = text
            self.setToolTip(text)
            self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        for child in self.children():
            place = getattr(child, "place", None)
            if callable(place):
                place()

    def sizeHint(self) -> QSize:
        return QSize(800, 450)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 24, 24))
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        if self.message:
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            rect = self.rect().adjusted(20, 20, -20, -20)
            bounds = painter.boundingRect(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            painter.fillRect(bounds.adjusted(-12, -8, 12, 8), QColor(0, 0, 0, 170))
            painter.setPen(QColor(255, 120, 110) if self.message_is_error else QColor(230, 230, 230))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        elif self.hint:
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            painter.setFont(font)
            rect = self.rect().adjusted(20, 20, -20, -30)
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
            bounds = painter.boundingRect(rect, flags, self.hint)
            painter.fillRect(bounds.adjusted(-16, -8, 16, 8), QColor(0, 0, 0, 150))
            painter.setPen(QColor(235, 235, 235))
            painter.drawText(rect, flags, self.hint)
        if self.caption:
            self._paint_caption(painter)
        painter.end()

    def _paint_caption(self, painter: QPainter) -> None:
        painter.setFont(self.font())  # the widget's own size: the message and hint enlarge theirs
        metrics = painter.fontMetrics()
        text = metrics.elidedText(self.caption, Qt.TextElideMode.ElideMiddle, max(self.width() // 2, 40))
        bounds = metrics.boundingRect(text).adjusted(-8, -4, 8, 4)
        bounds.moveTopLeft(self.rect().topLeft() + QPoint(CAPTION_MARGIN_PX, CAPTION_MARGIN_PX))
        painter.fillRect(bounds, QColor(0, 0, 0, 150))
        painter.setPen(QColor(235, 235, 235))
        painter.drawText(bounds, Qt.AlignmentFlag.AlignCenter, text)
