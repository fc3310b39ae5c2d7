"""Model files: finding, installing, and converting the seed's PyTorch weights to ONNX without torch."""
from .store import (DETECTOR, EMBEDDER, MODELS, ManifestRecord, ModelStatus, ModelStore, ModelStoreError,
                    model_id_of)

__all__ = ["DETECTOR", "EMBEDDER", "MODELS", "ManifestRecord", "ModelStatus", "ModelStore", "ModelStoreError",
           "model_id_of"]
