"""Writer and Reader against the model in conftest.py: every scan option, both
directions, str vs bytes, empty data, extreme timestamps."""

import itertools
import random
import threading

import numpy as np
import pytest

import esdb
from conftest import INT64_MAX, INT64_MIN, Model, as_tuples, b, random_model, text, write_model


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    m = random_model(seed=7)
    path = write_model(esdb, m, tmp_path_factory.mktemp("model") / "m.esdb", chunk_size=512)
    return m, esdb.Reader(path)


def scan_cases(m, key):
    groups = [None] + sorted({text(e[1]) for e in m.added if e[0] == b(key)})
    indexes = [None, ("type", "page"), ("type", "purchase"), (b"\xc3", b"\xff"), ("type", "absent")]
    bounds = [(None, None), (0, None), (None, 0), (-1000, 1000), (INT64_MIN, INT64_MAX), (5, 5)]
    for g, ix, (s, e), rev, wi in itertools.product(groups, indexes, bounds, [False, True], [False, True]):
        yield dict(group=g, index=ix, start=s, end=e, reverse=rev, with_indexes=wi)


def test_every_key_every_option(built):
    m, r = built
    assert [k.name for k in r] == [text(k) for k in m.keys()]
    assert len(r) == len(m.keys())
    for key in m.keys():
        k = r[text(key)]
        assert k.event_count == len(m.events(key))
        for opts in scan_cases(m, key):
            assert as_tuples(k.scan(**opts)) == m.scan(key, **opts), (key, opts)


def test_key_metadata(built):
    m, r = built
    for key in m.keys():
        k = r.find(key)  # bytes lookups find the same keys
        evs = [e for _, e in m.events(key)]
        assert k.min_timestamp == min(e[2] for e in evs)
        assert k.max_timestamp == max(e[2] for e in evs)
        groups = sorted({e[1] for e in evs})
        assert [g.name for g in k.groups()] == [text(g) for g in groups]
        for g in k.groups():
            ge = [e for e in evs if e[1] == b(g.name)]
            assert (g.event_count, g.min_timestamp, g.max_timestamp) == (
                len(ge), min(e[2] for e in ge), max(e[2] for e in ge))
        counts = {}
        for e in evs:
            for entry in set(e[4]):
                counts[entry] = counts.get(entry, 0) + 1
        assert [(v.name, v.value, v.count) for v in k.index_values()] == [
            (text(n), text(v), c) for (n, v), c in sorted(counts.items())]


def test_stats_and_verify(built):
    m, r = built
    s = r.stats
    assert s.event_count == len(m.added)
    assert s.key_count == len(m.keys())
    assert s.min_timestamp == min(e[2] for e in m.added)
    assert s.max_timestamp == max(e[2] for e in m.added)
    assert s.data_bytes == sum(len(e[3]) for e in m.added)
    assert r.verify() == []


def test_lookup_surface(built):
    m, r = built
    assert "nope" not in r and r.find("nope") is None
    with pytest.raises(KeyError):
        r["nope"]
    assert "a" in r and b"\xff\xfebin" in r and text(b"\xff\xfebin") in r
    assert r[b"\xff\xfebin"].name == "\udcff\udcfebin"
    assert list(r["a"]) == list(r["a"].scan())


def test_empty_data_extremes_and_str_bytes(tmp_path):
    m = Model()
    m.add("k", INT64_MAX, b"")
    m.add(b"k", INT64_MIN, "")
    m.add("k", 0, "é", group="g")
    m.add("k", 0, b"\x00\xff", group=b"g", indexes=[("a", "b"), ("a", "b")])
    path = write_model(esdb, m, tmp_path / "x.esdb")
    k = esdb.Reader(path)["k"]
    for rev in (False, True):
        assert as_tuples(k.scan(reverse=rev, with_indexes=True)) == m.scan("k", reverse=rev, with_indexes=True)
    assert [e.data for e in k.scan()] == [b"", b"", "é".encode(), b"\x00\xff"]


def test_empty_file(tmp_path):
    p = str(tmp_path / "e.esdb")
    with esdb.Writer(p):
        pass
    r = esdb.Reader(p)
    assert len(r) == 0 and list(r) == [] and r.stats.event_count == 0
    assert r.to_numpy()["timestamp"].size == 0
    assert len(r.to_pandas()) == 0


