"""``facegui --self-test``: run the real engine on a bundled photo, headless, and say in one line
whether this installation (a source checkout, a wheel or a PyInstaller bundle) can recognise faces.

It detects the one face of ``resources/selftest_face.jpg`` (checking the detector's raw output
shapes and values), embeds it twice and checks the embedding (finite, unit-norm, the same both
times), and checks that blank grey chips do not match it. ``models install`` runs the same check on every model before it installs it. It opens no database and writes nothing.
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
from ..engine.detector import RetinaFaceDetector, priors
from ..engine.embedder import ArcFaceEmbedder
from ..engine.imageio import load_image
from ..engine.model_contracts import DETECTOR_OUTPUTS
from ..engine.session import OnnxModel
from ..modelstore import DETECTOR, EMBEDDER, MODELS, ModelStore, ModelStoreError, model_id_of

SAMPLE_IMAGE = "selftest_face.jpg"
MIN_REPEAT_COSINE = 0.999
NORM_TOLERANCE = 1e-3
BLANK_LEVELS = (0, 127, 255)
"""Uniform chips the embedder must not match to the self-test face."""


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
    detector_path = store.locate(DETECTOR)
    if detector_path is None:
        return _fail(f"the detector model ({MODELS[DETECTOR].filename}) is missing; "
                     f"run 'facegui models install'")
    store.verify(detector_path)  # the SHA-256 recorded at install, as the app checks it
    embedder_path = store.locate(EMBEDDER)
    if embedder_path is not None:
        store.verify(embedder_path)
    return check_models(detector_path, embedder_path, settings, image_path,
                        embedder_id=model_id_of(embedder_path) if embedder_path else None)


def check_models(detector_path: Path, embedder_path: Path | None, settings: Settings,
                 image_path: Path | None = None, embedder_id: str | None = None,
                 require_embedder: bool = True) -> SelfTestResult:
    """Run the two model files on the self-test face: the smoke run ``models install`` demands.

    Right output shapes, finite values, exactly one face found, and the same face embedded twice
    giving a unit vector with self-similarity 1. Without an embedder only the detector is checked,
    and the result fails unless ``require_embedder`` is off. Raises ModelLoadError/ImageError for files that cannot even load.
    """
    image_path = image_path or resource_path(SAMPLE_IMAGE)
    if image_path is None or not Path(image_path).is_file():
        return _fail(f"the sample image {SAMPLE_IMAGE} is missing (looked in "
                     f"{', '.join(str(d) for d in resource_dirs())})")
    image = load_image(Path(image_path), settings.max_image_pixels)

    started = time.perf_counter()
    detector = RetinaFaceDetector(OnnxModel.load(detector_path, settings), settings)
    problem = _detector_output_problem(detector, image)
    if problem:
        return _fail(problem)
    faces = detector.detect(image)
    if len(faces) != 1:
        return _fail(f"the detector found {len(faces)} faces in {Path(image_path).name}, expected 1")
    score = faces[0].score

    if embedder_path is None and not require_embedder:
        return SelfTestResult(True, f"facegui self-test: detector ok (1 face, score {score:.2f})")
    if embedder_path is None:
        return _fail(f"the embedder model ({MODELS[EMBEDDER].filename}) is missing "
                     f"(detector ok: 1 face, score {score:.2f}); import it with 'facegui models install "
                     f"--from FILE' or start the window to import it")
    embedder = ArcFaceEmbedder.load(embedder_path, settings)
    engine = FaceEngine(detector, embedder, settings, embedder_id or Path(embedder_path).stem)
    first = engine.analyze(image)
    per_image_started = time.perf_counter()
    second = engine.analyze(image)
    per_image_ms = (time.perf_counter() - per_image_started) * 1000
    total_ms = (time.perf_counter() - started) * 1000
    if len(first) != 1 or len(second) != 1:
        return _fail(f"the engine found {len(first)} then {len(second)} faces, expected 1")
    a, b = first[0].embedding, second[0].embedding
    if a is None or b is None or a.ndim != 1 or a.shape[0] != embedder.dim:
        return _fail(f"the embedding has shape {None if a is None else a.shape}, expected ({embedder.dim},)")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return _fail("the embedding is not finite")
    norm = float(np.linalg.norm(a))
    if abs(norm - 1.0) > NORM_TOLERANCE:
        return _fail(f"the embedding is not unit-norm (norm {norm:.4f}): the model gives a zero vector")
    cosine = float(np.dot(a, b))
    if cosine <= MIN_REPEAT_COSINE:
        return _fail(f"the same image embedded twice differs (cosine {cosine:.4f})")
    blank = _best_blank_match(embedder, a)
    if blank >= settings.similarity_threshold:
        return _fail(f"the embedder matches a blank grey image to the face (similarity {blank:.2f}, threshold "
                     f"{settings.similarity_threshold}): it does not tell faces apart")
    return SelfTestResult(True, f"facegui self-test: ok (1 face, score {score:.2f}, {a.shape[0]}-d embedding, "
                                f"{engine.device}, {per_image_ms:.0f} ms per image, {total_ms:.0f} ms in all)")


def _best_blank_match(embedder: ArcFaceEmbedder, face_embedding: np.ndarray) -> float:
    """The highest similarity of the face to a black, grey or white chip; a real model scores ~0.1.

    A model that returns one constant vector passes every other check (and would name every face
    as the first person enrolled), so it must also fail to match something that is not a face.
    """
    size = embedder.chip_size
    chips = [np.full((size, size, 3), level, np.uint8) for level in BLANK_LEVELS]
    return float(np.max(embedder.embed(chips) @ face_embedding))


def _detector_output_problem(detector: RetinaFaceDetector, image: np.ndarray) -> str | None:
    """Why the detector's raw outputs on ``image`` break the RetinaFace contract, or None."""
    height, width = detector.input_shape(*image.shape[:2])
    outputs = detector.model.session.run(list(DETECTOR_OUTPUTS),
                                         {detector.input_name: detector.network_input(image, height, width)})
    expected_priors = len(priors(height, width))
    for (name, values), output in zip(DETECTOR_OUTPUTS.items(), outputs):
        if output.shape != (1, expected_priors, values):
            return (f"the detector's output {name!r} has shape {output.shape}, expected "
                    f"(1, {expected_priors}, {values}) for a {width}x{height} input")
        if not np.all(np.isfinite(output)):
            return f"the detector's output {name!r} is not finite"
    return None
