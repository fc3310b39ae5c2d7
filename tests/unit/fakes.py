"""Stand-ins for onnxruntime, to test the logic around a network without its weights.

A fake session only feeds chosen numbers to the code under test; no result of a real model is ever
claimed from it (those tests run on the real models, in the real-model tier).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from facegui.engine.session import CPU, OnnxModel


@dataclass(frozen=True)
class FakeTensor:
    name: str
    shape: list


class FakeSession:
    """The part of ``onnxruntime.InferenceSession`` the engine uses; ``respond(feeds)`` gives the outputs."""

    def __init__(self, inputs: list[FakeTensor], outputs: list[FakeTensor],
                 respond: Callable[[dict[str, np.ndarray]], list[np.ndarray]]):
        self._inputs, self._outputs, self._respond = inputs, outputs, respond
        self.calls: list[dict[str, np.ndarray]] = []

    def get_inputs(self) -> list[FakeTensor]:
        return self._inputs

    def get_outputs(self) -> list[FakeTensor]:
        return self._outputs

    def get_providers(self) -> list[str]:
        return [CPU]

    def run(self, _output_names: object, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.calls.append(feeds)
        return self._respond(feeds)


def fake_model(session: FakeSession) -> OnnxModel:
    return OnnxModel(session, None, [CPU])
