"""Torch-free conversion of the RetinaFace mobilenet0.25 state_dict to an ONNX face detector.

The graph is the RetinaFace of bubbliiiing/facenet-retinaface-pytorch (after biubug6's
Pytorch_Retinaface): a MobileNetV1-0.25 backbone whose three stages (strides 8, 16, 32) feed a
feature pyramid, one SSH context module per pyramid level, and 1x1 convolution heads.

Input ``input``: (N, 3, H, W) float32, BGR minus the mean (104, 117, 123), any H and W.
Outputs, for P priors:

* ``loc`` (N, P, 4): box offsets, to be decoded against the priors with variances (0.1, 0.2);
* ``conf`` (N, P, 2): softmax over (background, face);
* ``landmarks`` (N, P, 10): five (x, y) landmark offsets.

Priors are ordered level (steps 8, 16, 32) -> row -> column -> anchor, two anchors per cell, with
ceil(H / step) x ceil(W / step) cells per level, exactly as the PyTorch network lays them out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import onnx

from facegui.modelstore.onnx_graph import GraphBuilder, image_input

LEAKY_SLOPE = 0.1

# Strides of the depthwise-separable blocks in each backbone stage; a stride of 2 halves the map.
STAGE1_BLOCK_STRIDES = (1, 2, 1, 2, 1)  # blocks 1..5, after the stride-2 stem conv at index 0
STAGE2_BLOCK_STRIDES = (2, 1, 1, 1, 1, 1)
STAGE3_BLOCK_STRIDES = (2, 1)

# Values each head predicts per anchor.
CLASS_VALUES = 2
BOX_VALUES = 4
LANDMARK_VALUES = 10

# nn.DataParallel checkpoints carry this in front of every key.
DATA_PARALLEL_PREFIX = "module."


@dataclass(frozen=True)
class DetectorGraph:
    """Equivalent ways to write the graph; bench/bench_graph.py measures each against the plain one."""

    relu_per_branch: bool = True
    """SSH's ReLU after the concat applied to each branch instead, where onnxruntime fuses it into the conv."""
    merged_heads: bool = True
    """The three 1x1 heads of a level as one conv (and one transpose) instead of three."""


PLAIN = DetectorGraph(relu_per_branch=False, merged_heads=False)
FASTEST = DetectorGraph()


def convert_retinaface(weights: Mapping[str, np.ndarray], graph: DetectorGraph = FASTEST) -> onnx.ModelProto:
    """Build the detector from a RetinaFace mobilenet0.25 state_dict.

    Loading is strict: a missing or unused tensor raises ``onnx_graph.WeightsError``.
    """
    g = GraphBuilder(_without_data_parallel_prefix(weights))
    image = "input"

    pyramid = _feature_pyramid(g, *_backbone(g, image))
    contexts = [_ssh(g, feature, f"ssh{level + 1}", graph.relu_per_branch) for level, feature in enumerate(pyramid)]

    if graph.merged_heads:
        loc, class_logits, landmarks = _merged_heads(g, contexts)
    else:
        loc = _head(g, contexts, "BboxHead", BOX_VALUES)
        class_logits = _head(g, contexts, "ClassHead", CLASS_VALUES)
        landmarks = _head(g, contexts, "LandmarkHead", LANDMARK_VALUES)
    conf = g.node("Softmax", [class_logits], axis=-1)

    g.check_all_used()
    return g.build(
        "retinaface_mobilenet0.25",
        [image_input(image)],
        [
            (loc, "loc", ["batch", "priors", BOX_VALUES]),
            (conf, "conf", ["batch", "priors", CLASS_VALUES]),
            (landmarks, "landmarks", ["batch", "priors", LANDMARK_VALUES]),
        ],
    )


def _without_data_parallel_prefix(weights: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]:
    # Strip only when every key has the prefix, so a mixed state_dict still fails strict loading.
    if weights and all(key.startswith(DATA_PARALLEL_PREFIX) for key in weights):
        return {key.removeprefix(DATA_PARALLEL_PREFIX): value for key, value in weights.items()}
    return weights


def _conv_bn(g: GraphBuilder, x: str, module: str, *, stride: int = 1, groups: int = 1,
             conv_index: int = 0, leaky_slope: float | None = LEAKY_SLOPE) -> str:
    """Bias-free conv + BatchNorm (+ LeakyReLU) stored as ``module.{i}`` and ``module.{i+1}``."""
    y = g.conv(x, f"{module}.{conv_index}", stride=stride, groups=groups,
               bn=f"{module}.{conv_index + 1}")
    return y if leaky_slope is None else g.leaky_relu(y, leaky_slope)


def _depthwise_separable(g: GraphBuilder, x: str, block: str, stride: int) -> str:
    # The depthwise conv has one group per channel; its weight is (channels, 1, 3, 3).
    channels = g.weight(f"{block}.0.weight").shape[0]
    x = _conv_bn(g, x, block, stride=stride, groups=channels, conv_index=0)
    return _conv_bn(g, x, block, conv_index=3)


def _stage(g: GraphBuilder, x: str, stage: str, strides: tuple[int, ...], first_block: int = 0) -> str:
    for block, stride in enumerate(strides, start=first_block):
        x = _depthwise_separable(g, x, f"{stage}.{block}", stride)
    return x


