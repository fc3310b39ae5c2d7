from facegui.startup import hold_back_collector

hold_back_collector()  # before the program's own modules load (facegui.startup)

from facegui.app import run  # noqa: E402

run()
