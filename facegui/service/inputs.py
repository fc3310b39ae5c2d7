"""Which files a command or a drop means: one home for turning paths given by the user into image files.

For the window (drop on the window, identify view): call :func:`expand_image_paths` on the dropped
paths instead of listing folders yourself.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.imageio import IMAGE_SUFFIXES, UNREAD_PHOTO_SUFFIXES, list_images

NO_IMAGES_IN_FOLDER = "no image files in this folder (folders inside it are not searched)"
"""What a folder given or dropped without one image directly in it gets, instead of silence."""


@dataclass(frozen=True)
class ImagePaths:
    files: list[Path] = field(default_factory=list)
    """The files to read, in order; one that is not an image is reported when it is read."""
    empty_folders: list[Path] = field(default_factory=list)
    """Folders given that hold no image file directly: each is reported with ``NO_IMAGES_IN_FOLDER``."""


def expand_image_paths(items: Iterable[str | Path]) -> ImagePaths:
    """Files as given; a folder becomes the image files directly in it (by suffix, sorted by name,
    hidden files left out; HEIC and AVIF photos too, so that each is refused by name), or an empty
    folder when it has none."""
    files: list[Path] = []
    empty: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = [p for p in list_images(path) if p.suffix.lower() in IMAGE_SUFFIXES | UNREAD_PHOTO_SUFFIXES]
            files.extend(found)
            if not found:
                empty.append(path)
        else:
            files.append(path)
    return ImagePaths(files, empty)


def folder_files(folder: Path) -> list[Path]:
    """Every file of a folder to enroll (``encode``), images or not, so each non-image is reported
    by name rather than silently skipped; sorted by name, hidden files left out."""
    return list_images(Path(folder))
