"""Read PyTorch *legacy* (pre-1.6, non-zip) ``state_dict`` files without torch.

The legacy format is a run of pickles followed by raw storage bytes. Pickle can
execute arbitrary code, so the unpickler here resolves only the handful of
globals a plain tensor ``state_dict`` needs and refuses everything else.
"""
from __future__ import annotations

import io
import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class CheckpointError(ValueError):
    """The file is not a legacy PyTorch state_dict this reader can trust."""


@dataclass(frozen=True)
class _StorageType:
    dtype: type


@dataclass
class _Storage:
    key: str
    dtype: type
    size: int
    data: np.ndarray | None = None


@dataclass(frozen=True)
class _PendingTensor:
    storage: _Storage
    offset: int
    shape: tuple
    stride: tuple

    def materialize(self) -> np.ndarray:
        if self.storage.data is None:
            raise CheckpointError(f"storage {self.storage.key} was never written")
        itemsize = self.storage.data.itemsize
        if not self.shape:
            return self.storage.data[self.offset].copy()
        view = np.lib.stride_tricks.as_strided(
            self.storage.data[self.offset:],
            shape=self.shape,
            strides=tuple(s * itemsize for s in self.stride),
            writeable=False,
        )
        return np.ascontiguousarray(view)


def _rebuild_tensor(storage: object, storage_offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_unused: object) -> _PendingTensor:
    if not isinstance(storage, _Storage):
        raise CheckpointError("tensor rebuilt from something that is not a storage")
    return _PendingTensor(storage, int(storage_offset), tuple(size), tuple(stride))


def _rebuild_parameter(data: object, _requires_grad: bool, _backward_hooks: object, *_unused: object) -> object:
    return data


_ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], storages: dict[str, _Storage]):
        super().__init__(file)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise CheckpointError(
                f"refusing pickled global {module}.{name}: a state_dict needs only tensors"
            ) from None

    def persistent_load(self, saved_id: Any) -> _Storage:
        if not (isinstance(saved_id, tuple) and saved_id and saved_id[0] == "storage"):
            raise CheckpointError(f"unexpected persistent id {saved_id!r:.80}")
        _, storage_type, key, _location, size, *_view = saved_id
        if not isinstance(storage_type, _StorageType):
            raise CheckpointError("storage of an unknown type")
        storage = self._storages.get(key)
        if storage is None:
            storage = self._storages[key] = _Storage(str(key), storage_type.dtype, int(size))
        return storage


class _PlainUnpickler(pickle.Unpickler):
    """For the header pickles, which hold only numbers, strings and dicts."""

    def find_class(self, module: str, name: str) -> Any:
        raise CheckpointError(f"refusing pickled global {module}.{name} in the header")


def load_legacy_state_dict(path: str | Path) -> "OrderedDict[str, np.ndarray]":
    """Return the tensors of a legacy ``torch.save(state_dict)`` file as numpy arrays."""
    raw = Path(path).read_bytes()
    stream = io.BytesIO(raw)
    try:
        magic = _PlainUnpickler(stream).load()
        if magic != _LEGACY_MAGIC:
            raise CheckpointError("not a legacy PyTorch file (a zip-format .pth needs a newer reader)")
        if _PlainUnpickler(stream).load() != _LEGACY_PROTOCOL:
            raise CheckpointError("unsupported legacy protocol version")
        sys_info = _PlainUnpickler(stream).load()
        if not sys_info.get("little_endian", True):
            raise CheckpointError("big-endian checkpoints are not supported")
        storages: dict[str, _Storage] = {}
        state = _RestrictedUnpickler(stream, storages).load()
        storage_keys = _PlainUnpickler(stream).load()
        for key in storage_keys:
            storage = storages[key]
            (count,) = struct.unpack("<q", stream.read(8))
            nbytes = count * np.dtype(storage.dtype).itemsize
            chunk = stream.read(nbytes)
            if count != storage.size or len(chunk) != nbytes:
                raise CheckpointError(f"storage {key} is truncated")
            storage.data = np.frombuffer(chunk, dtype=storage.dtype)
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, struct.error, KeyError, AttributeError,
            TypeError, ValueError, IndexError) as exc:
        raise CheckpointError(f"corrupt or truncated checkpoint ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(state, dict):
        raise CheckpointError("the checkpoint does not hold a state_dict")
    tensors: OrderedDict[str, np.ndarray] = OrderedDict()
    for name, value in state.items():
        if not isinstance(value, _PendingTensor):
            raise CheckpointError(f"entry {name!r} is not a tensor")
        tensors[str(name)] = value.materialize()
    return tensors