def _backbone(g: GraphBuilder, image: str) -> tuple[str, str, str]:
    """MobileNetV1-0.25 feature maps at strides 8, 16 and 32."""
    stem = _conv_bn(g, image, "body.stage1.0", stride=2)
    stride8 = _stage(g, stem, "body.stage1", STAGE1_BLOCK_STRIDES, first_block=1)
    stride16 = _stage(g, stride8, "body.stage2", STAGE2_BLOCK_STRIDES)
    stride32 = _stage(g, stride16, "body.stage3", STAGE3_BLOCK_STRIDES)
    return stride8, stride16, stride32


def _upsample_nearest_to(g: GraphBuilder, x: str, reference: str) -> str:
    """Resize ``x`` to ``reference``'s spatial size the way PyTorch's ``interpolate(mode="nearest")`` does.

    Sizes come from the runtime shape because, for inputs that are not multiples of 32, a level
    is not exactly twice the one below it; asymmetric coordinates with floor pick the same source
    pixels as PyTorch in that case too.
    """
    batch_and_channels = g.node("Shape", [x], end=2)
    spatial = g.node("Shape", [reference], start=2)
    sizes = g.node("Concat", [batch_and_channels, spatial], axis=0)
    return g.node("Resize", [x, "", "", sizes], mode="nearest",
                  coordinate_transformation_mode="asymmetric", nearest_mode="floor")


def _feature_pyramid(g: GraphBuilder, stride8: str, stride16: str, stride32: str) -> list[str]:
    lateral8 = _conv_bn(g, stride8, "fpn.output1")
    lateral16 = _conv_bn(g, stride16, "fpn.output2")
    lateral32 = _conv_bn(g, stride32, "fpn.output3")
    merged16 = _conv_bn(g, g.add(lateral16, _upsample_nearest_to(g, lateral32, lateral16)), "fpn.merge2")
    merged8 = _conv_bn(g, g.add(lateral8, _upsample_nearest_to(g, merged16, lateral8)), "fpn.merge1")
    return [merged8, merged16, lateral32]


def _ssh(g: GraphBuilder, x: str, module: str, relu_per_branch: bool) -> str:
    """SSH context module: 3x3, stacked "5x5" and "7x7" receptive fields, concatenated, ReLU."""
    narrow = _conv_bn(g, x, f"{module}.conv3X3", leaky_slope=None)
    shared = _conv_bn(g, x, f"{module}.conv5X5_1")
    medium = _conv_bn(g, shared, f"{module}.conv5X5_2", leaky_slope=None)
    wide = _conv_bn(g, _conv_bn(g, shared, f"{module}.conv7X7_2"), f"{module}.conv7x7_3", leaky_slope=None)
    if relu_per_branch:  # ReLU commutes with Concat
        return g.node("Concat", [g.relu(narrow), g.relu(medium), g.relu(wide)], axis=1)
    return g.relu(g.node("Concat", [narrow, medium, wide], axis=1))


def _head(g: GraphBuilder, contexts: list[str], head: str, values_per_anchor: int) -> str:
    """1x1 conv per level, flattened NHWC to (N, cells * anchors, values) and concatenated over levels."""
    # 0 copies the batch size, -1 absorbs rows * columns * anchors: the level -> row -> column -> anchor order.
    per_anchor_shape = g.constant(f"{head}.shape", np.array([0, -1, values_per_anchor], np.int64))
    per_level = []
    for level, context in enumerate(contexts):
        scores = g.conv(context, f"{head}.{level}.conv1x1", bias=True)
        channels_last = g.node("Transpose", [scores], perm=[0, 2, 3, 1])
        per_level.append(g.node("Reshape", [channels_last, per_anchor_shape]))
    return g.node("Concat", per_level, axis=1)


HEADS = (("BboxHead", BOX_VALUES), ("ClassHead", CLASS_VALUES), ("LandmarkHead", LANDMARK_VALUES))


def _merged_heads(g: GraphBuilder, contexts: list[str]) -> tuple[str, str, str]:
    """What ``_head`` gives for each head, from one 1x1 conv per level whose output channels are the
    three heads' side by side; split after the one NHWC transpose."""
    per_head: list[list[str]] = [[] for _ in HEADS]
    for level, context in enumerate(contexts):
        keys = [f"{head}.{level}.conv1x1" for head, _values in HEADS]
        weights = np.concatenate([g.weight(f"{key}.weight") for key in keys])
        biases = np.concatenate([g.weight(f"{key}.bias") for key in keys])
        scores = g.node("Conv", [context, g.constant("heads.w", weights), g.constant("heads.b", biases)],
                        hint=f"heads{level}", kernel_shape=[1, 1], strides=[1, 1], pads=[0, 0, 0, 0], group=1)
        channels_last = g.node("Transpose", [scores], perm=[0, 2, 3, 1])
        per_cell = g.node("Reshape", [channels_last, g.constant("cells", np.array([0, -1, weights.shape[0]], np.int64))])
        sizes = [g.weight(f"{key}.bias").shape[0] for key in keys]
        split = g.constant("split", np.array(sizes, np.int64))
        outputs = [g.fresh(f"{head}{level}") for head, _values in HEADS]
        g.nodes.append(onnx.helper.make_node("Split", [per_cell, split], outputs, axis=2, name=outputs[0] + "_split"))
        for index, ((_head_name, values), part) in enumerate(zip(HEADS, outputs)):
            shape = g.constant("anchors", np.array([0, -1, values], np.int64))
            per_head[index].append(g.node("Reshape", [part, shape]))
    loc, conf, landmarks = (g.node("Concat", parts, axis=1) for parts in per_head)
    return loc, conf, landmarks
