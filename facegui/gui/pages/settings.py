"""The Settings page: detection, recognition, onnxruntime, camera, enrollment and attendance, as a form.

It only shows and reads values; the settings dialog validates them and hands them to the context
(``AppContext.apply_settings``, the one path for a change).
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ...config import Settings, SettingsError
from ..core.preferences import GuiPreferences


NO_CUDA = "CUDA is not available: this onnxruntime has no NVIDIA GPU support, or no GPU is present"


def provider_choices() -> list[tuple[str, str, str]]:
    """(setting value, label, why it cannot be chosen or ""); CUDA greyed out where onnxruntime cannot offer it."""
    choices = [("auto", "Automatic (CUDA when usable)", ""), ("cpu", "CPU", "")]
    try:
        import onnxruntime

        has_cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    except ImportError:
        has_cuda = False
    choices.append(("cuda", "NVIDIA GPU (CUDA)" if has_cuda else "NVIDIA GPU (CUDA): not available here",
                    "" if has_cuda else NO_CUDA))
    return choices


class SettingsPage(QWidget):
    def __init__(self, choose_source=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.det_size = QSpinBox()
        self.det_size.setRange(32, 4096)
        self.det_size.setSingleStep(32)
        self.det_size.setSuffix(" px")
        self.det_size.setToolTip("Long side of the image fed to the detector: larger finds smaller faces, slower")
        self.confidence = self._fraction(0.01, 0.99, "Minimum detector score of a face")
        self.nms_iou = self._fraction(0.01, 0.99, "Overlap above which two boxes are the same face")
        self.threshold = self._fraction(-1.0, 1.0, "Cosine similarity at or above which a face gets a name")
        self.min_face = QSpinBox()
        self.min_face.setRange(0, 2000)
        self.min_face.setSuffix(" px")
        self.min_face.setSpecialValueText("no minimum")
        self.provider = QComboBox()
        model = self.provider.model()
        for value, label, reason in provider_choices():
            self.provider.addItem(label, value)
            if reason:  # greyed out, with the reason in its tooltip
                item = model.item(self.provider.count() - 1)
                item.setEnabled(False)
                item.setToolTip(reason)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("automatic")
        self.source = QLineEdit()
        self.source.setToolTip("Camera index (0, 1…), a video file path or a stream URL")
        browse = QPushButton("Choose…")
        browse.clicked.connect(lambda: choose_source and choose_source(self.source))
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(browse)
        self.pace = QCheckBox("Play video files at their own frame rate")
        self.loop = QCheckBox("Loop video files")
        self.start_station = QCheckBox("Start the camera and the station view (kiosk mode) when facegui starts")
        self.enroll_min_face = QSpinBox()
        self.enroll_min_face.setRange(0, 2000)
        self.enroll_min_face.setSuffix(" px")
        self.enroll_min_sharpness = QDoubleSpinBox()
        self.enroll_min_sharpness.setRange(0, 10000)
        self.enroll_min_sharpness.setDecimals(0)
        self.enroll_min_sharpness.setToolTip("Laplacian variance of the aligned face; blurred faces score below ~50")
        self.checkin_min_hits = QSpinBox()
        self.checkin_min_hits.setRange(1, 100)
        self.checkin_min_hits.setToolTip("A person is checked in once named in this many of the last frames")
        self.checkin_window = QSpinBox()
        self.checkin_window.setRange(1, 100)
        self.checkin_window.setSuffix(" frames")
        self.checkin_window.setToolTip("How many of the latest frames the check-in vote looks at")
        self.checkin_cooldown = QDoubleSpinBox()
        self.checkin_cooldown.setRange(0, 24 * 3600)
        self.checkin_cooldown.setDecimals(0)
        self.checkin_cooldown.setSuffix(" s")
        self.checkin_cooldown.setToolTip("No second check-in of the same person within this time (a new day "
                                         "always allows one)")
        self.snapshots = QCheckBox("Keep a small snapshot of the face with each check-in and unknown face")
        self.log_unknown = QCheckBox("Log unknown faces for review (snapshot, time; enroll them in one step)")
        self.retention = QSpinBox()
        self.retention.setRange(0, 36500)
        self.retention.setSuffix(" days")
        self.retention.setSpecialValueText("forever")
        self.retention.setToolTip("Attendance records and snapshots older than this are deleted at start-up")

        recognition = QFormLayout()
        recognition.addRow("How alike a face must be to get a name:", self.threshold)
        recognition.addRow("Ignore faces narrower than:", self.min_face)
        camera = QFormLayout()
        camera.addRow("Camera:", source_row)
        camera.addRow(self.pace)
        camera.addRow(self.loop)
        camera.addRow(self.start_station)
        votes = QHBoxLayout()
        votes.addWidget(self.checkin_min_hits)
        votes.addWidget(QLabel("of the last"))
        votes.addWidget(self.checkin_window)
        votes.addStretch(1)
        attendance = QFormLayout()
        attendance.addRow("Check someone in once seen in:", votes)
        attendance.addRow("Do not check the same person in again within:", self.checkin_cooldown)
        attendance.addRow("Keep attendance records for:", self.retention)
        attendance.addRow(self.snapshots)
        attendance.addRow(self.log_unknown)
        enrollment = QFormLayout()
        enrollment.addRow("Refuse enrollment photos whose face is narrower than:", self.enroll_min_face)
        enrollment.addRow("Refuse blurred enrollment photos (minimum sharpness):", self.enroll_min_sharpness)
        advanced = QFormLayout()
        advanced.addRow("Detector input size:", self.det_size)
        advanced.addRow("Detection confidence:", self.confidence)
        advanced.addRow("Overlap of boxes that are the same face (NMS IoU):", self.nms_iou)
        advanced.addRow("Run the models on (reloads them):", self.provider)
        advanced.addRow("Threads per model (reloads them):", self.threads)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, form in (("Recognition", recognition), ("Camera", camera), ("Attendance", attendance),
                            ("Enrollment", enrollment)):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        self.show_advanced = QPushButton("Advanced settings")
        self.show_advanced.setCheckable(True)
        self.advanced = QGroupBox("Advanced")
        self.advanced.setObjectName("advancedSettings")
        self.advanced.setLayout(advanced)
        self.advanced.setVisible(False)
        self.show_advanced.toggled.connect(self.advanced.setVisible)
        self.restore_button = QPushButton("Restore defaults")
        self.restore_button.setToolTip("Every value on this page back to facegui's default (the camera stays)")
        self.restore_button.clicked.connect(self.restore_defaults)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_advanced)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        layout.addLayout(buttons)
        layout.addWidget(self.advanced)

    @staticmethod
    def _fraction(low, high, tip) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(3)
        box.setSingleStep(0.01)
        box.setToolTip(tip)
        return box

    def restore_defaults(self) -> None:
        """Facegui's defaults in every field; the camera source and playback stay as they are."""
        defaults = Settings()
        current_prefs = GuiPreferences(camera_source=self.source.text(), pace_video_files=self.pace.isChecked(),
                                       loop_video_files=self.loop.isChecked(),
                                       start_station=self.start_station.isChecked())
        self.load(defaults, current_prefs)

    def load(self, settings: Settings, prefs) -> None:
        self.det_size.setValue(settings.detector_input_size)
        self.confidence.setValue(settings.detector_confidence)
        self.nms_iou.setValue(settings.detector_nms_iou)
        self.threshold.setValue(settings.similarity_threshold)
        self.min_face.setValue(settings.min_face_size)
        index = self.provider.findData(settings.execution_provider)
        if index < 0:  # "cuda" saved on a machine without CUDA
            self.provider.addItem(f"{settings.execution_provider} (not available here)", settings.execution_provider)
            index = self.provider.count() - 1
        self.provider.setCurrentIndex(index)
        self.threads.setValue(settings.intra_op_threads)
        self.source.setText(prefs.camera_source)
        self.pace.setChecked(prefs.pace_video_files)
        self.loop.setChecked(prefs.loop_video_files)
        self.start_station.setChecked(prefs.start_station)
        self.enroll_min_face.setValue(settings.enroll_min_face_size)
        self.enroll_min_sharpness.setValue(settings.enroll_min_sharpness)
        self.checkin_min_hits.setValue(settings.checkin_min_hits)
        self.checkin_window.setValue(settings.checkin_window)
        self.checkin_cooldown.setValue(settings.checkin_cooldown_s)
        self.snapshots.setChecked(settings.attendance_snapshots)
        self.log_unknown.setChecked(settings.log_unknown_faces)
        self.retention.setValue(settings.retention_days)

    def values(self, settings: Settings, prefs: GuiPreferences) -> tuple[Settings, GuiPreferences]:
        """``settings`` and ``prefs`` changed as the widgets say; raises SettingsError when invalid."""
        source = self.source.text().strip()
        if not source:
            raise SettingsError("the camera source cannot be empty (use 0 for the first camera)")
        settings = settings.replace(
            detector_input_size=self.det_size.value(), detector_confidence=round(self.confidence.value(), 3),
            detector_nms_iou=round(self.nms_iou.value(), 3), similarity_threshold=round(self.threshold.value(), 3),
            min_face_size=self.min_face.value(), execution_provider=self.provider.currentData(),
            intra_op_threads=self.threads.value(), enroll_min_face_size=self.enroll_min_face.value(),
            enroll_min_sharpness=float(self.enroll_min_sharpness.value()),
            checkin_min_hits=self.checkin_min_hits.value(), checkin_window=self.checkin_window.value(),
            checkin_cooldown_s=float(self.checkin_cooldown.value()),
            attendance_snapshots=self.snapshots.isChecked(), log_unknown_faces=self.log_unknown.isChecked(),
            retention_days=self.retention.value())
        prefs = replace(prefs, camera_source=source, pace_video_files=self.pace.isChecked(),
                        loop_video_files=self.loop.isChecked(), start_station=self.start_station.isChecked())
        return settings, prefs
