"""esdb as a Dask data source and sink: partitioned archives.

A partitioned archive is a directory of esdb files in which every key lives in
exactly one file, ``part-NNNNN.esdb`` with NNNNN = ``esdb.partition_of(key, N)``,
plus ``esdb-manifest.json`` naming the files (SPEC.md "Partitioned archives").
The manifest is written last: a directory without one is not an archive yet,
like Parquet's ``_metadata``. ``esdb.MultiReader(dir)`` and ``esdb get DIR KEY``
read it too, probing only the key's own file.

    import esdb.dask
    esdb.dask.to_esdb(ddf, "archive/", key="customer", timestamp="ts", indexes=["type"], partitions=16)
    df = esdb.dask.read_esdb("archive/", index=("type", "purchase")).compute()
    hist = esdb.dask.lookup("archive/", ["c-1", "c-2"]).compute()
"""

from __future__ import annotations

import glob
import logging
import math
import os
import signal
import time

import numpy as np
import pandas as pd

import esdb

# The name dask.dataframe.shuffle reads as the target partition number itself
# (any other column would be hashed again).
_PART = "_partitions"
_log = logging.getLogger("esdb.dask")
# A Dask partition of read_esdb holds about this many events: large files are
# split by key range so that one big file still uses every worker.
EVENTS_PER_PARTITION = 1_000_000
# lookup() sends at most this many keys to one task.
KEYS_PER_TASK = 10_000
# Test-only fault injection: when set to a path that does not exist yet, the
# first partition writer to get there creates it and SIGKILLs its own worker
# halfway through its file (tests/test_dask.py checks the retry).
_KILL_MARKER_ENV = "ESDB_DASK_TEST_KILL_MARKER"
# Test-only, like the kill marker, but the first writer there hangs for
# _HANG_SECONDS and then fails without writing: a task the scheduler thinks is
# running while nothing happens, on a worker free for other work (what a
# scheduler that lost track of a task looks like; tests/test_dask.py checks
# the resubmission).
_HANG_MARKER_ENV = "ESDB_DASK_TEST_HANG_MARKER"
_HANG_SECONDS = 8.0
# Test-only: when set to the path of an existing file holding a number N, a
# partition writer sleeps N seconds and then fails without writing anything (a
# task that stops making progress). A file, not the variable's value, switches
# it, so that a worker restarted meanwhile sees the switch too.
_STALL_ENV = "ESDB_DASK_TEST_STALL_FILE"
# to_esdb on a distributed cluster gives up when nothing has moved (no task of
# the cluster changed state, nothing in the archive directory changed) for
# this long; see to_esdb's stall_timeout.
STALL_TIMEOUT = 600.0
# How often a waiting to_esdb looks for progress.
_POLL_SECONDS = 1.0


class StallError(TimeoutError):
    """to_esdb gave up waiting: no progress for stall_timeout seconds, or the
    job passed its timeout. Its tasks were cancelled; no manifest was written,
    so the directory is not an archive."""


def file_name(partition: int) -> str:
    return f"part-{partition:05d}.esdb"


def _meta() -> pd.DataFrame:
    return pd.DataFrame({
        "key": pd.Series([], dtype=object),
        "group": pd.Series([], dtype=object),
        "timestamp": pd.Series([], dtype="int64"),
        "data": pd.Series([], dtype=object),
    })


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    # Categorical key/group differ in categories between partitions; object
    # columns of the same str objects concatenate cleanly and cost no copy.
    df["key"] = df["key"].astype(object)
    df["group"] = df["group"].astype(object)
    return df


def _text_column(values) -> list:
    """A column as a list of str/bytes for Writer.add_many."""
    values = pd.Series(values)
    if values.dtype == object and all(isinstance(v, (str, bytes)) for v in values):
        return values.tolist()
    return values.astype(str).tolist()


def _timestamps(values) -> np.ndarray:
    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("int64").to_numpy()
    return s.to_numpy(dtype="int64")


def _with_partition(df: pd.DataFrame, key: str, partitions: int) -> pd.DataFrame:
    df = df.copy()
    keys = _text_column(df[key])
    df[_PART] = esdb.partitions_of(keys, partitions)
    return df


def _first_at(marker_env: str) -> bool:
    """Whether this task is the first to reach the test fault named by the
    environment variable (which holds a marker file's path)."""
    marker = os.environ.get(marker_env)
    if not marker:
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _maybe_fail_halfway() -> None:
    if _first_at(_KILL_MARKER_ENV):
        os.kill(os.getpid(), signal.SIGKILL)
    if _first_at(_HANG_MARKER_ENV):
        try:  # the task hangs, not its worker: the worker's thread is free for other tasks
            from distributed import secede
            secede()
        except Exception:  # not on a distributed worker
            pass
        time.sleep(_HANG_SECONDS)
        raise RuntimeError("this task hung on purpose")


