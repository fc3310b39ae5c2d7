"""The PySide6 desktop app: thin widgets over the service layer; workers emit, widgets render."""
