"""``facegui --self-test``: run the real engine on a bundled photo, headless, and say in one line
whether this installation (a source checkout, a wheel or a PyInstaller bundle) can recognise faces.

It detects the one face of ``resources/selftest_face.jpg``, embeds it twice and checks the
embedding (finite, unit-norm, the same both times). It opens no database and writes nothing.
A missing embedder fails the test (exit 1) after the detector has still been checked: an
installation that cannot embed cannot recognise anyone, and a check that passed without the
embedder would let a broken bundle through CI.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Settings
from ..engine import FaceEngine, ImageError, ModelLoadError
from ..engine.detector import RetinaFaceDetector
from ..engine.embedder import ArcFaceEmbedder
from ..engine.imageio import load_image
from ..engine.session import OnnxModel
from ..modelstore import DETECTOR, EMBEDDER, MODELS, ModelStore, ModelStoreError, model_id_of

SAMPLE_IMAGE = "selftest_face.jpg"
MIN_REPEAT_COSINE = 0.999
NORM_TOLERANCE = 1e-3


def resource_dirs() -> list[Path]:
    """Where ``resources/`` may be: inside a PyInstaller bundle, beside the package in a source
    checkout (or an editable install), or under ``<prefix>/share/facegui`` for a wheel install."""
    dirs = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle) / "resources")
    dirs.append(Path(__file__).resolve().parents[2] / "resources")
    dirs.append(Path(sys.prefix) / "share" / "facegui")
    return dirs


def resource_path(name: str) -> Path | None:
    """The first existing ``resources/NAME`` (a file or folder), or None."""
    for folder in resource_dirs():
        candidate = folder / name
        if candidate.exists():
            return candidate
    return None


@dataclass(frozen=True)
class SelfTestResult:
    ok: bool
    line: str
    """One line for stdout (success) or stderr (failure)."""

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def _fail(reason: str) -> SelfTestResult:
    return SelfTestResult(False, f"facegui self-test: FAILED: {reason}")


def run_self_test(settings: Settings | None = None, image_path: Path | None = None,
                  store: ModelStore | None = None) -> SelfTestResult:
    """Never raises for an expected problem (missing model, damaged file): the reason is in the line."""
    try:
        return _run(settings or Settings(), image_path, store)
    except (ModelStoreError, ModelLoadError, ImageError) as exc:
        return _fail(str(exc).splitlines()[0])
    except Exception as exc:  # the whole point is one line, never a traceback
        return _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))


def _run(settings: Settings, image_path: Path | None, store: ModelStore | None) -> SelfTestResult:
    store = store or ModelStore.from_settings(settings)
    image_path = image_path or resource_path(SAMPLE_IMAGE)
    if image_path is None or not Path(image_path).is_file():
        return _fail(f"the sample image {SAMPLE_IMAGE} is missing (looked in "
                     f"{', '.join(str(d) for d in resource_dirs())})")
    image = load_image(Path(image_path), settings.max_image_pixels)

    detector_path = store.locate(DETECTOR)
    if detector_path is None:
        return _fail(f"the detector model ({MODELS[DETECTOR].filename}) is missing; "
                     f"run 'facegui models install'")
    store.verify(detector_path)  # the SHA-256 recorded at install, as the app checks it
    started = time.perf_counter()
    detector = RetinaFaceDetector(OnnxModel.load(detector_path, settings), settings)
    faces = detector.detect(image)
    if len(faces) != 1:
        return _fail(f"the detector found {len(faces)} faces in {Path(image_path).name}, expected 1")
    score = faces[0].score

    embedder_path = store.locate(EMBEDDER)
    if embedder_path is None:
        return _fail(f"the embedder model ({MODELS[EMBEDDER].filename}) is missing "
                     f"(detector ok: 1 face, score {score:.2f}); import it with 'facegui models install "
                     f"--from FILE' or start the window to import it")
    store.verify(embedder_path)
    embedder = ArcFaceEmbedder(OnnxModel.load(embedder_path, settings), settings.embed_flip)
    engine = FaceEngine(detector, embedder, settings, model_id_of(embedder_path))
    first = engine.analyze(image)
    per_image_started = time.perf_counter()
    second = engine.analyze(image)
    per_image_ms = (time.perf_counter() - per_image_started) * 1000
    total_ms = (time.perf_counter() - started) * 1000
    if len(first) != 1 or len(second) != 1:
        return _fail(f"the engine found {len(first)} then {len(second)} faces, expected 1")
    a, b = first[0].embedding, second[0].embedding
    if a is None or b is None or not np.all(np.isfinite(a)):
        return _fail("the embedding is not finite")
    norm = float(np.linalg.norm(a))
    if abs(norm - 1.0) > NORM_TOLERANCE:
        return _fail(f"the embedding is not unit-norm (norm {norm:.4f})")
    cosine = float(np.dot(a, b))
    if cosine <= MIN_REPEAT_COSINE:
        return _fail(f"the same image embedded twice differs (cosine {cosine:.4f})")
    return SelfTestResult(True, f"facegui self-test: ok (1 face, score {score:.2f}, {a.shape[0]}-d embedding, "
                                f"{engine.device}, {per_image_ms:.0f} ms per image, {total_ms:.0f} ms in all)")