def _maybe_stall() -> None:
    path = os.environ.get(_STALL_ENV)
    try:
        with open(path) as f:  # TypeError when unset: the common case
            seconds = float(f.read())
    except (TypeError, OSError, ValueError):
        return
    time.sleep(seconds)
    raise RuntimeError(f"{path}: this task stalled on purpose")


def _write_partition(df: pd.DataFrame, directory: str, partition: int, partitions: int, spec: dict) -> dict:
    """One task: the rows of one partition into its file, renamed into place
    when complete. Deterministic, so a retry rewrites the same file."""
    _maybe_stall()
    df = df.drop(columns=[_PART])
    path = os.path.join(directory, file_name(partition))
    keys = _text_column(df[spec["key"]])
    for k in keys[:1]:  # the shuffle put every row here by its partition
        if esdb.partition_of(k, partitions) != partition:
            raise RuntimeError(f"{path}: key {k!r} belongs to partition {esdb.partition_of(k, partitions)}")
    ts = _timestamps(df[spec["timestamp"]])
    if spec["data"] is None:
        data = df.to_json(orient="records", lines=True).splitlines() if len(df) else []
    else:
        data = _text_column(df[spec["data"]])
    groups = _text_column(df[spec["group"]]) if spec["group"] is not None else None
    indexes = {}
    for name in spec["indexes"]:
        col = df[name]
        indexes[name] = [None if pd.isna(v) else (v if isinstance(v, (str, bytes)) else str(v)) for v in col]
    half = len(keys) // 2
    with esdb.Writer(path, overwrite=True, memory_budget=spec["memory_budget"], compression=spec.get("compression"),
                     covered_indexes=spec.get("covered_indexes"), cover_max_share=spec.get("cover_max_share")) as w:
        def add(lo, hi):
            w.add_many(keys[lo:hi], ts[lo:hi], data[lo:hi],
                       groups=None if groups is None else groups[lo:hi],
                       indexes={n: v[lo:hi] for n, v in indexes.items()} or None)
        add(0, half)
        _maybe_fail_halfway()
        add(half, len(keys))
    return {"file": file_name(partition), "events": len(keys)}


def _remove_leftovers(directory: str, partitions: int) -> None:
    # A writer killed with its worker leaves its temporary file
    # (".<name>.esdb-tmp.XXXXXX"), and an archive rewritten with fewer
    # partitions leaves its old higher-numbered files; no task runs any more
    # when this is called.
    keep = {file_name(i) for i in range(partitions)}
    for p in glob.glob(os.path.join(directory, ".part-*.esdb.esdb-tmp.*")):
        os.unlink(p)
    for p in glob.glob(os.path.join(directory, "part-*.esdb")):
        if os.path.basename(p) not in keep:
            os.unlink(p)


def _distributed_client(compute_kwargs: dict):
    """The dask.distributed Client that dask.compute would use, or None (a
    local scheduler, whose tasks cannot outlive their process unnoticed)."""
    if compute_kwargs.get("scheduler") not in (None, "distributed", "dask.distributed"):
        return None
    try:
        import distributed
        return distributed.default_client()
    except (ImportError, ValueError):  # ValueError: no client is running
        return None


def _directory_state(directory: str) -> tuple:
    # A long partition write shows as its temporary file growing.
    out = []
    with os.scandir(directory) as it:
        for e in it:
            try:
                out.append((e.name, e.stat().st_size))
            except FileNotFoundError:  # renamed meanwhile
                pass
    return tuple(sorted(out))


def _scheduler_state(client):
    """A value that changes whenever any task of the cluster changes state."""
    def counter(dask_scheduler=None):
        n = getattr(dask_scheduler, "transition_counter", None)
        if n is None:  # older or newer schedulers: the states themselves
            n = sorted((str(k), ts.state) for k, ts in dask_scheduler.tasks.items())
        return n
    try:
        return client.run_on_scheduler(counter, callback_timeout=30)
    except Exception:  # a slow or unreachable scheduler: no sign of progress
        return None


