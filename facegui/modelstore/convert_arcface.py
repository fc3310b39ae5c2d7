"""MobileFaceNet (ArcFace, 128-d) from the seed's PyTorch state_dict to ONNX.

Layout per SOURCES.md and Chen et al. 2018 (arXiv:1804.07573). Output is the raw
embedding; the engine L2-normalises it.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnx

from .onnx_graph import PRELU_FORM, GraphBuilder, image_input

INPUT_SIZE = 112
# (block key, stride, number of residual blocks that follow, their key)
_STAGES = (
    ("conv_23", "conv_3", 4),
    ("conv_34", "conv_4", 6),
    ("conv_45", "conv_5", 2),
)


def _strip_prefix(weights: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Accept keys with or without the upstream's ``arcface.`` / ``module.`` prefix."""
    out = {}
    for key, value in weights.items():
        for prefix in ("module.", "arcface."):
            if key.startswith(prefix):
                key = key[len(prefix):]
        out[key] = value
    return out


def _conv_bn_prelu(g: GraphBuilder, x: str, key: str, *, stride: int = 1, groups: int = 1) -> str:
    y = g.conv(x, f"{key}.conv", stride=stride, groups=groups, bn=f"{key}.bn")
    return g.prelu(y, f"{key}.prelu")


def _bottleneck(g: GraphBuilder, x: str, key: str, *, stride: int, residual: bool) -> str:
    expanded = _conv_bn_prelu(g, x, f"{key}.conv")
    channels = g.weight(f"{key}.conv_dw.conv.weight").shape[0]
    y = _conv_bn_prelu(g, expanded, f"{key}.conv_dw", stride=stride, groups=channels)
    y = g.conv(y, f"{key}.project.conv", bn=f"{key}.project.bn")
    return g.add(x, y) if residual else y


def convert_mobilefacenet(weights: Mapping[str, np.ndarray], prelu_form: str = PRELU_FORM) -> onnx.ModelProto:
    """Graph ``input`` (N,3,112,112 RGB scaled to [-1,1]) → ``embedding`` (N,128).

    ``prelu_form`` picks how PReLU is written (``onnx_graph.PRELU_FORMS``); all give the same numbers.
    """
    g = GraphBuilder(_strip_prefix(weights), prelu_form=prelu_form)
    x = _conv_bn_prelu(g, "input", "conv1", stride=2)
    x = _conv_bn_prelu(g, x, "conv2_dw", groups=64)
    for down_key, stage_key, repeats in _STAGES:
        x = _bottleneck(g, x, down_key, stride=2, residual=False)
        for i in range(repeats):
            x = _bottleneck(g, x, f"{stage_key}.model.{i}", stride=1, residual=True)
    x = g.prelu(g.conv(x, "sep", bn="sep_bn"), "prelu")
    x = g.conv(x, "GDC_dw", pad=0, groups=512, bn="GDC_bn")
    x = g.conv(x, "features", bn="last_bn")
    x = g.node("Flatten", [x], axis=1)
    g.check_all_used()
    dim = g.weight("features.weight").shape[0]
    return g.build("mobilefacenet", [image_input("input", 3, INPUT_SIZE, INPUT_SIZE)],
                   [(x, "embedding", ["batch", dim])])
