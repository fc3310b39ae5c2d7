"""A small builder for inference-only ONNX graphs made from numpy weights.

Batch norms are folded into the convolution before them at build time, so the
exported graphs hold only Conv, activations and the glue ops each network needs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# onnxruntime releases lag the onnx package; pin the IR version they all read.
IR_VERSION = 8
BN_EPS = 1e-5
PRELU_FORMS = ("prelu", "relu_neg", "relu_min")
PRELU_FORM = "relu_min"
"""The fastest equivalent form measured by bench/bench_graph.py (docs/benchmarks.md)."""


class WeightsError(ValueError):
    """The state_dict does not match the network being built."""


class GraphBuilder:
    def __init__(self, weights: Mapping[str, np.ndarray], prefix: str = "", prelu_form: str = PRELU_FORM):
        self._weights = weights
        self._prefix = prefix
        self.prelu_form = prelu_form
        self._zero_name: str | None = None
        self._used: set[str] = set()
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._counter = 0

    # -- weights -------------------------------------------------------------
    def weight(self, key: str) -> np.ndarray:
        full = self._prefix + key
        if full not in self._weights:
            raise WeightsError(f"missing tensor {full!r}")
        self._used.add(full)
        return np.asarray(self._weights[full], dtype=np.float32)

    def mark_used(self, key: str) -> None:
        """Count a tensor as consumed although the graph does not need it (BN's counters)."""
        if self._prefix + key in self._weights:
            self._used.add(self._prefix + key)

    def check_all_used(self) -> None:
        """Load strictly: a tensor left over means the graph and the weights disagree."""
        unused = sorted(set(self._weights) - self._used)
        if unused:
            raise WeightsError(f"{len(unused)} tensors not used by the graph, e.g. {unused[:3]}")

    # -- graph plumbing ------------------------------------------------------
    def fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}_{self._counter}"

    def constant(self, hint: str, value: np.ndarray) -> str:
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], hint: str | None = None, **attrs: Any) -> str:
        out = self.fresh(hint or op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    # -- layers --------------------------------------------------------------
    def folded_bn(self, bn: str) -> tuple[np.ndarray, np.ndarray]:
        """Scale and shift equivalent to the eval-mode BatchNorm ``bn``."""
        gamma = self.weight(f"{bn}.weight")
        beta = self.weight(f"{bn}.bias")
        mean = self.weight(f"{bn}.running_mean")
        var = self.weight(f"{bn}.running_var")
        self.mark_used(f"{bn}.num_batches_tracked")
        scale = gamma / np.sqrt(var + BN_EPS)
        return scale, beta - mean * scale

    def conv(self, x: str, conv: str, *, stride: int = 1, pad: int | None = None,
             groups: int = 1, bn: str | None = None, bias: bool = False) -> str:
        """Conv (+ folded BatchNorm). ``conv`` and ``bn`` are weight-key stems."""
        w = self.weight(f"{conv}.weight")
        k = w.shape[-1]
        b = self.weight(f"{conv}.bias") if bias else np.zeros(w.shape[0], np.float32)
        if bn is not None:
            scale, shift = self.folded_bn(bn)
            w = w * scale[:, None, None, None]
            b = b * scale + shift
        p = k // 2 if pad is None else pad
        return self.node(
            "Conv",
            [x, self.constant(f"{conv}.w", w.astype(np.float32)), self.constant(f"{conv}.b", b.astype(np.float32))],
            hint=conv, kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p], group=groups,
        )

    def prelu(self, x: str, key: str) -> str:
        """PReLU with one slope per channel, in the form ``self.prelu_form`` names.

        onnxruntime's PRelu kernel broadcasts a (C,1,1) slope slowly: it took 67% of MobileFaceNet's
        kernel time. ``Relu(x) + s*Min(x, 0)`` is the same function (max abs difference 0 on the
        golden inputs) from element-wise kernels; bench/bench_graph.py measures each form.
        """
        slope = self.constant(f"{key}.slope", self.weight(f"{key}.weight").reshape(-1, 1, 1))
        if self.prelu_form == "prelu":
            return self.node("PRelu", [x, slope], hint=key)
        positive = self.node("Relu", [x])
        if self.prelu_form == "relu_neg":  # Relu(x) - s * Relu(-x)
            negative = self.node("Relu", [self.node("Neg", [x])])
            return self.node("Sub", [positive, self.node("Mul", [negative, slope])], hint=key)
        if self.prelu_form == "relu_min":  # Relu(x) + s * Min(x, 0)
            negative = self.node("Min", [x, self._zero()])
            return self.node("Add", [positive, self.node("Mul", [negative, slope])], hint=key)
        raise ValueError(f"unknown PReLU form {self.prelu_form!r}; one of {PRELU_FORMS}")

    def _zero(self) -> str:
        if self._zero_name is None:
            self._zero_name = self.constant("zero", np.zeros((1,), np.float32))
        return self._zero_name

    def leaky_relu(self, x: str, slope: float) -> str:
        return self.node("LeakyRelu", [x], alpha=float(slope))

    def relu(self, x: str) -> str:
        return self.node("Relu", [x])

    def add(self, a: str, b: str) -> str:
        return self.node("Add", [a, b])

    # -- model ---------------------------------------------------------------
    def build(self, name: str, inputs: list[onnx.ValueInfoProto],
              outputs: list[tuple[str, str, list]]) -> onnx.ModelProto:
        """``outputs`` is (graph-internal value, public name, shape) per output."""
        out_infos = []
        for value, public, shape in outputs:
            self.nodes.append(helper.make_node("Identity", [value], [public], name=public))
            out_infos.append(helper.make_tensor_value_info(public, TensorProto.FLOAT, shape))
        graph = helper.make_graph(self.nodes, name, inputs, out_infos, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="facegui")
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model)
        return model


def image_input(name: str, channels: int = 3, height: int | str = "height",
                width: int | str = "width") -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", channels, height, width])
