"""The storage records the window and the CLI read, re-exported so that neither imports ``storage``.

The layering contract lets the user interfaces use the service layer and the engine's result types;
the rows they show (a day's attendance, a check-in, an unknown face, an enrolled person) are plain,
frozen records that come from storage through the service.
"""
from ..storage import (AttendanceEvent, DayRecord, PersonRecord, StorageError, UnknownFace, new_person_name,
                       normalize_person_name)

__all__ = ["AttendanceEvent", "DayRecord", "PersonRecord", "StorageError", "UnknownFace", "new_person_name",
           "normalize_person_name"]