def _compute_bounded(client, tasks, directory, timeout, stall_timeout, resubmits, compute_kwargs) -> list:
    """dask.compute of `tasks` on `client`, but every wait bounded: when
    nothing moves for stall_timeout seconds the unfinished tasks are cancelled
    and submitted again under fresh keys (at most `resubmits` times), then
    StallError; StallError too when the job passes `timeout`. On any error
    the job's futures are cancelled."""
    import distributed
    from dask.graph_manipulation import clone

    kwargs = {k: v for k, v in compute_kwargs.items() if k != "scheduler"}
    tasks = list(tasks)
    futures = client.compute(tasks, **kwargs)
    start = last_move = time.monotonic()
    seen = (_scheduler_state(client), _directory_state(directory))
    try:
        while True:
            try:
                distributed.wait(futures, timeout=_POLL_SECONDS)
                break
            except TimeoutError:  # distributed's TimeoutError is this one
                pass
            now = time.monotonic()
            state = (_scheduler_state(client), _directory_state(directory))
            done = sum(f.done() for f in futures)
            if state != seen:
                seen, last_move = state, now
            elif stall_timeout is not None and now - last_move > stall_timeout:
                if resubmits <= 0:
                    raise StallError(f"to_esdb {directory}: no progress for {stall_timeout:g} s "
                                     f"({done} of {len(futures)} partition files written); job cancelled")
                # The scheduler can lose track of a task whose inputs died
                # with a worker (dask.distributed 2022.12 does, now and then)
                # and then waits forever. The same graph under new keys
                # (clone: every task down to the inputs) shares none of the
                # lost state. Writers are deterministic and rename into place,
                # so a stuck original that still finishes writes the same bytes.
                resubmits -= 1
                stuck = [i for i, f in enumerate(futures) if not f.done()]
                _log.warning("to_esdb %s: no progress for %g s; resubmitting %d of %d partitions",
                             directory, stall_timeout, len(stuck), len(futures))
                client.cancel([futures[i] for i in stuck])
                cloned = clone(*[tasks[i] for i in stuck])
                fresh = client.compute(list(cloned) if len(stuck) > 1 else [cloned], **kwargs)
                for i, f in zip(stuck, fresh):
                    futures[i] = f
                last_move = now
            if timeout is not None and now - start > timeout:
                raise StallError(f"to_esdb {directory}: not done after {timeout:g} s "
                                 f"({done} of {len(futures)} partition files written); job cancelled")
        # Every future is done: result() returns at once (or raises the
        # task's error); the bound covers fetching the small results.
        try:
            return [f.result(timeout=60) for f in futures]
        except TimeoutError as e:  # a result lost with its worker, not recomputed
            raise StallError(f"to_esdb {directory}: results not returned within 60 s; job cancelled") from e
    except BaseException:
        try:
            client.cancel(futures)
        except Exception:  # the error being raised matters more
            pass
        raise


def to_esdb(ddf, directory, *, key, timestamp, data=None, group=None, indexes=(), partitions=None,
            memory_budget=None, overwrite=False, compute_kwargs=None, timeout=None,
            stall_timeout=STALL_TIMEOUT, resubmits=1, compression=None, covered_indexes=None,
            cover_max_share=None) -> list:
    """Writes a Dask DataFrame as a partitioned archive in ``directory``.

    key, timestamp, data, group: column names (data=None stores each row as a
    JSON object); indexes: columns whose values become index entries
    (name = column). Keys are hash-partitioned into ``partitions`` files
    (default: the frame's partition count), each written by one task with the
    bounded-memory writer and renamed into place when complete; the manifest
    is written last. A failed or retried task leaves no partial file and no
    duplicate events. ``compression`` names each file's codec as
    ``esdb.Writer`` takes it (None: snappy; "zstd" gives the smallest files);
    ``covered_indexes`` and ``cover_max_share`` too (a bad share fails the
    first task with InvalidArgumentError and no manifest is written).
    Returns per-file {"file", "events"}.

    On a dask.distributed cluster no wait is unbounded: when nothing moves
    (no task of the cluster changes state and nothing in ``directory``
    changes) for ``stall_timeout`` seconds, the unfinished partitions are
    cancelled and submitted again as a fresh graph (up to ``resubmits``
    times); when that stalls too, or the job takes longer than ``timeout``
    seconds (None: no limit), its tasks are cancelled and StallError (a
    TimeoutError) is raised; no manifest is written then.
    """
    import dask
    from dask.dataframe.shuffle import rearrange_by_column

    directory = os.fspath(directory)
    partitions = int(partitions or ddf.npartitions)
    if partitions < 1:
        raise ValueError("partitions must be >= 1")
    if compression is not None:
        esdb.check_compression(compression)  # before any task runs
    os.makedirs(directory, exist_ok=True)
    manifest = os.path.join(directory, "esdb-manifest.json")
    if os.path.exists(manifest):
        if not overwrite:
            raise FileExistsError(f"{directory}: already holds a partitioned archive (overwrite=True replaces it)")
        os.unlink(manifest)  # from here until the end it is not a whole archive
    spec = {"key": key, "timestamp": timestamp, "data": data, "group": group, "indexes": list(indexes),
            "memory_budget": memory_budget, "compression": compression, "covered_indexes": covered_indexes,
            "cover_max_share": cover_max_share}
    meta = ddf._meta.assign(**{_PART: pd.Series([], dtype="int64")})
    tagged = ddf.map_partitions(_with_partition, key, partitions, meta=meta)
    shuffled = rearrange_by_column(tagged, _PART, npartitions=partitions, shuffle="tasks")
    parts = shuffled.to_delayed()
    assert len(parts) == partitions
    write = dask.delayed(_write_partition, pure=False)
    tasks = [write(p, directory, i, partitions, spec) for i, p in enumerate(parts)]
    compute_kwargs = dict(compute_kwargs or {})
    client = _distributed_client(compute_kwargs)
    if client is None:
        results = list(dask.compute(*tasks, **compute_kwargs))
    else:
        results = _compute_bounded(client, tasks, directory, timeout, stall_timeout, resubmits, compute_kwargs)
    _remove_leftovers(directory, partitions)
    esdb.write_manifest(directory, [file_name(i) for i in range(partitions)])
    return results


