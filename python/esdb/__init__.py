"""esdb: immutable per-key event archive files.

Write a file once, read it from any number of threads::

    import esdb
    with esdb.Writer("activity.esdb") as w:
        w.add("customer-1", 1403534923, b'{"total": 42.99}', indexes=[("type", "purchase")])

    r = esdb.Reader("activity.esdb")
    for e in r["customer-1"].scan(index=("type", "purchase"), reverse=True):
        print(e.timestamp, e.data)
    df = r.to_pandas()            # the whole file, columns key, group, timestamp, data

``Writer(path, covered_indexes=["type"])`` stores a copy of the events of
each sparse ``type`` entry (a value on at most ``cover_max_share``, default
0.125, of its key's events; or one entry named "type=purchase") beside the
index, so a scan like the one above decodes no chunk; the file grows by
about the covered events' share, and older readers refuse it as unsupported.
Keys, groups and index names/values are bytes in the file: pass str (UTF-8)
or bytes, get str back (decoded with surrogateescape, so any bytes survive).
Data is bytes. An ingest service appends live through ``esdb.Archive(dir)``
(durable by policy, rolled into sealed files); ``esdb.MultiReader(dir)`` reads
such a directory, including the events still only in its open log. Every failure raises a subclass of esdb.Error carrying
.code, .path and .offset. ``esdb.dask`` reads and writes partitioned archives
from Dask. The byte format is SPEC.md of the repository.
"""

from __future__ import annotations

import glob as _glob
import os as _os

from . import _esdb
from ._esdb import (  # noqa: F401  (the public API)
    Archive,
    CorruptError,
    DirKey,
    DirReader,
    Error,
    Event,
    ExistsError,
    FileStats,
    Group,
    IndexValue,
    InvalidArgumentError,
    IoError,
    Key,
    MultiKey,
    UnsupportedError,
    Writer,
    check_compression,
    is_partitioned_archive,
    key_hash,
    partition_of,
    partitions_of,
    read_manifest,
    write_manifest,
)

__all__ = [
    "Writer", "Reader", "MultiReader", "Key", "MultiKey", "Event", "Group", "IndexValue", "FileStats",
    "merge", "check_compression", "key_hash", "partition_of", "partitions_of", "read_manifest", "write_manifest", "is_partitioned_archive",
    "Error", "CorruptError", "UnsupportedError", "InvalidArgumentError", "ExistsError", "IoError",
    "expand_paths", "BytesArray", "BytesDtype", "Archive", "DirReader", "DirKey", "is_ingest_dir",
]

COLUMNS = ("key", "group", "timestamp", "data")


def __getattr__(name):
    # BytesArray needs pandas: imported on first use, so that `import esdb`
    # does not need pandas.
    if name in ("BytesArray", "BytesDtype"):
        from . import bytes_array

        return getattr(bytes_array, name)
    raise AttributeError(f"module 'esdb' has no attribute {name!r}")


def expand_paths(paths_or_globs) -> list[str]:
    """Each path as given, or the sorted matches of a glob pattern that names no file.

    A pattern matching nothing raises FileNotFoundError. A partitioned archive
    directory is kept as is (MultiReader reads it through its manifest).
    http(s):// URLs are kept as given (a '?' there starts a query); an
    s3://bucket/dir/PATTERN expands through ListObjectsV2.
    """
    if isinstance(paths_or_globs, (str, bytes, _os.PathLike)):
        paths_or_globs = [paths_or_globs]
    out = []
    for p in paths_or_globs:
        p = _os.fsdecode(_os.fspath(p))
        if _esdb.is_url(p):
            if _esdb.is_s3_pattern(p):
                matches = _esdb.expand_s3_pattern(p)
                if not matches:
                    raise FileNotFoundError(f"{p}: no object matches this pattern")
                out.extend(matches)
            else:
                out.append(p)
        elif _glob.has_magic(p) and not _os.path.exists(p):
            matches = sorted(_glob.glob(p))
            if not matches:
                raise FileNotFoundError(f"{p}: no file matches this pattern")
            out.extend(matches)
        else:
            out.append(p)
    return out


def _frame(cols: dict):
    """A pandas DataFrame from a columns dict: key and group as Categoricals
    (codes into the key and group tables, no object per event); data as
    bytes/str objects, or a BytesArray over the scan's buffer."""
    import pandas as pd

    data = cols["data"]
    if "data_offsets" in cols:
        from .bytes_array import BytesArray

        data = BytesArray.from_offsets(data, cols["data_offsets"])
    return pd.DataFrame({
        "key": pd.Categorical.from_codes(cols["key_codes"], categories=cols["keys"]),
        "group": pd.Categorical.from_codes(cols["group_codes"], categories=cols["groups"]),
        "timestamp": cols["timestamp"],
        "data": data,
    }, copy=False)


