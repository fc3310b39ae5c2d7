"""Persistent storage of enrolled faces: SQLite database + faiss index.

Given numpy embeddings only; independent of the GUI, CLI and engine. Names are imported from their
modules on first use (``facegui.lazy``): listing people does not load faiss.
"""
from typing import TYPE_CHECKING

from ..lazy import lazy_namespace

_EXPORTS = {
    ".attendance": ["SNAPSHOT_DIR_NAME", "AttendanceEvent", "AttendanceStore", "DayRecord", "NewEvent", "NewUnknown",
                   "PurgeResult", "UnknownFace"],
    ".backend": ["DatabaseUnavailable", "SchemaVersionError", "StorageError", "is_postgres_url", "redact_url",
                "url_has_password"],
    ".database": ["DATABASE_FILE_NAME", "ChangeSet", "Enrollment", "FaceDatabase", "PersonRecord", "PhotoRecord",
                 "Renaming", "Unenrollment", "new_person_name", "normalize_person_name"],
    ".schema": ["SCHEMA_VERSION"],
    ".gallery": ["INDEX_DIR_NAME", "EnrollmentRefused", "Gallery", "Match", "index_file_stem"],
    ".vector_index": ["VectorIndex", "normalize_rows"],
}
__all__ = [name for names in _EXPORTS.values() for name in names]
__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)

if TYPE_CHECKING:  # the names as type checkers and linters see them (X as X: re-exported)
    from .attendance import SNAPSHOT_DIR_NAME as SNAPSHOT_DIR_NAME
    from .attendance import AttendanceEvent as AttendanceEvent
    from .attendance import AttendanceStore as AttendanceStore
    from .attendance import DayRecord as DayRecord
    from .attendance import NewEvent as NewEvent
    from .attendance import NewUnknown as NewUnknown
    from .attendance import PurgeResult as PurgeResult
    from .attendance import UnknownFace as UnknownFace
    from .backend import DatabaseUnavailable as DatabaseUnavailable
    from .backend import SchemaVersionError as SchemaVersionError
    from .backend import StorageError as StorageError
    from .backend import is_postgres_url as is_postgres_url
    from .backend import redact_url as redact_url
    from .backend import url_has_password as url_has_password
    from .database import DATABASE_FILE_NAME as DATABASE_FILE_NAME
    from .database import ChangeSet as ChangeSet
    from .database import Enrollment as Enrollment
    from .database import FaceDatabase as FaceDatabase
    from .database import PersonRecord as PersonRecord
    from .database import PhotoRecord as PhotoRecord
    from .database import Renaming as Renaming
    from .database import Unenrollment as Unenrollment
    from .database import new_person_name as new_person_name
    from .database import normalize_person_name as normalize_person_name
    from .schema import SCHEMA_VERSION as SCHEMA_VERSION
    from .gallery import INDEX_DIR_NAME as INDEX_DIR_NAME
    from .gallery import EnrollmentRefused as EnrollmentRefused
    from .gallery import Gallery as Gallery
    from .gallery import Match as Match
    from .gallery import index_file_stem as index_file_stem
    from .vector_index import VectorIndex as VectorIndex
    from .vector_index import normalize_rows as normalize_rows
