"""Detect, align, embed and match faces. Knows nothing of Qt, the CLI or storage.

Names are imported from their modules on first use (``facegui.lazy``): reading an image does not
load onnxruntime."""
from typing import TYPE_CHECKING

from ..lazy import lazy_namespace

_EXPORTS = {
    ".face": ["Face", "largest"],
    ".imageio": ["ImageError", "load_image"],
    ".matcher": ["UNKNOWN", "Recognition", "match_faces"],
    ".pipeline": ["FaceEngine"],
    ".session": ["ModelLoadError"],
}
__all__ = [name for names in _EXPORTS.values() for name in names]
__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)

if TYPE_CHECKING:  # the names as type checkers and linters see them (X as X: re-exported)
    from .face import Face as Face
    from .face import largest as largest
    from .imageio import ImageError as ImageError
    from .imageio import load_image as load_image
    from .matcher import UNKNOWN as UNKNOWN
    from .matcher import Recognition as Recognition
    from .matcher import match_faces as match_faces
    from .pipeline import FaceEngine as FaceEngine
    from .session import ModelLoadError as ModelLoadError
