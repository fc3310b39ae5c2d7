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


MAX_TENSOR_RANK = 8

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
class _StorageView:
    """A slice of a root storage (legacy files may pickle views); checked against the root's length."""
    root: _Storage
    offset: int
    size: int

    @property
    def key(self) -> str:
        return self.root.key

    @property
    def dtype(self) -> type:
        return self.root.dtype

    @property
    def data(self) -> np.ndarray | None:
        if self.root.data is None:
            return None
        if self.offset + self.size > self.root.data.size:
            raise CheckpointError(f"storage view {self.key}[{self.offset}:{self.offset + self.size}] "
                                  f"runs past its storage of {self.root.data.size} elements")
        return self.root.data[self.offset:self.offset + self.size]


def _check_index(value: object, what: str, key: str) -> int:
    # bool is an int subclass; a pickled numpy integer or a float is not a legal index here.
    if type(value) is not int or value < 0:
        raise CheckpointError(f"tensor on storage {key}: {what} {value!r:.40} is not a non-negative integer")
    return value


@dataclass(frozen=True)
class _PendingTensor:
    storage: _Storage | _StorageView
    offset: int
    shape: tuple
    stride: tuple

    def materialize(self) -> np.ndarray:
        """A copy of the tensor's elements, after checking every element lies inside its storage.

        Never trust the pickle: offsets, sizes and strides index raw memory through as_strided,
        so a crafted file could otherwise read heap bytes or crash the process.
        """
        data = self.storage.data
        key = self.storage.key
        if data is None:
            raise CheckpointError(f"storage {key} was never written")
        if data.dtype != np.dtype(self.storage.dtype):
            raise CheckpointError(f"storage {key} holds {data.dtype}, not {np.dtype(self.storage.dtype)}")
        if not isinstance(self.shape, tuple) or not isinstance(self.stride, tuple):
            raise CheckpointError(f"tensor on storage {key}: size and stride must be tuples")
        if len(self.shape) != len(self.stride):
            raise CheckpointError(f"tensor on storage {key}: {len(self.shape)} sizes but {len(self.stride)} strides")
        if len(self.shape) > MAX_TENSOR_RANK:
            raise CheckpointError(f"tensor on storage {key}: rank {len(self.shape)} is implausible")
        offset = _check_index(self.offset, "offset", key)
        shape = tuple(_check_index(n, "size", key) for n in self.shape)
        stride = tuple(_check_index(s, "stride", key) for s in self.stride)
        if 0 in shape:
            return np.zeros(shape, data.dtype)
        last = offset + sum((n - 1) * s for n, s in zip(shape, stride))
        if last >= data.size:
            raise CheckpointError(f"tensor on storage {key} (offset {offset}, size {list(shape)}, stride "
                                  f"{list(stride)}) reaches element {last}, past the storage's {data.size}")
        if not shape:
            return data[offset:offset + 1].reshape(()).copy()
        view = np.lib.stride_tricks.as_strided(
            data[offset:], shape=shape, strides=tuple(s * data.itemsize for s in stride), writeable=False)
        return np.ascontiguousarray(view)


def _rebuild_tensor(storage: object, storage_offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_unused: object) -> _PendingTensor:
    if not isinstance(storage, (_Storage, _StorageView)):
        raise CheckpointError("tensor rebuilt from something that is not a storage")
    return _PendingTensor(storage, storage_offset, size, stride)


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

    def persistent_load(self, saved_id: Any) -> _Storage | _StorageView:
        if not (isinstance(saved_id, tuple) and len(saved_id) in (5, 6) and saved_id[0] == "storage"):
            raise CheckpointError(f"unexpected persistent id {saved_id!r:.80}")
        _, storage_type, key, _location, size, *view = saved_id
        if not isinstance(storage_type, _StorageType):
            raise CheckpointError("storage of an unknown type")
        if not isinstance(key, str):
            raise CheckpointError(f"storage key {key!r:.40} is not a string")
        size = _check_index(size, "storage size", key)
        storage = self._storages.get(key)
        if storage is None:
            storage = self._storages[key] = _Storage(key, storage_type.dtype, size)
        elif storage.dtype != storage_type.dtype or storage.size != size:
            raise CheckpointError(f"storage {key} is declared twice with different types or sizes")
        if view and view[0] is not None:
            # (view_key, offset, view_size): a slice of the root storage ``key``.
            if not (isinstance(view[0], tuple) and len(view[0]) == 3):
                raise CheckpointError(f"storage {key}: malformed view {view[0]!r:.60}")
            _view_key, offset, view_size = view[0]
            offset = _check_index(offset, "view offset", key)
            view_size = _check_index(view_size, "view size", key)
            if offset + view_size > size:
                raise CheckpointError(f"storage view {key}[{offset}:{offset + view_size}] runs past its "
                                      f"storage of {size} elements")
            return _StorageView(storage, offset, view_size)
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
        if (not isinstance(storage_keys, list) or len(storage_keys) != len(storages)
                or set(storage_keys) != set(storages)):
            raise CheckpointError("the list of stored storages does not match the tensors")
        for key in storage_keys:
            storage = storages[key]
            if storage.data is not None:
                raise CheckpointError(f"storage {key} is written twice")
            (count,) = struct.unpack("<q", stream.read(8))
            if count != storage.size:
                raise CheckpointError(f"storage {key} holds {count} elements, its tensors declared {storage.size}")
            nbytes = count * np.dtype(storage.dtype).itemsize
            chunk = stream.read(nbytes)
            if len(chunk) != nbytes:
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
