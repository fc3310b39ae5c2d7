"""Detect, align, embed and match faces. Knows nothing of Qt, the CLI or storage."""
from .face import Face, largest
from .imageio import ImageError, load_image
from .matcher import UNKNOWN, Recognition, match_faces
from .pipeline import FaceEngine
from .session import ModelLoadError

__all__ = ["Face", "FaceEngine", "ImageError", "ModelLoadError", "Recognition", "UNKNOWN",
           "largest", "load_image", "match_faces"]