def test_add_many_equals_add(tmp_path):
    m = random_model(seed=3, n_events=3000)
    one = write_model(esdb, m, tmp_path / "one.esdb")
    many = str(tmp_path / "many.esdb")
    names = sorted({n for e in m.added for n, _ in e[4]})
    with esdb.Writer(many) as w:
        # Events with at most one entry per name fit the columnar form.
        rows = [e for e in m.added if len({n for n, _ in e[4]}) == len(e[4])]
        w.add_many([e[0] for e in rows], np.array([e[2] for e in rows], dtype=np.int64), [e[3] for e in rows],
                   groups=[e[1] for e in rows],
                   indexes={n: [dict(e[4]).get(n) for e in rows] for n in names})
    m2 = Model()
    for k, g, ts, data, idx in rows:
        m2.add(k, ts, data, group=g, indexes=idx)
    r = esdb.Reader(many)
    for key in m2.keys():
        assert as_tuples(r[key].scan(with_indexes=True)) == m2.scan(key, with_indexes=True)
    assert esdb.Reader(one).stats.event_count == len(m.added)


def test_writer_options_and_sorted_input(tmp_path):
    p = str(tmp_path / "s.esdb")
    with esdb.Writer(p, sorted_input=True, memory_budget=1 << 20, chunk_size=64) as w:
        w.add("a", 1, b"x")
        w.add("b", 1, b"y")
        with pytest.raises(esdb.InvalidArgumentError) as e:
            w.add("a", 2, b"late")
        assert isinstance(e.value, ValueError) and e.value.code == "invalid argument"
    assert [k.name for k in esdb.Reader(p)] == ["a", "b"]


def test_columns_match_iteration(built):
    m, r = built
    df = r.to_pandas()
    expected = [e for key in m.keys() for e in m.scan(key)]
    assert list(zip(df.key, df.group, df.timestamp, df.data)) == [(e[0], e[1], e[2], e[3]) for e in expected]
    cols = r.to_numpy(index=("type", "page"), reverse=True)
    expected = [e for key in m.keys() for e in m.scan(key, index=("type", "page"), reverse=True)]
    offs, buf = cols["data_offsets"], cols["data"].tobytes()
    assert [cols["keys"][c] for c in cols["key_codes"]] == [e[0] for e in expected]
    assert [cols["groups"][c] for c in cols["group_codes"]] == [e[1] for e in expected]
    assert cols["timestamp"].tolist() == [e[2] for e in expected]
    assert [buf[offs[i]:offs[i + 1]] for i in range(len(expected))] == [e[3] for e in expected]
    # A key range of the file, and one key.
    keys = m.keys()
    part = r.to_pandas(key_start=3, key_stop=7, group="g1")
    expected = [e for key in keys[3:7] for e in m.scan(key, group="g1")]
    assert list(zip(part.key, part.timestamp, part.data)) == [(e[0], e[2], e[3]) for e in expected]
    one = r[keys[0]].to_pandas(start=0, data="str")
    assert list(one.data) == [e[3].decode("utf-8", "surrogateescape") for e in m.scan(keys[0], start=0)]


