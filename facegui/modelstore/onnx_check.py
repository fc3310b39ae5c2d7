"""Static checks of a supplied ``.onnx`` before it is staged: what it is, and nothing it may reach.

Only the install path imports this (and with it onnx/protobuf): loading a model needs none of it.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath

import onnx

from .store import DETECTOR, EMBEDDER, ModelStoreError

DETECTOR_OUTPUTS = {"loc", "conf", "landmarks"}
EMBEDDER_INPUT = (3, 112, 112)
"""The ArcFace chip: channels, height, width (the batch dimension may be anything)."""


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every tensor stored in the graph, its nested subgraphs and its constant attributes."""
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def _escapes_folder(location: str) -> bool:
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(location)
        if path.is_absolute() or path.anchor or ".." in path.parts:
            return True
    return False


def _check_self_contained(model: onnx.ModelProto, name: str) -> None:
    for tensor in _tensors(model.graph):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = next((entry.value for entry in tensor.external_data if entry.key == "location"), "")
        if _escapes_folder(location):
            raise ModelStoreError(f"{name}: refused: its tensor {tensor.name!r} points at external data "
                                  f"outside its folder ({location[:80]!r})")
        raise ModelStoreError(f"{name}: keeps tensor {tensor.name!r} in a separate file ({location[:80]!r}); "
                              f"facegui installs single-file models only: save it with all tensors inside")


def _input_dims(value: onnx.ValueInfoProto) -> list[int | str]:
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in value.type.tensor_type.shape.dim]


def inspect_onnx(data: bytes, name: str) -> str:
    """The role (detector or embedder) of the ONNX model in ``data``; ModelStoreError if it has none."""
    if not data:
        raise ModelStoreError(f"{name}: the file is empty")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # protobuf raises its own DecodeError and friends
        raise ModelStoreError(f"{name}: not a valid ONNX file") from None
    if not model.HasField("graph"):
        raise ModelStoreError(f"{name}: not a valid ONNX file (no graph)")
    _check_self_contained(model, name)
    initialised = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initialised]
    if not inputs:
        raise ModelStoreError(f"{name}: the ONNX graph has no inputs")
    outputs = {o.name for o in model.graph.output}
    if DETECTOR_OUTPUTS <= outputs:
        return DETECTOR
    dims = _input_dims(inputs[0])
    if len(inputs) == 1 and len(dims) == 4 and tuple(dims[1:]) == EMBEDDER_INPUT and outputs:
        return EMBEDDER
    raise ModelStoreError(f"{name}: ONNX input {dims} is neither RetinaFace (loc/conf/landmarks outputs) "
                          f"nor ArcFace-style (N,3,112,112)")
