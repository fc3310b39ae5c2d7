from facegui.app import run

run()