# to_pandas(data=...): what the data column holds, and the to_numpy form it is made from.
_PANDAS_DATA = {"bytes": "bytes", "str": "str", "buffer": "offsets"}


def _numpy_data(data: str) -> str:
    if data not in _PANDAS_DATA:
        raise ValueError('data must be "bytes", "str" or "buffer"')
    return _PANDAS_DATA[data]


def _columns_of(fn, source, kwargs, data):
    return fn(source, data=data, **kwargs)


class Reader(_esdb.Reader):
    """An esdb file opened for reading.

    ``find(key)`` / ``reader[key]`` (KeyError) / ``key in reader`` look a key up
    with one hash probe; iterating yields every Key in stored order;
    ``verify()`` lists problems as (offset, message). Immutable: share one
    Reader between threads; the GIL is released while C++ reads.
    """

    def to_numpy(self, *, key_start=0, key_stop=None, data="offsets", **scan):
        """The events of keys [key_start, key_stop) (stored order) as numpy arrays.

        Returns a dict: keys/groups (tables), key_codes/group_codes (int32),
        timestamp (int64), and data: one uint8 buffer with data_offsets (n+1)
        when data="offsets", or an object array of bytes ("bytes") or str
        ("str"). scan: group, index, start, end, reverse, limit as in Key.scan.
        """
        return _esdb._reader_columns(self, key_start=key_start, key_stop=key_stop, data=data, **scan)

    def to_pandas(self, *, key_start=0, key_stop=None, data="bytes", **scan):
        """The events as a DataFrame (key, group, timestamp, data), key by key in stored order.

        key and group are Categoricals, timestamp int64. data="bytes" (the
        default): one bytes object per event; "str": decoded as UTF-8
        (surrogateescape); "buffer": an esdb.BytesArray column (dtype
        "esdb.bytes") over one buffer, several times faster for large scans
        because no object is made per event until an element is read.
        """
        return _frame(self.to_numpy(key_start=key_start, key_stop=key_stop, data=_numpy_data(data), **scan))


def is_ingest_dir(path) -> bool:
    """True for a directory that is no partitioned archive: an ingest directory
    (esdb.Archive, `esdb ingest`) of sealed files and logs."""
    path = _os.fsdecode(_os.fspath(path))
    return _os.path.isdir(path) and not is_partitioned_archive(path)


class MultiReader(_esdb.MultiReader):
    """Several files read as one: paths, glob patterns, or a partitioned archive directory.

    An ingest directory (esdb.Archive, `esdb ingest`) gives a DirReader
    instead: its sealed files and the events still only in its open log.

    ``find``/``[]``/``in`` give a MultiKey whose scans merge the files' parts
    by (group, timestamp), equal times in the order of the files.
    """

    def __new__(cls, paths_or_globs):
        # An ingest directory (sealed files + open log) is read by DirReader,
        # which merges the same way; MultiReader(dir) gives one.
        if isinstance(paths_or_globs, (str, bytes, _os.PathLike)) and is_ingest_dir(paths_or_globs):
            return DirReader(paths_or_globs)
        return super().__new__(cls)

    def __init__(self, paths_or_globs):
        super().__init__(expand_paths(paths_or_globs))

    def to_numpy(self, *, data="offsets", **scan):
        """Every key's events, keys in byte-wise order; see Reader.to_numpy."""
        return _esdb._multireader_columns(self, data=data, **scan)

    def to_pandas(self, *, data="bytes", **scan):
        """Every key's events as a DataFrame (key, group, timestamp, data); see Reader.to_pandas."""
        return _frame(self.to_numpy(data=_numpy_data(data), **scan))


def _key_to_numpy(self, *, data="offsets", **scan):
    """This key's events as numpy arrays; see Reader.to_numpy."""
    fn = _esdb._key_columns if isinstance(self, Key) else _esdb._multikey_columns
    return fn(self, data=data, **scan)


def _key_to_pandas(self, *, data="bytes", **scan):
    """This key's events as a DataFrame (key, group, timestamp, data); see Reader.to_pandas."""
    return _frame(_key_to_numpy(self, data=_numpy_data(data), **scan))


for _cls in (Key, MultiKey):
    _cls.to_numpy = _key_to_numpy
    _cls.to_pandas = _key_to_pandas


def merge(inputs, output, *, dedupe=False, overwrite=False, compression=None, covered_indexes=None,
          cover_max_share=None) -> FileStats:
    """Streams every event of ``inputs`` (paths or globs) into a new file ``output``.

    Memory stays bounded whatever the inputs' sizes; dedupe drops events equal
    in key, group, timestamp and data; ``compression``, ``covered_indexes``
    and ``cover_max_share`` shape the output as Writer's do (None: snappy,
    nothing covered). Returns the new file's FileStats.
    """
    return _esdb.merge(expand_paths(inputs), output, dedupe=dedupe, overwrite=overwrite, compression=compression,
                       covered_indexes=covered_indexes, cover_max_share=cover_max_share)
