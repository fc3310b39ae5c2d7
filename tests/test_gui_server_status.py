"""The status bar's shared-database field: nothing for the local SQLite file; "online", then
"offline — 12 check-ins waiting" when a real PostgreSQL server is stopped, and "online" again."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from facegui.gui.i18n import ensure_language
from facegui.gui.widgets.status_bar import server_text
from facegui.service.shared_database import ServerStatus
from facegui.storage import NewEvent

from .conftest import FACES
from .gui_window import open_window

T0 = datetime(2026, 11, 30, 8, 15).astimezone()
LIN = "lin-manuel miranda"


def test_the_server_words_follow_the_state(qapp):
    ensure_language()  # English plural forms, as the window installs them
    def status(online, checkins, batches):
        return ServerStatus(True, online, checkins, batches, "postgresql://db/school")

    assert server_text(status(True, 0, 0)) == "online"
    assert server_text(status(False, 0, 0)) == "offline"
    assert server_text(status(False, 1, 1)) == "offline — 1 check-in waiting"
    assert server_text(status(False, 12, 13)) == "offline — 12 check-ins waiting"
    assert server_text(status(True, 3, 2)) == "online — sending 3 check-ins"


def test_nothing_is_shown_for_the_local_database(qtbot, settings, tmp_path):
    window = open_window(qtbot, settings, tmp_path)
    window.status.show_server()
    assert not window.status.server.isVisible() and window.status.server.text() == ""
    assert window.status.server_timer.isActive()


@pytest.mark.postgres
def test_the_window_shows_a_stopped_server_as_offline_with_the_check_ins_waiting(qtbot, settings, tmp_path):
    from .postgres_server import shared_server

    server = shared_server()
    url = server.create_database()
    window = open_window(qtbot, replace(settings, database_url=url, station_name="north door"), tmp_path)
    context = window.context
    assert context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    field = window.status.server
    qtbot.waitUntil(lambda: field.isVisible() and field.text() == "online", timeout=5000)
    assert "127.0.0.1" in field.toolTip()
    store = context.attendance.store
    server.stop()
    try:
        # Check-ins made while the server is away (ten minutes apart: past the cool-down) go to the outbox.
        for minute in range(12):
            store.record([NewEvent(LIN, T0 + timedelta(minutes=10 * minute), "camera", 0.7)])
        qtbot.waitUntil(lambda: field.text() == "offline — 12 check-ins waiting", timeout=5000)
        assert "#c62828" in field.styleSheet() and "\n" in field.toolTip()  # the reason, under the server
    finally:
        server.start()
    # The station's own flushing thread finds the server back and sends them; nobody has to act.
    qtbot.waitUntil(lambda: field.text() == "online", timeout=30000)
    assert field.styleSheet() == ""
    assert len(context.attendance.history(T0.date(), T0.date() + timedelta(days=1))) == 12
    # With nothing to write, the Today panel's refresh (at least once a minute) is what finds the server away.
    server.stop()
    try:
        window.today.refresh()
        qtbot.waitUntil(lambda: field.text() == "offline", timeout=10000)
    finally:
        server.start()
    qtbot.waitUntil(lambda: field.text() == "online", timeout=30000)


def test_the_history_shows_the_stations_that_checked_someone_in(qtbot, settings, tmp_path):
    from facegui.storage import AttendanceStore

    window = open_window(qtbot, replace(settings, station_name="north door"), tmp_path)
    context = window.context
    assert context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    morning = datetime.now().astimezone().replace(hour=8, minute=0, second=0, microsecond=0)
    context.attendance.store.record([NewEvent(LIN, morning, "camera", 0.7)])
    # A second station on the same database: its check-ins carry its own name.
    with AttendanceStore(context.settings.data_dir, "", "south door") as south:
        south.record([NewEvent(LIN, morning + timedelta(hours=1), "camera", 0.7)])
    dialog = window.today.open_history()
    qtbot.waitUntil(lambda: bool(dialog.records) and dialog.table.rowCount() == 1, timeout=10000)
    table = dialog.table
    header = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert header[-1] == "Station"
    assert table.item(0, 1).text() == LIN and table.item(0, 6).text() == "north door, south door"
