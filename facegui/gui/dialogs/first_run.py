"""The first-run dialog: a model is missing, so explain it and import or download it.

Shown by ``launch`` before the main window whenever the model store lacks the detector or the
embedder (a bundle ships the detector, and the ArcFace model only where it was present at build
time). Importing and downloading go through the service's ``install_models`` (which runs every
model on the self-test face before installing it, all or nothing) in a pool thread with a busy progress bar; errors are shown in a message box, never as a traceback.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QVBoxLayout)

from ...config import Settings
from ...service.model_install import DETECTOR, EMBEDDER, MODELS, ModelStore
from ...service import install_models
from ..core.file_dialogs import keep_dialog_history_private
from ..core.tasks import TaskRunner
from ..core.text import arg

MODEL_FILTER = QT_TRANSLATE_NOOP("FirstRunDialog", "Model files (*.pth *.onnx);;All files (*)")
ROLE_NAMES = {DETECTOR: QT_TRANSLATE_NOOP("FirstRunDialog", "the face detector (RetinaFace)"),
              EMBEDDER: QT_TRANSLATE_NOOP("FirstRunDialog", "the face embedder (ArcFace)")}


def missing_models(store: ModelStore) -> list[str]:
    """Roles (``detector``, ``embedder``) the store cannot find."""
    return store.missing()


class FirstRunDialog(QDialog):
    installFinished = Signal(bool, str)
    """(success, message) after each import or download; tests wait on it."""

    def __init__(self, store: ModelStore, missing: list[str] | None = None, parent=None,
                 settings: Settings | None = None):
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.missing = list(missing) if missing is not None else missing_models(store)
        self.tasks = TaskRunner(max_threads=1, parent=self)
        self.setWindowTitle(self.tr("facegui — models needed"))
        self.setObjectName("firstRunDialog")
        self.setMinimumWidth(520)

        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the store reports steps, not percentages
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.import_button = QPushButton(self.tr("&Import model file…"))
        self.import_button.clicked.connect(self.choose_files)
        self.download_button = QPushButton(self.tr("&Download"))
        self.download_button.setToolTip(self.tr("Fetch the pinned upstream weights (about 6 MB) and convert them"))
        self.download_button.clicked.connect(self.download)
        self.quit_button = QPushButton(self.tr("&Quit"))
        self.quit_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.download_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._explain()

    # -- text ----------------------------------------------------------------
    def _explain(self) -> None:
        lines = "".join(f"<li>{self.tr(ROLE_NAMES[r])}: <code>{MODELS[r].source_name}</code></li>"
                        for r in self.missing)
        self.explanation.setText(
            "<h3>" + self.tr("facegui needs its face models") + "</h3>"
            "<p>" + self.tr("Not installed yet:") + f"</p><ul>{lines}</ul>"
            + self.tr("<p><b>Import model file…</b> takes the original weights (<code>.pth</code>, checked by SHA-256 "
                      "and converted here) or an ArcFace-style <code>.onnx</code> (112×112 input). Select several "
                      "files at once if more than one is missing.</p>")
            + self.tr("<p><b>Download</b> fetches the pinned weights from GitHub (needs the internet; nothing else "
                      "is ever sent or fetched).</p>")
            + arg(self.tr("<p>Models are installed in <code>%1</code>.</p>"), self.store.install_dir))

    def _set_busy(self, text: str | None) -> None:
        busy = text is not None
        self.progress.setVisible(busy)
        for button in (self.import_button, self.download_button):
            button.setEnabled(not busy)
        if busy:
            self.status.setText(text)

    @property
    def busy(self) -> bool:
        return self.tasks.busy

    # -- actions -------------------------------------------------------------
    def choose_files(self) -> None:
        keep_dialog_history_private()
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Import model files"), str(Path.home()),
                                                     self.tr(MODEL_FILTER))
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths) -> None:
        """Install every file or folder of ``paths`` in a pool thread (what *Import* does)."""
        paths = [Path(p) for p in paths]

        self._run(lambda report: install_models(self.settings, paths, report, self.store),
                  arg(self.tr("Importing %1…"), ", ".join(p.name for p in paths)))

    def download(self) -> None:
        self._run(lambda report: install_models(self.settings, None, report, self.store),
                  self.tr("Downloading the models…"))

    def _run(self, fn, text: str) -> None:
        if self.busy:
            return
        self._set_busy(text)
        self.tasks.start(fn, on_done=self._done, on_failed=self._failed, on_progress=self.status.setText)

    def _done(self, written) -> None:
        self._set_busy(None)
        self.missing = missing_models(self.store)
        names = ", ".join(Path(p).name for p in written)
        if not self.missing:
            self.status.setText(arg(self.tr("Installed %1."), names))
            self.installFinished.emit(True, f"installed {names}")
            self.accept()
            return
        self._explain()
        message = arg(self.tr("Installed %1; still missing: %2."), names,
                      ", ".join(MODELS[r].source_name for r in self.missing))
        self.status.setText(message)
        self.installFinished.emit(True, message)

    def _failed(self, message: str) -> None:
        self._set_busy(None)
        self.status.setText("")
        self.installFinished.emit(False, message)
        QMessageBox.warning(self, self.tr("facegui — models"), message)

    def reject(self) -> None:
        if self.busy:  # an install half-way: wait rather than leave a thread writing files
            return
        super().reject()

    def done(self, result: int) -> None:
        self.tasks.wait(10000)
        super().done(result)
