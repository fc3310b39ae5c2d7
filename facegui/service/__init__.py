"""Use cases shared by the CLI and the GUI: open models and gallery, enroll, identify.

Names are imported from their modules on first use (``facegui.lazy``), so a command loads only
the use cases it runs."""
from typing import TYPE_CHECKING

from ..lazy import lazy_namespace

_EXPORTS = {
    ".admin_lock": ["GUARDED_ACTIONS", "AdminLock", "AdminLockError"],
    ".attendance": ["AttendanceRecorder", "AttendanceService", "encode_snapshot"],
    ".privacy": ["delete_all_face_data", "export_personal_data"],
    ".model_install": ["ModelRefusedError", "install_models"],
    ".recognizer": ["EncodeSummary", "EnrollOutcome", "NoFaceError", "Recognizer", "load_engine",
                    "person_name_from_file"],
    ".selftest": ["SelfTestResult", "resource_path", "run_self_test"],
}
__all__ = [name for names in _EXPORTS.values() for name in names]
__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)

if TYPE_CHECKING:  # the names as type checkers and linters see them (X as X: re-exported)
    from .admin_lock import GUARDED_ACTIONS as GUARDED_ACTIONS
    from .admin_lock import AdminLock as AdminLock
    from .admin_lock import AdminLockError as AdminLockError
    from .attendance import AttendanceRecorder as AttendanceRecorder
    from .attendance import AttendanceService as AttendanceService
    from .attendance import encode_snapshot as encode_snapshot
    from .model_install import ModelRefusedError as ModelRefusedError
    from .model_install import install_models as install_models
    from .privacy import delete_all_face_data as delete_all_face_data
    from .privacy import export_personal_data as export_personal_data
    from .recognizer import EncodeSummary as EncodeSummary
    from .recognizer import EnrollOutcome as EnrollOutcome
    from .recognizer import NoFaceError as NoFaceError
    from .recognizer import Recognizer as Recognizer
    from .recognizer import load_engine as load_engine
    from .recognizer import person_name_from_file as person_name_from_file
    from .selftest import SelfTestResult as SelfTestResult
    from .selftest import resource_path as resource_path
    from .selftest import run_self_test as run_self_test
