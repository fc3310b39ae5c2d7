"""Which files a command or a drop means: one home for turning paths given by the user into image files.

For the window (drop on the window, identify view): call :func:`expand_image_paths` on the dropped
paths instead of listing folders yourself.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..engine.imageio import IMAGE_SUFFIXES, list_images


def expand_image_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files as given (one that is not an image is reported when it is read); a folder becomes the
    image files directly in it (by suffix, sorted by name, hidden files left out)."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(p for p in list_images(path) if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            paths.append(path)
    return paths


def folder_files(folder: Path) -> list[Path]:
    """Every file of a folder to enroll (``encode``), images or not, so each non-image is reported
    by name rather than silently skipped; sorted by name, hidden files left out."""
    return list_images(Path(folder))
