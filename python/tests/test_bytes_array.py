"""to_pandas(data="buffer"): the esdb.BytesArray column against the model in
conftest.py, and the pandas operations a data engineer applies to a column."""

import numpy as np
import pandas as pd
import pytest

import esdb
from conftest import random_model, write_model


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    m = random_model(seed=11, n_events=1500, n_keys=40)
    path = write_model(esdb, m, tmp_path_factory.mktemp("buffer") / "b.esdb", chunk_size=256)
    return m, esdb.Reader(path)


def test_buffer_column_equals_model(built):
    m, r = built
    df = r.to_pandas(data="buffer")
    expected = [e for key in m.keys() for e in m.scan(key)]
    assert str(df["data"].dtype) == "esdb.bytes"
    assert isinstance(df["data"].array, esdb.BytesArray)
    assert list(zip(df.key, df.group, df.timestamp, df.data)) == [(e[0], e[1], e[2], e[3]) for e in expected]
    assert df["data"].astype(object).tolist() == [e[3] for e in expected]
    assert df["data"].array.lengths().tolist() == [len(e[3]) for e in expected]
    # With the scan's options, and for one key and a MultiReader.
    key = m.keys()[5]
    one = r[key].to_pandas(data="buffer", reverse=True, start=0)
    assert one["data"].tolist() == [e[3] for e in m.scan(key, reverse=True, start=0)]
    multi = esdb.MultiReader([r.path]).to_pandas(data="buffer", index=("type", "page"))
    assert multi["data"].tolist() == [e[3] for k in m.keys() for e in m.scan(k, index=("type", "page"))]
    with pytest.raises(ValueError, match="buffer"):
        r.to_pandas(data="offsets")


def test_buffer_column_pandas_operations(built):
    m, r = built
    df = r.to_pandas(data="buffer")
    plain = r.to_pandas(data="bytes")
    # Selection by position, slice, mask and sort keep the values.
    assert df.iloc[::7]["data"].tolist() == plain.iloc[::7]["data"].tolist()
    mask = (df["timestamp"] > 0).to_numpy()
    assert df[mask]["data"].tolist() == plain[mask]["data"].tolist()
    order = df.sort_values("timestamp", kind="stable")
    assert order["data"].tolist() == plain.sort_values("timestamp", kind="stable")["data"].tolist()
    # Equality with bytes, another column, and concatenation of pieces.
    first = plain["data"].iloc[0]
    assert ((df["data"] == first).to_numpy() == (plain["data"] == first).to_numpy()).all()
    assert (df["data"] == plain["data"]).all()
    # (The column alone: pandas cannot hash the Categorical key column's
    # surrogate-escaped names, which concatenating whole frames needs.)
    both = pd.concat([df["data"].iloc[:10], df["data"].iloc[-10:]], ignore_index=True)
    assert both.tolist() == plain.iloc[:10]["data"].tolist() + plain.iloc[-10:]["data"].tolist()
    other = esdb.BytesArray._from_sequence([b"x", None, "y"])
    joined = pd.concat([df["data"].iloc[:2], pd.Series(other)], ignore_index=True)
    assert joined.tolist()[:2] == plain["data"].iloc[:2].tolist()
    assert joined.tolist()[2:] == [b"x", None, b"y"] and joined.isna().tolist() == [False, False, False, True, False]
    # Reindexing makes missing values; groupby and unique see the bytes.
    re = df["data"].iloc[:3].reindex([0, 1, 99])
    assert re.isna().tolist() == [False, False, True] and re.iloc[2] is None
    assert df.groupby("data", sort=False).size().sum() == len(df)
    assert sorted(df["data"].unique().astype(object).tolist()) == sorted(set(plain["data"].tolist()))
    assert df["data"].copy().tolist() == plain["data"].tolist()


def test_buffer_array_checks_its_parts():
    buf = np.frombuffer(b"abcdef", dtype=np.uint8)
    a = esdb.BytesArray(buf, [0, 2, -1], [2, 6, -1])
    assert a.tolist() == [b"ab", b"cdef", None]
    with pytest.raises(ValueError, match="outside"):
        esdb.BytesArray(buf, [0], [7])
    with pytest.raises(ValueError, match="outside"):
        esdb.BytesArray(buf, [3], [2])
    with pytest.raises(ValueError, match="one length"):
        esdb.BytesArray(buf, [0, 1], [1])
    assert len(esdb.BytesArray._concat_same_type([])) == 0


def test_empty_file_buffer(tmp_path):
    p = str(tmp_path / "e.esdb")
    with esdb.Writer(p):
        pass
    df = esdb.Reader(p).to_pandas(data="buffer")
    assert len(df) == 0 and str(df["data"].dtype) == "esdb.bytes"
