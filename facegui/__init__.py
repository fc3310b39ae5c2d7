"""facegui: desktop face-recognition attendance."""
import os as _os

from .limits import MAX_IMAGE_PIXELS_CEILING as _MAX_PIXELS

__version__ = "0.1.0"

# OpenCV reads its decoder limits from the environment once: OpenCV 5 when cv2 is imported, 4.x at the
# first image read. Set them here, before any facegui module imports cv2, so no file can make a decoder
# allocate beyond them whatever its format (imageio also checks each format's header first).
for _key, _limit in (("OPENCV_IO_MAX_IMAGE_PIXELS", _MAX_PIXELS), ("OPENCV_IO_MAX_IMAGE_WIDTH", 1 << 16),
                     ("OPENCV_IO_MAX_IMAGE_HEIGHT", 1 << 16)):
    try:
        _current = int(_os.environ.get(_key, _limit))
    except ValueError:
        _current = _limit
    _os.environ[_key] = str(min(_current, _limit))

# onnxruntime's Linux and macOS builds (1.31 here) report usage to Microsoft by default: as onnxruntime
# loads, it writes a device id and an event cache (a SQLite file, megabytes after a few hundred starts)
# under ~/.cache/Microsoft and queues them for upload. facegui sends nothing anywhere (README, "Where data
# lives"), so that is switched off here, before any facegui module imports onnxruntime; it also spares
# every start the cache's write (docs/benchmarks.md, "Start-up").
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
