"""Use cases shared by the CLI and the GUI: open models and gallery, enroll, identify."""
from .admin_lock import GUARDED_ACTIONS, AdminLock, AdminLockError
from .attendance import AttendanceRecorder, AttendanceService, encode_snapshot
from .privacy import delete_all_face_data, export_personal_data
from .model_install import ModelRefusedError, install_models
from .recognizer import EncodeSummary, EnrollOutcome, NoFaceError, Recognizer, load_engine, person_name_from_file
from .selftest import SelfTestResult, resource_path, run_self_test

__all__ = ["GUARDED_ACTIONS", "AdminLock", "AdminLockError", "AttendanceRecorder", "AttendanceService", "EncodeSummary", "EnrollOutcome", "ModelRefusedError", "NoFaceError", "Recognizer",
           "SelfTestResult", "delete_all_face_data", "encode_snapshot", "export_personal_data", "install_models", "load_engine", "person_name_from_file", "resource_path",
           "run_self_test"]
