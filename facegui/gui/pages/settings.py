"""The Settings page: detection, recognition, onnxruntime, camera, enrollment and attendance, as a form.

It only shows and reads values; the settings dialog validates them and hands them to the context
(``AppContext.apply_settings``, the one path for a change).
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ...config import MAX_DETECTOR_INPUT_SIZE, Settings, SettingsError
from ...service.sources import source_problem
from ..core.problems import video_source_problem_text
from ..core.preferences import GuiPreferences
from ..core.text import arg
from ..i18n import language_choices
from ..widgets.camera_list import CameraList


translate = QCoreApplication.translate
NO_CUDA = QT_TRANSLATE_NOOP("SettingsPage", "CUDA is not available: this onnxruntime has no NVIDIA GPU support, or no GPU is present")
CUDA_UNUSABLE = QT_TRANSLATE_NOOP("SettingsPage", "CUDA cannot run here: onnxruntime offers it, but its libraries "
                                                  "(CUDA 13, cuDNN 9) or the GPU are missing, so the models run on "
                                                  "the CPU")


def provider_choices(engine=None) -> list[tuple[str, str, str]]:
    """(setting value, label, why it cannot be chosen or ""); CUDA greyed out where it cannot run.

    onnxruntime-gpu lists CUDA even where its libraries are missing, so the list alone is not the answer: when
    this session asked for CUDA and was given the CPU (``engine.fell_back_to_cpu``), CUDA cannot run here.
    """
    choices = [("auto", translate("SettingsPage", "Automatic (CUDA when usable)"), ""), ("cpu", "CPU", "")]
    try:
        import onnxruntime

        has_cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    except ImportError:
        has_cuda = False
    reason = (translate("SettingsPage", NO_CUDA) if not has_cuda else
              translate("SettingsPage", CUDA_UNUSABLE) if getattr(engine, "fell_back_to_cpu", False) else "")
    choices.append(("cuda", translate("SettingsPage", "NVIDIA GPU (CUDA): not available here") if reason
                    else translate("SettingsPage", "NVIDIA GPU (CUDA)"), reason))
    return choices


class SettingsPage(QWidget):
    def __init__(self, choose_source=None, parent: QWidget | None = None, engine=None):
        super().__init__(parent)
        self.det_size = QSpinBox()
        self.det_size.setRange(32, MAX_DETECTOR_INPUT_SIZE)
        self.det_size.setSingleStep(32)
        self.det_size.setSuffix(self.tr(" px"))
        self.det_size.setToolTip(self.tr("Long side of the image fed to the detector: larger finds smaller faces, slower"))
        self.confidence = self._fraction(0.01, 0.99, self.tr("Minimum detector score of a face"))
        self.nms_iou = self._fraction(0.01, 0.99, self.tr("Overlap above which two boxes are the same face"))
        self.threshold = self._fraction(-1.0, 1.0, self.tr("Cosine similarity at or above which a face gets a name"))
        self.min_face = QSpinBox()
        self.min_face.setRange(0, 2000)
        self.min_face.setSuffix(self.tr(" px"))
        self.min_face.setSpecialValueText(self.tr("no minimum"))
        self.provider = QComboBox()
        model = self.provider.model()
        for value, label, reason in provider_choices(engine):
            self.provider.addItem(label, value)
            if reason:  # greyed out, with the reason in its tooltip
                item = model.item(self.provider.count() - 1)
                item.setEnabled(False)
                item.setToolTip(reason)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("automatic"))
        self.source = QLineEdit()
        self.source.setToolTip(self.tr("Camera index (0, 1…), a video file path or a stream URL"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(lambda: choose_source and choose_source(self.source))
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(browse)
        self.pace = QCheckBox(self.tr("Play video files at their own frame rate"))
        self.loop = QCheckBox(self.tr("Loop video files"))
        self.start_station = QCheckBox(self.tr("Start the camera and the station view (kiosk mode) when facegui starts"))
        self.checkin_sound = QCheckBox(self.tr("Play a short sound when the station confirms a check-in"))
        self.enroll_min_face = QSpinBox()
        self.enroll_min_face.setRange(0, 2000)
        self.enroll_min_face.setSuffix(self.tr(" px"))
        self.enroll_min_sharpness = QDoubleSpinBox()
        self.enroll_min_sharpness.setRange(0, 10000)
        self.enroll_min_sharpness.setDecimals(0)
        self.enroll_min_sharpness.setToolTip(self.tr("Laplacian variance of the aligned face; blurred faces score below ~50"))
        self.enroll_min_own = self._fraction(-1.0, 1.0, self.tr(
            "A new photo of someone already enrolled must be at least this alike to one of their photos; below it "
            "the photo is taken for somebody else's"))
        self.checkin_min_hits = QSpinBox()
        self.checkin_min_hits.setRange(1, 100)
        self.checkin_min_hits.setToolTip(self.tr("A person is checked in once named in this many of the last frames"))
        self.checkin_window = QSpinBox()
        self.checkin_window.setRange(1, 100)
        self.checkin_window.setSuffix(self.tr(" frames"))
        self.checkin_window.setToolTip(self.tr("How many of the latest frames the check-in vote looks at"))
        self.checkin_cooldown = QDoubleSpinBox()
        self.checkin_cooldown.setRange(0, 24 * 3600)
        self.checkin_cooldown.setDecimals(0)
        self.checkin_cooldown.setSuffix(self.tr(" s"))
        self.checkin_cooldown.setToolTip(self.tr("No second check-in of the same person within this time (a new day "
                                                 "always allows one)"))
        self.snapshots = QCheckBox(self.tr("Keep a small snapshot of the face with each check-in and unknown face"))
        self.log_unknown = QCheckBox(self.tr("Log unknown faces for review (snapshot, time; enroll them in one step)"))
        self.retention = QSpinBox()
        self.retention.setRange(0, 36500)
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setSpecialValueText(self.tr("forever"))
        self.retention.setToolTip(self.tr("Attendance records and snapshots older than this are deleted at start-up"))
        self.language = QComboBox()
        self.language.setObjectName("languageChoice")
        for choice, label in language_choices():
            self.language.addItem(label, choice)

        recognition = QFormLayout()
        recognition.addRow(self.tr("How alike a face must be to get a name:"), self.threshold)
        recognition.addRow(self.tr("Ignore faces narrower than:"), self.min_face)
        camera = QFormLayout()
        camera.addRow(self.tr("Camera:"), source_row)
        self.more_cameras = CameraList()  # Camera → Add camera… adds to it
        self.more_cameras.setToolTip(self.tr("Cameras shown beside this one (Camera → Add camera…)"))
        camera.addRow(self.tr("Also shown:"), self.more_cameras)
        camera.addRow(self.pace)
        camera.addRow(self.loop)
        camera.addRow(self.start_station)
        camera.addRow(self.checkin_sound)
        votes = QHBoxLayout()
        votes.addWidget(self.checkin_min_hits)
        votes.addWidget(QLabel(self.tr("of the last")))
        votes.addWidget(self.checkin_window)
        votes.addStretch(1)
        attendance = QFormLayout()
        attendance.addRow(self.tr("Check someone in once seen in:"), votes)
        attendance.addRow(self.tr("Do not check the same person in again within:"), self.checkin_cooldown)
        attendance.addRow(self.tr("Keep attendance records for:"), self.retention)
        attendance.addRow(self.snapshots)
        attendance.addRow(self.log_unknown)
        window = QFormLayout()
        window.addRow(self.tr("Language (applies when facegui starts again):"), self.language)
        enrollment = QFormLayout()
        enrollment.addRow(self.tr("Refuse enrollment photos whose face is narrower than:"), self.enroll_min_face)
        enrollment.addRow(self.tr("Refuse blurred enrollment photos (minimum sharpness):"), self.enroll_min_sharpness)
        enrollment.addRow(self.tr("Refuse a new photo of someone less alike to their photos than:"), self.enroll_min_own)
        advanced = QFormLayout()
        advanced.addRow(self.tr("Detector input size:"), self.det_size)
        advanced.addRow(self.tr("Detection confidence:"), self.confidence)
        advanced.addRow(self.tr("Overlap of boxes that are the same face (NMS IoU):"), self.nms_iou)
        advanced.addRow(self.tr("Run the models on (reloads them):"), self.provider)
        advanced.addRow(self.tr("Detector threads (reloads the models):"), self.threads)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, form in ((self.tr("Recognition"), recognition), (self.tr("Camera"), camera),
                            (self.tr("Attendance"), attendance), (self.tr("Enrollment"), enrollment),
                            (self.tr("Window"), window)):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        self.show_advanced = QPushButton(self.tr("Advanced settings"))
        self.show_advanced.setCheckable(True)
        self.advanced = QGroupBox(self.tr("Advanced"))
        self.advanced.setObjectName("advancedSettings")
        self.advanced.setLayout(advanced)
        self.advanced.setVisible(False)
        self.show_advanced.toggled.connect(self.advanced.setVisible)
        self.restore_button = QPushButton(self.tr("Restore defaults"))
        self.restore_button.setToolTip(self.tr("Every value on this page back to facegui's default (the camera stays)"))
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
                                       start_station=self.start_station.isChecked(),
                                       checkin_sound=self.checkin_sound.isChecked(),
                                       language=self.language.currentData(),
                                       more_sources=self.more_cameras.sources())
        self.load(defaults, current_prefs)

    def load(self, settings: Settings, prefs) -> None:
        self.det_size.setValue(settings.detector_input_size)
        self.confidence.setValue(settings.detector_confidence)
        self.nms_iou.setValue(settings.detector_nms_iou)
        self.threshold.setValue(settings.similarity_threshold)
        self.min_face.setValue(settings.min_face_size)
        index = self.provider.findData(settings.execution_provider)
        if index < 0:  # "cuda" saved on a machine without CUDA
            self.provider.addItem(arg(self.tr("%1 (not available here)"), settings.execution_provider),
                                  settings.execution_provider)
            index = self.provider.count() - 1
        self.provider.setCurrentIndex(index)
        self.threads.setValue(settings.intra_op_threads)
        self.source.setText(prefs.camera_source)
        self.more_cameras.set_sources(prefs.more_sources)
        self.pace.setChecked(prefs.pace_video_files)
        self.loop.setChecked(prefs.loop_video_files)
        self.start_station.setChecked(prefs.start_station)
        self.checkin_sound.setChecked(prefs.checkin_sound)
        language = self.language.findData(prefs.language)
        self.language.setCurrentIndex(language if language >= 0 else 0)  # a hand-edited value: the system's
        self.enroll_min_face.setValue(settings.enroll_min_face_size)
        self.enroll_min_sharpness.setValue(settings.enroll_min_sharpness)
        self.enroll_min_own.setValue(settings.enroll_min_own_similarity)
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
            raise SettingsError(self.tr("the camera source cannot be empty (use 0 for the first camera)"))
        problem = source_problem(source) if source != prefs.camera_source else None
        if problem:  # a video file is checked when chosen (opened, a frame read), not retried for ever
            raise SettingsError(arg(self.tr("Cannot use this video file: %1"), video_source_problem_text(problem)))
        settings = settings.replace(
            detector_input_size=self.det_size.value(), detector_confidence=round(self.confidence.value(), 3),
            detector_nms_iou=round(self.nms_iou.value(), 3), similarity_threshold=round(self.threshold.value(), 3),
            min_face_size=self.min_face.value(), execution_provider=self.provider.currentData(),
            intra_op_threads=self.threads.value(), enroll_min_face_size=self.enroll_min_face.value(),
            enroll_min_sharpness=float(self.enroll_min_sharpness.value()),
            enroll_min_own_similarity=round(self.enroll_min_own.value(), 3),
            checkin_min_hits=self.checkin_min_hits.value(), checkin_window=self.checkin_window.value(),
            checkin_cooldown_s=float(self.checkin_cooldown.value()),
            attendance_snapshots=self.snapshots.isChecked(), log_unknown_faces=self.log_unknown.isChecked(),
            retention_days=self.retention.value())
        prefs = replace(prefs, camera_source=source, pace_video_files=self.pace.isChecked(),
                        loop_video_files=self.loop.isChecked(), start_station=self.start_station.isChecked(),
                        checkin_sound=self.checkin_sound.isChecked(),
                        language=self.language.currentData(),
                        more_sources=tuple(s for s in self.more_cameras.sources() if s != source))
        return settings, prefs