def test_shared_reader_threads(built):
    m, r = built
    expected = {key: m.scan(key, reverse=True, with_indexes=True) for key in m.keys()}
    failures = []

    def work(offset):
        try:
            for _ in range(3):
                for key in m.keys()[offset:] + m.keys()[:offset]:
                    if as_tuples(r[key].scan(reverse=True, with_indexes=True)) != expected[key]:
                        failures.append(key)
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=work, args=(i * 7,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


def test_multireader_and_merge(tmp_path):
    ms = [random_model(seed=s, n_events=500, n_keys=20) for s in (1, 2, 3)]
    paths = [write_model(esdb, m, tmp_path / f"day{i}.esdb") for i, m in enumerate(ms)]
    whole = Model()
    for m in ms:
        whole.added.extend(m.added)
    mr = esdb.MultiReader(str(tmp_path / "day*.esdb"))
    assert mr.paths == paths
    assert [k.name for k in mr] == [text(k) for k in whole.keys()]
    for key in whole.keys():
        k = mr[key]
        assert k.event_count == len(whole.events(key))
        # Merged by (group, timestamp), ties in file order: the model's stable sort.
        got = [(e.group, e.timestamp, e.data) for e in k.scan(group=None, start=-500000)]
        assert got == [(e[1], e[2], e[3]) for e in whole.scan(key, start=-500000)]
    out = str(tmp_path / "all.esdb")
    stats = esdb.merge(paths, out)
    assert stats.event_count == len(whole.added)
    r = esdb.Reader(out)
    for key in whole.keys():
        assert [(e.group, e.timestamp, e.data) for e in r[key].scan()] == [
            (e[1], e[2], e[3]) for e in whole.scan(key)]
    with pytest.raises(esdb.ExistsError):
        esdb.merge(paths, out)
    assert esdb.merge(paths + paths, out, dedupe=True, overwrite=True).event_count <= len(whole.added)


def test_key_hash_matches_spec_and_partitions():
    # SPEC.md's worked example stores these hashes in its hash table slots.
    assert esdb.key_hash("alice") == int.from_bytes(bytes.fromhex("b016011ad60da14d"), "little")
    assert esdb.key_hash(b"bob") == int.from_bytes(bytes.fromhex("e5b8490fc4c00314"), "little")
    keys = ["alice", b"bob", "ключ", b"\xff"] + [f"k{i}" for i in range(100)]
    got = esdb.partitions_of(keys, 7)
    assert got.tolist() == [esdb.key_hash(k) % 7 for k in keys] == [esdb.partition_of(k, 7) for k in keys]
    with pytest.raises(esdb.InvalidArgumentError):
        esdb.partition_of("a", 0)


def test_event_iterator_protocol(tmp_path):
    # EventIterator is a native type: the iterator protocol by hand, its end
    # repeated, and the file kept alive by the iterator alone.
    m = Model()
    for ts in (3, 1, 2):
        m.add("k", ts, b"d%d" % ts)
    it = esdb.Reader(write_model(esdb, m, tmp_path / "i.esdb"))["k"].scan(reverse=True)
    assert iter(it) is it and type(it).__name__ == "EventIterator"
    assert next(it).timestamp == 3
    import gc

    gc.collect()  # nothing but `it` holds the Reader and Key now
    assert [(e.timestamp, e.data) for e in it] == [(2, b"d2"), (1, b"d1")]
    for _ in range(2):
        with pytest.raises(StopIteration):
            next(it)


def test_lookup_forms(built):
    m, r = built
    key = m.keys()[0]
    k = r.find(key=text(key))
    assert k is not None and k.name == text(key) and r[key].name == k.name and key in r
    assert r.find("absent") is None and "absent" not in r
    with pytest.raises(KeyError) as e:
        r["absent"]
    assert e.value.args == ("absent",)
    for bad in (1, None, 2.5):
        with pytest.raises(TypeError, match="key must be str or bytes"):
            r.find(bad)
        with pytest.raises(TypeError):
            r[bad]
    with pytest.raises(TypeError, match="one argument"):
        r.find()
    with pytest.raises(TypeError, match="one argument"):
        r.find(key, key)
    with pytest.raises(TypeError, match="one argument"):
        r.find(name=key)
    assert isinstance(r, esdb.Reader) and esdb.Reader.find.__doc__.startswith("find(key)")


def small_keys_model(seed, n_events=6000, n_keys=1500):
    """Many keys of a few similar JSON records: where a zstd dictionary pays."""
    rng = random.Random(seed)
    m = Model()
    for i in range(n_events):
        kind = rng.choice(["page", "page", "click", "purchase"])
        data = '{"customer":"c-%d","type":"%s","sku":"sku-%04d","price":%d.%02d,"ok":true}' % (
            rng.randrange(n_keys), kind, rng.randrange(500), rng.randrange(200), rng.randrange(100))
        m.add(f"c-{rng.randrange(n_keys)}", 1_700_000_000_000 + i, data, indexes=[("type", kind)])
    return m


def test_compression_names_and_dictionary(tmp_path):
    m = small_keys_model(seed=11)
    sizes = {}
    for name in ("snappy", "none", "zstd", "zstd:3"):
        p = write_model(esdb, m, tmp_path / f"{name.replace(':', '-')}.esdb", compression=name,
                        zstd_dictionary_size=1024)
        r = esdb.Reader(p)
        sizes[name] = r.stats.file_size
        for key in m.keys():
            assert as_tuples(r[key].scan(reverse=True, with_indexes=True)) == m.scan(
                key, reverse=True, with_indexes=True)
            assert as_tuples(r[key].scan(index=("type", "purchase"))) == m.scan(key, index=("type", "purchase"))
        # Only zstd files carry a dictionary, and on these small keys it pays.
        assert (r.stats.dictionary_bytes > 0) == name.startswith("zstd"), name
        r.verify()
    assert sizes["zstd"] < sizes["snappy"] < sizes["none"]
    off = write_model(esdb, m, tmp_path / "nodict.esdb", compression="zstd", zstd_dictionary_size=0)
    assert esdb.Reader(off).stats.dictionary_bytes == 0
    for bad in ("zstd:99", "lz4", "zstd:", ""):
        with pytest.raises(ValueError):
            esdb.Writer(str(tmp_path / "bad.esdb"), compression=bad)
    assert not (tmp_path / "bad.esdb").exists()


def test_merge_recompresses(tmp_path):
    m = small_keys_model(seed=12)
    src = write_model(esdb, m, tmp_path / "snappy.esdb")
    out = str(tmp_path / "zstd.esdb")
    stats = esdb.merge([src], out, compression="zstd")
    assert stats.dictionary_bytes > 0 and stats.file_size < esdb.Reader(src).stats.file_size
    r = esdb.Reader(out)
    for key in m.keys():
        assert as_tuples(r[key].scan(with_indexes=True)) == m.scan(key, with_indexes=True)
    with pytest.raises(ValueError):
        esdb.merge([src], str(tmp_path / "x.esdb"), compression="brotli")


def required_flags(path):
    """The footer's required flags (SPEC.md): bit 2 says entries are covered."""
    with open(path, "rb") as f:
        b = f.read()
    return int.from_bytes(b[len(b) - 128 + 88:len(b) - 128 + 92], "little")


def test_covered_indexes(tmp_path):
    # random_model's type values are on ~1/5 of a key's events each: a share
    # of 0.5 covers them, the default 0.125 only where a value is rare.
    m = random_model(seed=13)
    plain = write_model(esdb, m, tmp_path / "plain.esdb", chunk_size=512)
    narrow = write_model(esdb, m, tmp_path / "narrow.esdb", chunk_size=512, covered_indexes=["type"])
    wide = write_model(esdb, m, tmp_path / "wide.esdb", chunk_size=512, covered_indexes=["type"],
                       cover_max_share=0.5)
    assert required_flags(plain) & 4 == 0
    assert required_flags(narrow) & 4 and required_flags(wide) & 4
    sizes = [esdb.Reader(p).stats.file_size for p in (plain, narrow, wide)]
    assert sizes[0] < sizes[1] < sizes[2], sizes  # the copies, more of them with the wider share
    merged = str(tmp_path / "merged.esdb")
    esdb.merge([wide], merged, covered_indexes=["type"], cover_max_share=0.5)
    assert required_flags(merged) & 4
    r_plain = esdb.Reader(plain)
    for p in (wide, merged):
        r = esdb.Reader(p)
        assert r.verify() == []
        for key in m.keys():
            for value in ("click", "page", "purchase"):  # newest first: the covered read
                want = m.scan(key, index=("type", value), reverse=True)
                assert as_tuples(r_plain[key].scan(index=("type", value), reverse=True)) == want
                assert as_tuples(r[key].scan(index=("type", value), reverse=True)) == want, (p, key, value)
            assert as_tuples(r[key].scan(index=("type", "purchase"), with_indexes=True)) == m.scan(
                key, index=("type", "purchase"), with_indexes=True)
    for bad in (0, 1.5, -0.1, float("nan")):
        with pytest.raises(esdb.InvalidArgumentError, match="cover_max_share"):
            esdb.Writer(str(tmp_path / "bad.esdb"), covered_indexes=["type"], cover_max_share=bad)
        with pytest.raises(esdb.InvalidArgumentError, match="cover_max_share"):
            esdb.merge([plain], str(tmp_path / "bad.esdb"), cover_max_share=bad)
    assert not (tmp_path / "bad.esdb").exists()
