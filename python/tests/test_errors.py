"""Errors: one exception class per esdb error code, carrying path and offset;
damaged files give the original events or an esdb.Error, never a crash."""

import os
import random

import pytest

import esdb
from conftest import Model, as_tuples, random_model, write_model


def test_error_classes():
    assert issubclass(esdb.CorruptError, esdb.Error)
    assert issubclass(esdb.UnsupportedError, esdb.Error)
    assert issubclass(esdb.InvalidArgumentError, (esdb.Error, ValueError))
    assert issubclass(esdb.ExistsError, FileExistsError) and issubclass(esdb.ExistsError, esdb.Error)
    assert issubclass(esdb.IoError, OSError) and issubclass(esdb.IoError, esdb.Error)


def test_io_error(tmp_path):
    missing = str(tmp_path / "missing.esdb")
    with pytest.raises(OSError) as e:
        esdb.Reader(missing)
    assert isinstance(e.value, esdb.IoError)
    assert e.value.code == "io" and e.value.path == missing and e.value.offset is None
    with pytest.raises(esdb.IoError):
        esdb.Reader(str(tmp_path))  # a directory is not a file


def test_exists_and_invalid(tmp_path):
    p = str(tmp_path / "x.esdb")
    with esdb.Writer(p) as w:
        w.add("k", 1, b"")
    with pytest.raises(esdb.ExistsError) as e:
        esdb.Writer(p)
    assert e.value.path == p
    with esdb.Writer(p, overwrite=True) as w:
        with pytest.raises(esdb.InvalidArgumentError):
            w.add("", 1, b"")
        with pytest.raises(esdb.InvalidArgumentError):
            w.add("k" * 70000, 1, b"")
        with pytest.raises(TypeError):
            w.add(5, 1, b"")
        with pytest.raises(TypeError):
            w.add("k", 1, object())
        with pytest.raises(ValueError):
            w.add("k", 1, b"", indexes=[("only-name",)])
        with pytest.raises(ValueError):
            w.add("k", 1, b"", indexes=[("a", "b", "c")])
        with pytest.raises(ValueError):
            w.add_many(["a", "b"], [1], [b"", b""])
        w.add("k", 2, b"ok")
    assert esdb.Reader(p).stats.event_count == 1
    with pytest.raises(ValueError):
        w.add("k", 3, b"")  # finished


def test_exception_in_with_leaves_nothing(tmp_path):
    p = tmp_path / "never.esdb"
    with pytest.raises(RuntimeError):
        with esdb.Writer(str(p)) as w:
            w.add("k", 1, b"x" * 100000)
            raise RuntimeError("stop")
    assert os.listdir(tmp_path) == []


def test_unsupported_version(tmp_path):
    p = write_model(esdb, random_model(seed=1, n_events=50, n_keys=5), tmp_path / "v.esdb")
    raw = bytearray(open(p, "rb").read())
    raw[len(raw) - 128 + 112] = 2  # footer format_version
    open(p, "wb").write(raw)
    with pytest.raises(esdb.UnsupportedError) as e:
        esdb.Reader(p)
    assert e.value.path == p and e.value.code == "unsupported"


def read_everything(path):
    r = esdb.Reader(path)
    out = {}
    for k in r:
        out[k.name] = as_tuples(k.scan(with_indexes=True)), as_tuples(k.scan(reverse=True, with_indexes=True))
    r.to_pandas()
    r.verify()
    return out


def test_damaged_files_give_original_events_or_error(tmp_path):
    m = random_model(seed=11, n_events=300, n_keys=12)
    p = write_model(esdb, m, tmp_path / "ok.esdb")
    good = open(p, "rb").read()
    original = read_everything(p)
    rng = random.Random(5)
    bad = str(tmp_path / "bad.esdb")
    errors = 0
    positions = [rng.randrange(len(good)) for _ in range(150)] + list(range(len(good) - 140, len(good), 3))
    for pos in positions:
        raw = bytearray(good)
        raw[pos] ^= 1 << rng.randrange(8)
        open(bad, "wb").write(raw)
        try:
            got = read_everything(bad)
        except esdb.Error as e:
            errors += 1
            assert e.path == bad
            continue
        # What was read without an error is exactly what was written.
        assert got == original, pos
    for cut in (0, 8, 135, len(good) // 2, len(good) - 1):
        open(bad, "wb").write(good[:cut])
        with pytest.raises(esdb.Error):
            read_everything(bad)
    assert errors > 0


def test_corrupt_error_has_offset(tmp_path):
    m = Model()
    m.add("k", 1, b"payload" * 20)
    p = write_model(esdb, m, tmp_path / "c.esdb")
    raw = bytearray(open(p, "rb").read())
    raw[10] ^= 0xFF  # inside the first chunk
    open(p, "wb").write(raw)
    with pytest.raises(esdb.CorruptError) as e:
        list(esdb.Reader(p)["k"].scan())
    assert e.value.offset is not None and e.value.offset >= 8
    assert esdb.Reader(p).verify() != []
    assert all(isinstance(off, int) and isinstance(msg, str) for off, msg in esdb.Reader(p).verify())
