"""A pandas column of byte strings held in one buffer: ``to_pandas(data="buffer")``.

A column of ``bytes`` objects costs one Python object per event, and making a
million of them takes longer than scanning the file. ``BytesArray`` keeps the
scan's one contiguous buffer instead, with each event's start and end in it;
an element becomes a ``bytes`` object only when it is read. It behaves as a
pandas extension column (dtype ``"esdb.bytes"``): selection, filtering,
sorting by other columns, concatenation, ``==``, ``isna`` (missing values only
appear through reindexing), ``.astype(object)`` for plain bytes objects.
``buffer``, ``starts`` and ``ends`` give the numpy arrays themselves, for
vectorised work on the payloads without any per-event object.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype, take


@register_extension_dtype
class BytesDtype(ExtensionDtype):
    """dtype of BytesArray: elements are bytes, missing ones None."""

    name = "esdb.bytes"
    type = bytes
    kind = "O"
    na_value = None

    def __repr__(self) -> str:
        return self.name

    @classmethod
    def construct_array_type(cls):
        return BytesArray


class BytesArray(ExtensionArray):
    """Element i is ``buffer[starts[i]:ends[i]]`` as bytes, or None where starts[i] < 0.

    Immutable: selections share the buffer (taking rows copies only the
    starts and ends).
    """

    def __init__(self, buffer, starts, ends):
        self._buffer = np.asarray(buffer, dtype=np.uint8)
        self._starts = np.asarray(starts, dtype=np.int64)
        self._ends = np.asarray(ends, dtype=np.int64)
        if self._buffer.ndim != 1 or self._starts.shape != self._ends.shape or self._starts.ndim != 1:
            raise ValueError("BytesArray needs a 1-d uint8 buffer and 1-d starts and ends of one length")
        ok = self._starts < 0
        ok |= (self._starts <= self._ends) & (self._ends <= len(self._buffer))
        if not ok.all():
            raise ValueError("BytesArray: a start/end pair lies outside the buffer")

    @classmethod
    def from_offsets(cls, buffer, offsets) -> "BytesArray":
        """Element i is buffer[offsets[i]:offsets[i+1]] (the layout of to_numpy(data="offsets"))."""
        offsets = np.asarray(offsets, dtype=np.int64)
        return cls(buffer, offsets[:-1], offsets[1:])

    # -- the numpy arrays, for vectorised work on the payloads
    @property
    def buffer(self) -> np.ndarray:
        return self._buffer

    @property
    def starts(self) -> np.ndarray:
        return self._starts

    @property
    def ends(self) -> np.ndarray:
        return self._ends

    def lengths(self) -> np.ndarray:
        """Each element's size in bytes (0 for a missing one)."""
        return np.where(self._starts < 0, 0, self._ends - self._starts)

    # -- the ExtensionArray interface
    @classmethod
    def _from_sequence(cls, scalars, *, dtype=None, copy=False):
        if isinstance(scalars, cls):
            return scalars.copy() if copy else scalars
        items = [None if v is None or (not isinstance(v, (bytes, bytearray, memoryview, str)) and pd.isna(v))
                 else (v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v)) for v in scalars]
        sizes = np.fromiter((0 if v is None else len(v) for v in items), dtype=np.int64, count=len(items))
        ends = np.cumsum(sizes)
        starts = ends - sizes
        missing = np.fromiter((v is None for v in items), dtype=bool, count=len(items))
        starts[missing] = -1
        buffer = np.frombuffer(b"".join(v for v in items if v is not None), dtype=np.uint8)
        return cls(buffer, starts, ends)

    @classmethod
    def _from_factorized(cls, values, original):
        return cls._from_sequence(values)

    @classmethod
    def _concat_same_type(cls, to_concat):
        to_concat = list(to_concat)
        if not to_concat:
            return cls(np.empty(0, np.uint8), np.empty(0, np.int64), np.empty(0, np.int64))
        first = to_concat[0]._buffer
        if all(a._buffer is first for a in to_concat):  # pieces of one scan: share its buffer
            return cls(first, np.concatenate([a._starts for a in to_concat]),
                       np.concatenate([a._ends for a in to_concat]))
        starts, ends, shift = [], [], 0
        for a in to_concat:
            starts.append(np.where(a._starts < 0, -1, a._starts + shift))
            ends.append(a._ends + shift)
            shift += len(a._buffer)
        return cls(np.concatenate([a._buffer for a in to_concat]), np.concatenate(starts), np.concatenate(ends))

    @property
    def dtype(self):
        return BytesDtype()

    @property
    def nbytes(self) -> int:
        return self._buffer.nbytes + self._starts.nbytes + self._ends.nbytes

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, item):
        if isinstance(item, numbers.Integral):
            s = self._starts[item]
            return None if s < 0 else self._buffer[s:self._ends[item]].tobytes()
        if not isinstance(item, slice):
            item = pd.api.indexers.check_array_indexer(self, item)
        return type(self)(self._buffer, self._starts[item], self._ends[item])

    def isna(self) -> np.ndarray:
        return self._starts < 0

    def take(self, indices, *, allow_fill=False, fill_value=None):
        if allow_fill and fill_value is not None:
            raise ValueError("BytesArray.take: the only fill value is None (missing)")
        starts = take(self._starts, indices, allow_fill=allow_fill, fill_value=-1)
        ends = take(self._ends, indices, allow_fill=allow_fill, fill_value=-1)
        return type(self)(self._buffer, starts, ends)

    def copy(self):
        # The buffer is never written: sharing it is a copy for every purpose.
        return type(self)(self._buffer, self._starts.copy(), self._ends.copy())

    def _objects(self) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        buf = self._buffer
        for i, (s, e) in enumerate(zip(self._starts.tolist(), self._ends.tolist())):
            out[i] = None if s < 0 else buf[s:e].tobytes()
        return out

    def __array__(self, dtype=None):
        return self._objects() if dtype is None else self._objects().astype(dtype)

    def astype(self, dtype, copy=True):
        dtype = pd.api.types.pandas_dtype(dtype)
        if isinstance(dtype, BytesDtype):
            return self.copy() if copy else self
        if dtype == np.dtype(object):
            return self._objects()
        return super().astype(dtype, copy=copy)

    def _values_for_factorize(self):
        return self._objects(), None

    def __eq__(self, other):
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented  # pandas aligns, then compares the arrays
        mine = self._objects()
        if isinstance(other, (bytes, str)) or other is None:  # as an object column of bytes would
            return np.fromiter((v is not None and v == other for v in mine), dtype=bool, count=len(mine))
        theirs = np.asarray(other, dtype=object)
        if theirs.shape != mine.shape:
            raise ValueError("lengths must match to compare")
        return np.fromiter((a is not None and a == b for a, b in zip(mine, theirs)), dtype=bool, count=len(mine))
