"""What the engine needs of each ONNX model's inputs and outputs, checked once at load.

A model that declares something else is refused in one line before it runs: an embedder declaring a
40000x40000 input, for one, would otherwise make every identify allocate gigabytes.
"""
from __future__ import annotations

from .session import ModelLoadError, OnnxModel


class EmbeddingModelError(ModelLoadError, ValueError):
    """The ONNX graph is not an ArcFace-style embedding model."""

DETECTOR_OUTPUTS = {"loc": 4, "conf": 2, "landmarks": 10}
"""Output name → values per prior (the RetinaFace contract, SOURCES.md)."""
EMBEDDER_CHIP = 112
"""ArcFace-style models take the 112x112 aligned chip, and nothing larger."""
EMBEDDING_DIMS = range(1, 4097)
"""Embedding sizes facegui accepts (the known ArcFace models give 128 to 512): a bound, so that a
declared size cannot make the gallery allocate without limit."""
COLOUR_CHANNELS = 3


def _name(model: OnnxModel) -> str:
    return str(model.path) if model.path is not None else "model"


def _is_fixed(dim: object) -> bool:
    return isinstance(dim, int) and dim > 0


def check_detector(model: OnnxModel) -> str:
    """The input name of a RetinaFace-style detector, or ModelLoadError saying what is wrong."""
    inputs = model.session.get_inputs()
    if len(inputs) != 1:
        raise ModelLoadError(f"{_name(model)}: a face detector needs exactly one input, this model has {len(inputs)}")
    shape = inputs[0].shape
    if len(shape) != 4 or shape[1] != COLOUR_CHANNELS or _is_fixed(shape[2]) or _is_fixed(shape[3]):
        raise ModelLoadError(f"{_name(model)}: a face detector needs an input of shape (N, 3, H, W) with "
                             f"free H and W, this model declares {shape}")
    outputs = {o.name: o.shape for o in model.session.get_outputs()}
    for name, values in DETECTOR_OUTPUTS.items():
        declared = outputs.get(name)
        if declared is None or len(declared) != 3 or declared[2] != values:
            raise ModelLoadError(f"{_name(model)}: a face detector needs an output {name!r} of shape "
                                 f"(N, priors, {values}), this model declares {declared}")
    return inputs[0].name


def check_embedder(model: OnnxModel) -> tuple[str, int]:
    """(input name, chip size) of an ArcFace-style embedder, or ModelLoadError."""
    inputs, outputs = model.session.get_inputs(), model.session.get_outputs()
    if len(inputs) != 1 or not outputs:
        raise ModelLoadError(f"{_name(model)}: a face embedder needs one input and an output, this model has "
                             f"{len(inputs)} inputs and {len(outputs)} outputs")
    shape = inputs[0].shape
    if len(shape) != 4 or list(shape[1:]) != [COLOUR_CHANNELS, EMBEDDER_CHIP, EMBEDDER_CHIP]:
        raise EmbeddingModelError(f"{_name(model)}: not a face embedder: expected an input of shape (N, 3, "
                                  f"{EMBEDDER_CHIP}, {EMBEDDER_CHIP}), this model declares {shape}")
    declared = outputs[0].shape
    if len(declared) != 2 or (_is_fixed(declared[1]) and declared[1] not in EMBEDDING_DIMS):
        raise ModelLoadError(f"{_name(model)}: a face embedder needs an output of shape (N, D) with D from "
                             f"{EMBEDDING_DIMS.start} to {EMBEDDING_DIMS.stop - 1}, this model declares {declared}")
    return inputs[0].name, EMBEDDER_CHIP


def check_embedding_dim(model: OnnxModel, dim: int) -> int:
    """The size of the embedding one real run produced, checked like a declared one."""
    if dim not in EMBEDDING_DIMS:
        raise ModelLoadError(f"{_name(model)}: the embedder produced {dim} values per face; facegui accepts "
                             f"{EMBEDDING_DIMS.start} to {EMBEDDING_DIMS.stop - 1}")
    return dim
