"""Hostile and broken ONNX models, built in a few lines each, for the model store's refusal tests.

None of them is a face model or claims a result: they stand for what an attacker or a bad export
could hand to ``facegui models install``."""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from facegui.modelstore import MODELS

OPSET, IR_VERSION = 17, 8
CHIP = ["batch", 3, 112, 112]


def _model(nodes, inputs, outputs, initializers=(), metadata=None) -> bytes:
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    if metadata:
        helper.set_model_props(model, metadata)
    return model.SerializeToString()


def constant_embedder(claim_real_id: bool = True) -> bytes:
    """An ArcFace-shaped graph whose embedding ignores the face: every face matches every other.

    Its metadata claims to be the converted seed weights, as the fake in issue 10 did."""
    spec = MODELS["embedder"]
    metadata = {"facegui.source_sha256": spec.source_sha256, "facegui.source_name": spec.source_name} \
        if claim_real_id else None
    nodes = [helper.make_node("ReduceMean", ["input"], ["mean"], axes=[1, 2, 3], keepdims=0),
             helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
             helper.make_node("Unsqueeze", ["nothing", "last"], ["column"]),
             helper.make_node("MatMul", ["column", "spread"], ["partial"]),
             helper.make_node("Add", ["partial", "one"], ["embedding"])]
    inits = [numpy_helper.from_array(np.zeros((1,), np.float32), "zero"),
             numpy_helper.from_array(np.ones((1, 128), np.float32), "spread"),
             numpy_helper.from_array(np.ones((128,), np.float32), "one"),
             numpy_helper.from_array(np.array([1], np.int64), "last")]
    return _model(nodes, [helper.make_tensor_value_info("input", TensorProto.FLOAT, CHIP)],
                  [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 128])], inits, metadata)


def nan_embedder() -> bytes:
    """Declares the right shapes, then returns NaN for every face (the log of a negative number)."""
    nodes = [helper.make_node("ReduceMean", ["input"], ["mean"], axes=[2, 3], keepdims=0),
             helper.make_node("MatMul", ["mean", "spread"], ["spread_out"]),
             helper.make_node("Abs", ["spread_out"], ["positive"]),
             helper.make_node("Sub", ["minus_one", "positive"], ["below_zero"]),
             helper.make_node("Log", ["below_zero"], ["embedding"])]
    inits = [numpy_helper.from_array(np.ones((3, 128), np.float32), "spread"),
             numpy_helper.from_array(-np.ones((1,), np.float32), "minus_one")]
    return _model(nodes, [helper.make_tensor_value_info("input", TensorProto.FLOAT, CHIP)],
                  [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 128])], inits)


def huge_input_embedder(side: int = 40000) -> bytes:
    """An "embedder" declaring a side x side input: feeding it one face would allocate ~19 GB."""
    nodes = [helper.make_node("ReduceMean", ["input"], ["mean"], axes=[2, 3], keepdims=0),
             helper.make_node("MatMul", ["mean", "spread"], ["embedding"])]
    inits = [numpy_helper.from_array(np.ones((3, 128), np.float32), "spread")]
    return _model(nodes, [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, side, side])],
                  [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 128])], inits)


def no_input_model() -> bytes:
    const = numpy_helper.from_array(np.ones((1, 128), np.float32), "value")
    nodes = [helper.make_node("Constant", [], ["embedding"], value=const)]
    return _model(nodes, [], [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, 128])])


def external_data_embedder(location: str = "../../etc/passwd") -> bytes:
    """An ArcFace-shaped graph whose weight tensor is read from ``location``, outside its folder."""
    weight = numpy_helper.from_array(np.ones((3, 128), np.float32), "spread")
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in {"location": location, "offset": "0", "length": str(3 * 128 * 4)}.items():
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    nodes = [helper.make_node("ReduceMean", ["input"], ["mean"], axes=[2, 3], keepdims=0),
             helper.make_node("MatMul", ["mean", "spread"], ["embedding"])]
    inits = [weight]
    return _model(nodes, [helper.make_tensor_value_info("input", TensorProto.FLOAT, CHIP)],
                  [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 128])], inits)
