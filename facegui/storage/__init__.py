"""Persistent storage of enrolled faces: SQLite database + faiss index.

Given numpy embeddings only; independent of the GUI, CLI and engine.
"""

from .attendance import (
    SNAPSHOT_DIR_NAME,
    AttendanceEvent,
    AttendanceStore,
    DayRecord,
    NewEvent,
    NewUnknown,
    PurgeResult,
    UnknownFace,
)
from .backend import (
    DatabaseUnavailable,
    SchemaVersionError,
    StorageError,
    is_postgres_url,
    redact_url,
    url_has_password,
)
from .database import (
    ChangeSet,
    Enrollment,
    FaceDatabase,
    PersonRecord,
    PhotoRecord,
    Renaming,
    Unenrollment,
    normalize_person_name,
)
from .schema import SCHEMA_VERSION
from .gallery import DATABASE_FILE_NAME, INDEX_DIR_NAME, Gallery, Match, index_file_stem
from .vector_index import VectorIndex, normalize_rows

__all__ = [
    "SNAPSHOT_DIR_NAME",
    "AttendanceEvent",
    "AttendanceStore",
    "DayRecord",
    "NewEvent",
    "NewUnknown",
    "PurgeResult",
    "UnknownFace",
    "DATABASE_FILE_NAME",
    "INDEX_DIR_NAME",
    "SCHEMA_VERSION",
    "ChangeSet",
    "DatabaseUnavailable",
    "is_postgres_url",
    "redact_url",
    "url_has_password",
    "Enrollment",
    "FaceDatabase",
    "Gallery",
    "Match",
    "PersonRecord",
    "PhotoRecord",
    "Renaming",
    "SchemaVersionError",
    "StorageError",
    "Unenrollment",
    "VectorIndex",
    "index_file_stem",
    "normalize_person_name",
    "normalize_rows",
]
