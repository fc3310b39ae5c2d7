"""The engine: frame → faces → embeddings → matches, with no UI and no storage."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..config import Settings
from .align import align_faces
from .detector import Region, RetinaFaceDetector
from .embedder import ArcFaceEmbedder, embed_calls_at_once, embedder_threads
from .face import Face, largest
from .matcher import Recognition, SearchableGallery, match_faces
from .session import CheckedModel, OnnxModel


class FaceEngine:
    def __init__(self, detector: RetinaFaceDetector, embedder: ArcFaceEmbedder, settings: Settings,
                 embedder_id: str):
        self.detector = detector
        self.embedder = embedder
        self.settings = settings
        self.embedder_id = embedder_id
        """Identifies the embedding model so stored vectors of different models never mix."""

    @classmethod
    def load(cls, detector_model: Path | bytes | CheckedModel, embedder_model: Path | bytes | CheckedModel,
             settings: Settings, embedder_id: str) -> "FaceEngine":
        """Open both ONNX models (paths, bytes or checked models) with the configured providers, and give
        OpenCV (process-wide) the configured number of threads."""
        return cls.from_models(OnnxModel.load(detector_model, settings),
                               OnnxModel.load(embedder_model, settings, embedder_threads(settings)),
                               settings, embedder_id)

    @classmethod
    def from_models(cls, detector_model: OnnxModel, embedder_model: OnnxModel, settings: Settings,
                    embedder_id: str) -> "FaceEngine":
        """The engine of two models already opened (the embedder on ``embedder_threads``), e.g. on threads of
        their own (service.model_opening); OpenCV (process-wide) gets the configured number of threads."""
        cv2.setNumThreads(settings.opencv_threads or -1)  # OpenCV reads -1 as its default
        return cls(RetinaFaceDetector(detector_model, settings), ArcFaceEmbedder.from_model(embedder_model, settings),
                   settings, embedder_id)

    def configure(self, settings: Settings) -> None:
        """Apply new thresholds and sizes live (providers and threads need a reload)."""
        self.settings = settings
        self.detector.configure(settings)
        self.embedder.flip = settings.embed_flip
        self.embedder.batch_size = settings.embed_batch_size
        self.embedder.calls_at_once = embed_calls_at_once(settings)

    @property
    def device(self) -> str:
        return self.embedder.model.device

    @property
    def fell_back_to_cpu(self) -> bool:
        return self.detector.model.fell_back_to_cpu or self.embedder.model.fell_back_to_cpu

    def detect(self, image: np.ndarray, long_side: int | None = None) -> list[Face]:
        """Faces in a BGR image, highest score first; ``long_side`` overrides the detector input size."""
        return self.detector.detect(image, long_side)

    def detect_regions(self, image: np.ndarray, regions: list[Region], max_sides: int | list[int] | None = None,
                       confidence: float | None = None) -> list[Face]:
        """Faces inside ``regions`` of a BGR image (as a full-frame pass would find them there)."""
        return self.detector.detect_regions(image, regions, max_sides, confidence)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Face]:
        vectors = self.embedder.embed(align_faces(image, faces, self.embedder.chip_size))
        return [face.with_embedding(vector) for face, vector in zip(faces, vectors)]

    def embed_many(self, work: list[tuple[np.ndarray, list[Face]]]) -> list[list[Face]]:
        """``embed`` for faces of several images (e.g. one frame of each of several streams) in one
        embedding step, batched as ``Settings.embed_batch_size`` says (one call on CUDA, a call per face on
        the CPU)."""
        chips = [chip for image, faces in work for chip in align_faces(image, faces, self.embedder.chip_size)]
        vectors = iter(self.embedder.embed(chips))
        return [[face.with_embedding(next(vectors)) for face in faces] for _, faces in work]

    def analyze(self, image: np.ndarray) -> list[Face]:
        """Every face in a BGR image, each with its embedding."""
        return self.embed(image, self.detect(image))

    def largest_face(self, image: np.ndarray) -> Face | None:
        """The largest face with its embedding, or None, whatever its score. Enrollment does not use this: its
        rule (the largest *confident* face) is ``service.enrollment.find_face``."""
        face = largest(self.detect(image))
        return None if face is None else self.embed(image, [face])[0]

    def identify(self, image: np.ndarray, gallery: SearchableGallery) -> list[Recognition]:
        return match_faces(self.analyze(image), gallery, self.settings.similarity_threshold)
