"""The back office: people (search, more photos of someone, PIN before "are you sure", their own view) and
unknown faces in bulk (one PIN prompt per action). Offscreen, real models, real photos and video."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton  # noqa: E402

from facegui.service import AdminLock  # noqa: E402

from .conftest import FACES  # noqa: E402
from .gui_window import open_window  # noqa: E402
PIN = "135799"


@pytest.fixture
def window(qtbot, settings, tmp_path):
    win = open_window(qtbot, settings, tmp_path, admin_lock=AdminLock(settings.data_dir))
    win.asked = []
    win.context.guard.prompt = lambda label: (win.asked.append(label), PIN)[1]
    yield win
    assert win.shutdown(), "a thread was still running at teardown"


def enroll(window, *people):
    for name, photo in people:
        assert window.context.recognizer.enroll_file(FACES / photo, name).status == "enrolled"
    window.context.peopleChanged.emit()


def test_an_empty_people_list_says_what_to_do(window):
    assert window.people.empty.isVisible() and "Enroll" in window.people.empty.text()
    assert "no one enrolled yet" in window.today.summary.text() and "0 of 0" not in window.today.summary.text()


def test_people_search_and_adding_a_photo_to_someone(qtbot, window):
    enroll(window, ("obama", "gallery/obama_1.jpg"), ("biden", "gallery/biden_1.jpg"),
           ("kit_harington", "gallery/kit_harington_1.jpg"))
    assert not window.people.empty.isVisible()
    window.people.search.setText("OBA")
    assert window.people.visible_names() == ["obama"]
    window.people.search.setText("")
    assert sorted(window.people.visible_names()) == ["biden", "kit_harington", "obama"]

    window.people.list.setCurrentRow(window.people.names().index("obama"))
    window.people.add_photos_button.click()
    dialog = window.people.enroll_dialog
    assert dialog.isVisible() and dialog.name.currentText() == "obama"  # more photos of the same person
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=15_000):
        dialog.add_files([FACES / "gallery" / "obama_2.jpg"])
    with qtbot.waitSignal(window.people.refreshed, timeout=15_000):
        dialog.enroll_button.click()
    row = window.people.names().index("obama")
    assert window.people.list.item(row).text() == "obama\n2 photos"


def test_removing_asks_for_the_pin_before_are_you_sure(qtbot, window, monkeypatch):
    enroll(window, ("obama", "gallery/obama_1.jpg"))
    window.context.guard.lock.set_pin(PIN)
    order = []
    window.context.guard.prompt = lambda label: (order.append("pin"), None)[1]  # cancelled
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (order.append("sure?"), QMessageBox.StandardButton.Yes)[1])
    window.people.list.setCurrentRow(0)
    window.people.remove_button.click()
    assert order == ["pin"] and window.people.names() == ["obama"]  # refused before any question
    window.context.guard.prompt = lambda label: (order.append("pin"), PIN)[1]
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        window.people.remove_button.click()
    assert order == ["pin", "pin", "sure?"] and window.people.names() == []


def test_a_person_renamed_a_bad_photo_deleted_and_their_attendance(qtbot, window):
    enroll(window, ("obama", "gallery/obama_1.jpg"), ("obama", "gallery/obama_2.jpg"), ("biden", "gallery/biden_1.jpg"))
    window.context.guard.lock.set_pin(PIN)
    item = window.people.list.item(window.people.names().index("obama"))
    window.people.list.itemDoubleClicked.emit(item)
    dialog = window.people.person_dialog
    assert dialog.isVisible() and dialog.photos.count() == 2

    # Rename: the PIN first; the photos, the thumbnail and the list follow.
    window.context.thumbnails.save("obama", np.zeros((112, 112, 3), np.uint8))
    dialog.name.setText("Barack Obama")
    window.asked.clear()
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        assert dialog.rename()
    assert window.asked == ["rename a person"]
    assert sorted(window.people.names()) == ["Barack Obama", "biden"]
    assert window.context.thumbnails.has("Barack Obama") and not window.context.thumbnails.has("obama")
    dialog.name.setText("biden")  # someone else's name: refused in one line, nothing changes
    assert not dialog.rename() and "biden" in dialog.message.text() and dialog.person == "Barack Obama"

    # One bad photo deleted; the last one never.
    dialog.photos.setCurrentRow(1)
    assert dialog.delete_selected_photo() and dialog.photos.count() == 1
    row = window.people.names().index("Barack Obama")
    assert window.people.list.item(row).text() == "Barack Obama\n1 photo"
    dialog.photos.setCurrentRow(0)
    assert not dialog.delete_selected_photo() and "only photo" in dialog.message.text()

    # Their own attendance view.
    with qtbot.waitSignal(dialog.attendanceRequested):
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "Attendance…").click()
    history = window.today.history_dialog
    assert history.isVisible() and history.chosen_person() == "Barack Obama"


def test_a_persons_view_marks_a_photo_unlike_their_others(qtbot, window):
    """kit's face enrolled as rose's third photo with --force (or before the rule): her own view marks that
    photo, says why in one line, and deleting it leaves her two real photos unmarked."""
    enroll(window, ("rose_leslie", "gallery/rose_leslie_1.jpg"), ("rose_leslie", "gallery/rose_leslie_2.jpg"))
    recognizer = window.context.recognizer
    assert recognizer.enroll_file(FACES / "gallery" / "kit_harington_1.jpg", "rose_leslie", force=True).status == \
        "enrolled"
    window.context.peopleChanged.emit()
    item = window.people.list.item(window.people.names().index("rose_leslie"))
    window.people.list.itemDoubleClicked.emit(item)
    dialog = window.people.person_dialog
    with qtbot.waitSignal(dialog.unlikeShown, timeout=10_000) as shown:
        dialog.reload()
    (marked,) = shown.args[0]
    texts = [dialog.photos.item(row).text() for row in range(dialog.photos.count())]
    assert [("unlike the other photos" in text, text.split("·")[1].strip()) for text in texts] == [
        (False, "rose_leslie_1.jpg"), (False, "rose_leslie_2.jpg"), (True, "kit_harington_1.jpg")]
    assert dialog.message.text().startswith("1 photo looks like none of this person's other photos")
    dialog.photos.setCurrentRow(2)
    with qtbot.waitSignal(dialog.unlikeShown, timeout=10_000) as shown:
        assert dialog.delete_selected_photo()
    assert shown.args[0] == {} and dialog.photos.count() == 2
    assert marked not in {dialog.photos.item(row).data(Qt.ItemDataRole.UserRole) for row in range(2)}


def test_people_check_photos_lists_what_the_rules_would_refuse(qtbot, window, monkeypatch):
    """People → Check photos: with obama's probe forced in as "barack" beside obama, the window lists that
    pair with both photo ids; with nothing wrong, it says so in the status bar."""
    enroll(window, ("obama", "gallery/obama_1.jpg"), ("biden", "gallery/biden_1.jpg"))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))
    window.context.notice.connect(lambda text, _ms: shown.append(("notice", text)))
    with qtbot.waitSignal(window.people.photosChecked, timeout=10_000) as checked:
        window.commands.check_photos.trigger()
    assert checked.args[0] == [] and shown[-1] == (
        "notice", "Every photo looks like its person's others, and no two people look alike")
    recognizer = window.context.recognizer
    assert recognizer.enroll_file(FACES / "probes" / "obama-480p.jpg", "barack", force=True).status == "enrolled"
    with qtbot.waitSignal(window.people.photosChecked, timeout=10_000) as checked:
        window.commands.check_photos.trigger()
    (finding,) = checked.args[0]
    barack = recognizer.gallery.photos("barack")[0].embedding_id
    assert shown[-1][0] == "Check photos"
    assert shown[-1][1] == f"obama: photo {finding.photo} looks like barack's photo {barack} (similarity 0.95): " \
                           "the station can show either name for this face"


def test_unknown_faces_in_bulk_one_pin_prompt_per_action(qtbot, window, monkeypatch):
    window.apply_settings(window.context.settings.replace(log_unknown_faces=True, unknown_cooldown_s=0),
                          window.context.prefs)
    window.camera.start()
    qtbot.waitUntil(lambda: len(window.unknown_faces.entries) >= 4, timeout=60_000)
    window.camera.stop()
    window.context.guard.lock.set_pin(PIN)
    page = window.unknown_faces
    with qtbot.waitSignal(page.refreshed, timeout=10_000):  # the list as it stands once the camera stopped
        page.refresh()
    entries = page.entries[:4]

    # Two enrolled together as one new person: one prompt, both embeddings.
    page.list.clearSelection()
    for row in (0, 1):
        page.list.item(row).setSelected(True)
    assert page.enroll_button.text() == "Enroll these 2 as one person…"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("ensemble member", True))
    window.asked.clear()
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        page.enroll_button.click()
    assert window.asked == ["enroll a person"]
    people = {p.name: p.embedding_count for p in window.context.recognizer.gallery.people()}
    assert people == {"ensemble member": 2}
    qtbot.waitUntil(lambda: not {entries[0].id, entries[1].id} & {e.id for e in page.entries}, timeout=5_000)

    # Two dismissed together: one prompt, both gone.
    left = [e.id for e in page.entries[:2]]
    page.list.clearSelection()
    for row in (0, 1):
        page.list.item(row).setSelected(True)
    assert page.dismiss_button.text() == "Dismiss 2"
    window.asked.clear()
    page.dismiss_button.click()
    qtbot.waitUntil(lambda: not set(left) & {e.id for e in page.entries}, timeout=5_000)
    assert window.asked == ["remove a person or a record"]
    assert not set(left) & {u.id for u in window.context.attendance.unknown_faces()}


def test_last_seen_moves_while_a_person_stays_in_view(qtbot, window):
    enroll(window, ("Lin-Manuel Miranda", "probes/lin-manuel-miranda.png"))
    with qtbot.waitSignal(window.today.checkedIn, timeout=30_000) as checked:
        window.camera.start()
    first = window.today.row_of("Lin-Manuel Miranda")
    assert first["Status"] == "present" and first["First seen"] == first["Last seen"]
    # Lin stays in view (the clip loops): the row's "Last seen" moves on, "First seen" stays.
    qtbot.waitUntil(lambda: window.today.row_of("Lin-Manuel Miranda")["Last seen"] > first["Last seen"],
                    timeout=30_000)
    later = window.today.row_of("Lin-Manuel Miranda")
    assert later["First seen"] == first["First seen"] and len(window.context.attendance.history()) == 1
    assert checked.args[0].name == "Lin-Manuel Miranda"
