"""Write PyTorch legacy (pre-1.6) ``state_dict`` files without torch, to craft hostile variants of the
real seed weights for the reader's bounds checks. Test-only: the project never writes ``.pth`` files."""
from __future__ import annotations

import io
import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
STORAGE_TYPES = {np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
                 np.dtype(np.int64): "LongStorage", np.dtype(np.uint8): "ByteStorage"}


@dataclass(frozen=True)
class TorchGlobal:
    """Pickles as the global ``module.name`` (so no torch is needed to write one)."""
    module: str
    name: str

    def __call__(self, *args):  # pickle insists that a reduce function be callable
        raise NotImplementedError


@dataclass
class StorageRecord:
    key: str
    type_name: str
    data: np.ndarray
    declared_size: int | None = None
    view: tuple | None = None


@dataclass
class TensorRecord:
    storage: StorageRecord
    offset: int
    size: tuple
    stride: tuple

    def __reduce__(self):
        return (TorchGlobal("torch._utils", "_rebuild_tensor_v2"),
                (self.storage, self.offset, self.size, self.stride, False, OrderedDict()))


@dataclass
class LegacyFile:
    tensors: "OrderedDict[str, TensorRecord]" = field(default_factory=OrderedDict)
    storages: list[StorageRecord] = field(default_factory=list)


class _Writer(pickle._Pickler):  # the pure-Python pickler lets us emit GLOBAL opcodes ourselves
    def persistent_id(self, obj):
        if isinstance(obj, StorageRecord):
            size = obj.declared_size if obj.declared_size is not None else obj.data.size
            return ("storage", TorchGlobal("torch", obj.type_name), obj.key, "cpu", size, obj.view)
        return None

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, TorchGlobal):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            return
        super().save(obj, save_persistent_id)


def from_state_dict(state: "OrderedDict[str, np.ndarray]") -> LegacyFile:
    """One contiguous storage per tensor, as torch.save writes a plain state_dict."""
    result = LegacyFile()
    for index, (name, array) in enumerate(state.items()):
        array = np.array(array, order="C")  # ascontiguousarray would make a scalar 1-d
        storage = StorageRecord(str(index), STORAGE_TYPES[array.dtype], array.reshape(-1))
        strides = tuple(s // array.itemsize for s in array.strides)
        result.storages.append(storage)
        result.tensors[name] = TensorRecord(storage, 0, tuple(array.shape), strides)
    return result


def dumps(legacy: LegacyFile) -> bytes:
    out = io.BytesIO()
    for header in (LEGACY_MAGIC, LEGACY_PROTOCOL, {"protocol_version": LEGACY_PROTOCOL, "little_endian": True}):
        pickle.dump(header, out, protocol=2)
    _Writer(out, protocol=2).dump(legacy.tensors)
    pickle.dump([s.key for s in legacy.storages], out, protocol=2)
    for storage in legacy.storages:
        out.write(struct.pack("<q", storage.data.size))
        out.write(storage.data.tobytes())
    return out.getvalue()
