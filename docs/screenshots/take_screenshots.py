"""Take the README screenshots from a real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python docs/screenshots/take_screenshots.py [--language zh_CN]

Uses a throw-away data folder; the models come from --models (default: converted from
../shared/models into a temporary folder). Writes main_window.png (with the Today panel
after Lin's check-in), today_panel.png, history.png, enroll_dialog.png and drop_result.png
next to this script, station.png: the station view at the door (kiosk mode) confirming the check-in,
person.png (a person's own dialog) and settings.png. ``--dark`` takes them in a dark palette
(``*_dark.png``), as a desktop in dark mode gives it.
With ``--language zh_CN`` the window is in Simplified Chinese and each file name ends in ``_zh_CN``
(a CJK font must be installed: Debian's fonts-noto-cjk).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FACES = REPO.parent / "shared" / "faces"


def wait_until(app, predicate, timeout_s: float, what: str) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, (45, 45, 48)), (QPalette.ColorRole.WindowText, (230, 230, 230)),
                         (QPalette.ColorRole.Base, (30, 30, 32)), (QPalette.ColorRole.AlternateBase, (45, 45, 48)),
                         (QPalette.ColorRole.Text, (230, 230, 230)), (QPalette.ColorRole.Button, (55, 55, 58)),
                         (QPalette.ColorRole.ButtonText, (230, 230, 230)), (QPalette.ColorRole.Highlight, (42, 130, 218)),
                         (QPalette.ColorRole.HighlightedText, (255, 255, 255)),
                         (QPalette.ColorRole.ToolTipBase, (60, 60, 60)), (QPalette.ColorRole.ToolTipText, (230, 230, 230)),
                         (QPalette.ColorRole.PlaceholderText, (150, 150, 150))):
        palette.setColor(role, QColor(*colour))
    return palette


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", help="folder holding the converted models")
    parser.add_argument("--out", default=str(HERE))
    parser.add_argument("--language", default="en", choices=["en", "zh_CN"])
    parser.add_argument("--dark", action="store_true", help="a dark system palette (file names end in _dark)")
    args = parser.parse_args()
    suffix = ("" if args.language == "en" else f"_{args.language}") + ("_dark" if args.dark else "")

    from PySide6.QtWidgets import QApplication

    from facegui.config import Settings
    from facegui.gui.core.context import AppContext
    from facegui.gui.core.preferences import GuiPreferences, PreferenceStore
    from facegui.gui.core.thumbnails import ThumbnailStore
    from facegui.gui.dialogs.enroll import analyze_file, enroll_photos
    from facegui.gui.i18n import apply_language
    from facegui.gui.main_window import MainWindow
    from facegui.gui.widgets.icon import app_icon
    from facegui.modelstore import ModelStore
    from facegui.service import Recognizer

    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    if args.dark:  # what a desktop in dark mode hands Qt; the window only uses the palette's roles
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    apply_language(args.language)
    tmp = Path(tempfile.mkdtemp(prefix="facegui-shots-"))
    models = Path(args.models) if args.models else tmp / "models"
    if not args.models:
        ModelStore([], models).install_from(REPO.parent / "shared" / "models")
    settings = Settings(data_dir=tmp / "data", model_dir=models)
    out = Path(args.out)
    recognizer = Recognizer.open(settings)
    thumbnails = ThumbnailStore(settings.data_dir)
    people = {"Lin-Manuel Miranda": ["probes/lin-manuel-miranda.png"], "obama": ["gallery/obama_1.jpg", "gallery/obama_2.jpg"],
              "biden": ["gallery/biden_1.jpg", "gallery/biden_2.jpg"], "kit_harington": ["gallery/kit_harington_1.jpg"],
              "rose_leslie": ["gallery/rose_leslie_1.jpg"], "alex_lacamoire": ["gallery/alex_lacamoire_1.jpg"],
              "张学友": ["seed_dataset/张学友_1.jpg"]}
    for name, files in people.items():
        enroll_photos(recognizer, thumbnails, name, [analyze_file(recognizer, FACES / f) for f in files])

    store = PreferenceStore(tmp / "gui.ini")
    store.save(GuiPreferences(camera_source=str(FACES / "video" / "short_hamilton_clip.mp4"), loop_video_files=True))
    window = MainWindow(AppContext(recognizer, store=store, config_file=tmp / "settings.json"))
    window.resize(1500, 760)
    window.show()
    named, checkins = [], []
    window.camera.frameShown.connect(lambda p: named.append(p) if any(f.is_known for f in p.faces) else None)
    window.today.checkedIn.connect(checkins.append)
    window.kiosk_mode.enter()  # the station at the door: the check-in confirmed in large letters
    window.camera.start()
    wait_until(app, lambda: checkins, 30, "Lin's check-in")
    wait_until(app, lambda: window.station.banner.isVisible(), 10, "the check-in confirmation")
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / f"station{suffix}.png"))
    window.kiosk_mode.leave()
    window.resize(1500, 760)
    seen = len(named)
    wait_until(app, lambda: len(named) > seen + 3 and any(f.is_known for f in window.camera.last_packet.faces), 30,
               "a named face after the check-in")
    window.people.list.setCurrentRow(0)
    app.processEvents()
    window.grab().save(str(out / f"main_window{suffix}.png"))
    window.today_dock.grab().save(str(out / f"today_panel{suffix}.png"))

    history = window.today.open_history()
    history.resize(820, 380)
    wait_until(app, lambda: history.records, 10, "the history table")
    app.processEvents()
    history.grab().save(str(out / f"history{suffix}.png"))
    history.close()

    person = window.people.open_person("obama")
    app.processEvents()
    person.grab().save(str(out / f"person{suffix}.png"))
    person.close()

    from facegui.gui.dialogs.settings import SettingsDialog

    settings_dialog = SettingsDialog(window.context, window)
    settings_dialog.show()
    for _ in range(10):
        app.processEvents()
    settings_dialog.grab().save(str(out / f"settings{suffix}.png"))
    settings_dialog.close()

    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    analysed = []
    dialog.photoAnalyzed.connect(analysed.append)
    dialog.add_files([FACES / "probes" / "two_people.jpg"])
    wait_until(app, lambda: analysed, 15, "the enrollment photo")
    dialog.name.setCurrentText("obama")
    dialog.face_picker.setCurrentRow(1)
    app.processEvents()
    dialog.grab().save(str(out / f"enroll_dialog{suffix}.png"))
    dialog.close()

    window.camera.stop()
    corrupt = tmp / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    finished = []
    window.identifier.finished.connect(finished.append)
    window.identifier.identify_files([FACES / "probes" / "two_people.jpg", FACES / "probes" / "kit_with_rose.jpg", corrupt])
    wait_until(app, lambda: finished, 30, "the drop results")
    results = window.identifier.results_dialog
    results.files.setCurrentRow(0)
    app.processEvents()
    results.grab().save(str(out / f"drop_result{suffix}.png"))

    window.close()
    recognizer.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
