"""Package namespaces that import a submodule only when one of its names is first used.

``facegui --version`` should not load onnxruntime, faiss or OpenCV, yet ``from facegui.engine import
FaceEngine`` should keep working. A package lists which submodule holds each public name; PEP 562's
module ``__getattr__`` imports that submodule on first use (each package also imports the names under
``TYPE_CHECKING``, so type checkers see them as before).
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_namespace(package: str, exports: Mapping[str, Sequence[str]]
                   ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose ``exports`` map ``.submodule`` → names."""
    home = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # the next lookup is an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(home) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
