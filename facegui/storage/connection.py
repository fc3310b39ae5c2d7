"""One connection to the face database, shared by the threads of a process.

The base of FaceDatabase and AttendanceStore: opening (and creating or upgrading the schema on first
use), the lock that serialises threads, transactions, driver errors turned into StorageError, and
the online state of a remote database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .backend import Backend, DatabaseUnavailable, StorageError, open_backend
from .schema import migrate

log = logging.getLogger(__name__)


class DatabaseConnection:
    def __init__(self, location: Path | str, start_offline: bool = False, own_folder: bool = True) -> None:
        """Open (and create or upgrade) the database.

        With ``start_offline``, a server that cannot be reached yet is not an
        error: :attr:`online` is False and the first successful use upgrades
        the schema.  Without it, DatabaseUnavailable is raised here. Without
        ``own_folder`` (a copy's target the user named), the SQLite file's
        folder is made private only if it is new.
        """
        self._lock = threading.Lock()
        self._backend: Backend = open_backend(location, own_folder)
        self.description = self._backend.description
        self.remote = self._backend.remote
        self.path = None if self.remote else Path(location)
        self.online = True
        """False from a lost connection until the next successful use (remote databases)."""
        self.last_error: str | None = None
        self._migrated = False
        try:
            # Silent: the caller says what it does without the server (the gallery recognises from its saved
            # index, attendance waits in the outbox) or reports the failure; "working offline" here was one
            # line too many, and untrue where the caller could not.
            with self._connection(report_offline=False):
                pass
        except DatabaseUnavailable:
            if not start_offline:
                self._backend.close()
                raise
        except BaseException:
            self._backend.close()
            raise

    @property
    def dialect(self) -> str:
        return self._backend.dialect

    # -- setup ---------------------------------------------------------------

    @contextmanager
    def _connection(self, report_offline: bool = True) -> Iterator[Backend]:
        """The shared connection, locked; driver failures become StorageError."""
        with self._lock:
            try:
                self._backend.ensure_connected()
                if not self._migrated:
                    migrate(self._backend)
                    self._migrated = True
                yield self._backend
            except DatabaseUnavailable as error:
                self._went_offline(error, report_offline)
                raise
            except StorageError:
                raise
            except Exception as error:
                translated = self._translated(error)
                if isinstance(translated, DatabaseUnavailable):
                    self._went_offline(translated, report_offline)
                raise translated from error
            if not self.online:
                log.warning("Database %s is reachable again", self.description)
            self.online, self.last_error = True, None

    def _translated(self, error: Exception) -> StorageError:
        """The StorageError a driver's exception means; the exception itself if it is not the driver's."""
        translated = self._backend.translate_error(error)
        if translated is None:
            raise error
        return translated

    def _went_offline(self, error: StorageError, report: bool = True) -> None:
        if self.online and report:
            log.warning("%s; working offline", error)
        self.online, self.last_error = False, str(error)

    def _scalar(self, sql: str, params: tuple, default: Any = None) -> Any:
        """The first column of the first row, or ``default`` when there is no row."""
        with self._connection() as conn:
            row = conn.execute(sql, params).fetchone()
        return default if row is None else row[0]

    def commit_counter(self) -> int | None:
        """See Backend.commit_counter: changes whenever another connection commits; None for a server."""
        if self.remote:
            return None
        # Asked before every search of a local gallery, so only the lock and the driver's errors: a local
        # file needs no reconnecting, was migrated when opened and never goes offline (_connection's other
        # work cost a third of this call in a frame).
        with self._lock:
            try:
                return self._backend.commit_counter()
            except Exception as error:
                raise self._translated(error) from error

    @contextmanager
    def _write_transaction(self) -> Iterator[Backend]:
        with self._connection() as conn, conn.write_transaction():
            yield conn

    @contextmanager
    def _read_transaction(self) -> Iterator[Backend]:
        with self._connection() as conn, conn.read_transaction():
            yield conn

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._backend.close()