def _files_of(paths_or_directory) -> tuple[list[str], bool]:
    """The files to read and whether they form a partitioned archive."""
    if isinstance(paths_or_directory, (str, os.PathLike)) and esdb.is_partitioned_archive(os.fspath(paths_or_directory)):
        d = os.fspath(paths_or_directory)
        return [os.path.join(d, f) for f in esdb.read_manifest(d)], True
    return esdb.expand_paths(paths_or_directory), False


def _read_piece(piece, scan: dict) -> pd.DataFrame:
    path, key_start, key_stop = piece
    df = esdb.Reader(path).to_pandas(key_start=key_start, key_stop=key_stop, **scan)
    return _plain(df)


def _read_keys(piece, scan: dict) -> pd.DataFrame:
    paths, keys = piece
    reader = esdb.MultiReader(paths) if len(paths) > 1 else esdb.Reader(paths[0])
    cols = esdb._esdb._find_columns(reader, keys, **scan)
    return _plain(esdb._frame(cols))


def _scan_kwargs(group, index, start, end, data) -> dict:
    # data="buffer" (esdb.BytesArray) is for one process: Dask's metadata and
    # shuffles know only the object column.
    if data not in ("bytes", "str"):
        raise ValueError('read_esdb/lookup: data must be "bytes" or "str"')
    return {"group": group, "index": index, "start": start, "end": end, "data": data}


def read_esdb(paths_or_directory, *, keys=None, group=None, index=None, start=None, end=None, data="bytes",
              events_per_partition=EVENTS_PER_PARTITION):
    """A Dask DataFrame (key, group, timestamp, data) of esdb files or a partitioned archive.

    Each file is split by key range into partitions of about
    ``events_per_partition`` events (known from its footer, no data read), so
    one big file still uses every worker. keys: only these keys (see lookup).
    group/index/start/end filter as in Key.scan; events come key by key, each
    key's oldest first.
    """
    import dask.dataframe as dd

    if keys is not None:
        return lookup(paths_or_directory, keys, group=group, index=index, start=start, end=end, data=data)
    files, _ = _files_of(paths_or_directory)
    pieces = []
    for path in files:
        r = esdb.Reader(path)
        n_keys, n_events = len(r), r.stats.event_count
        splits = max(1, min(n_keys, math.ceil(n_events / max(1, events_per_partition))))
        for s in range(splits):
            pieces.append((path, n_keys * s // splits, n_keys * (s + 1) // splits))
    scan = _scan_kwargs(group, index, start, end, data)
    return dd.from_map(_read_piece, pieces, args=[scan], meta=_meta(), label="read-esdb", enforce_metadata=False)


def lookup(archive, keys, *, group=None, index=None, start=None, end=None, data="bytes"):
    """Many keys' histories in parallel, as a Dask DataFrame (key, group, timestamp, data).

    For a partitioned archive each task opens only the files of its keys
    (found from their hashes); for plain files every task reads all of them as
    one (a key may be in several). Keys not found contribute no rows.
    """
    import dask.dataframe as dd

    files, partitioned = _files_of(archive)
    keys = list(dict.fromkeys(keys))  # each key once, in the order given
    pieces = []
    if partitioned:
        by_file: dict[int, list] = {}
        for k in keys:
            by_file.setdefault(esdb.partition_of(k, len(files)), []).append(k)
        for i in sorted(by_file):
            ks = by_file[i]
            for lo in range(0, len(ks), KEYS_PER_TASK):
                pieces.append(([files[i]], ks[lo:lo + KEYS_PER_TASK]))
    else:
        for lo in range(0, len(keys), KEYS_PER_TASK):
            pieces.append((files, keys[lo:lo + KEYS_PER_TASK]))
    if not pieces:
        return dd.from_pandas(_meta(), npartitions=1)
    scan = _scan_kwargs(group, index, start, end, data)
    return dd.from_map(_read_keys, pieces, args=[scan], meta=_meta(), label="esdb-lookup", enforce_metadata=False)
