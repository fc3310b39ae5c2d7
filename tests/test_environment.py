"""The install itself: exactly one onnxruntime and one OpenCV distribution, nothing forbidden."""
from __future__ import annotations

import importlib.metadata as md


def _distributions_providing(top_level: str) -> list[str]:
    found = []
    for dist in md.distributions():
        files = dist.files or []
        if any(str(f).split("/")[0] == top_level for f in files):
            found.append(dist.metadata["Name"])
    return sorted(set(found))


def test_exactly_one_onnxruntime_distribution():
    assert len(_distributions_providing("onnxruntime")) == 1, _distributions_providing("onnxruntime")


def test_exactly_one_opencv_distribution_and_it_is_headless():
    dists = _distributions_providing("cv2")
    assert len(dists) == 1 and dists[0].startswith("opencv-python-headless"), dists


def test_no_torch_tensorflow_or_insightface_at_run_time():
    requirements = " ".join(md.requires("facegui") or []).lower()
    for forbidden in ("torch", "tensorflow", "insightface"):
        assert forbidden not in requirements
    import facegui.cli.main  # noqa: F401  (imports the whole runtime path)
    import sys
    assert not {"torch", "tensorflow", "insightface"} & set(sys.modules)


def test_qt_signals_keep_reference_counts_of_bools(qapp):
    """PySide6 6.12.0 decremented True's reference count on every emission: a window streaming for a
    while then aborted the interpreter ("bool_dealloc"). Any Qt binding installed must not."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        flag = Signal(bool)
        anything = Signal(object)

    emitter = Emitter()
    emitter.flag.connect(lambda _value: None)
    emitter.anything.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.flag.emit(True)
        emitter.anything.emit(True)
    assert sys.getrefcount(True) >= before - 5  # the bug lost one reference per emission: 400 here
