"""Use cases shared by the CLI and the GUI: open models and gallery, enroll, identify."""
from .attendance import AttendanceRecorder, AttendanceService, encode_snapshot
from .recognizer import EncodeSummary, EnrollOutcome, NoFaceError, Recognizer, load_engine, person_name_from_file

__all__ = ["AttendanceRecorder", "AttendanceService", "EncodeSummary", "EnrollOutcome", "NoFaceError", "Recognizer",
           "encode_snapshot", "load_engine", "person_name_from_file"]
