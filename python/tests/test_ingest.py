"""An ingest directory from Python: events appended through esdb.Archive
(or `esdb ingest`) and read back with esdb.MultiReader(dir) against the model
of conftest.py, while the log is open, after rolls, after a reopen and after
the last seal."""

import itertools
import json
import subprocess

import pytest

import esdb
from conftest import INT64_MAX, INT64_MIN, as_tuples, b, random_model, text


def no_ordinal(rows):
    # A directory's scan merges the parts' scans; the model's ordinal is the
    # position in one file, so compare everything else.
    return [r[:4] + r[5:] for r in rows]


def cases(m, key):
    groups = [None] + sorted({text(e[1]) for e in m.added if e[0] == b(key)})[:2]
    for g, ix, (s, e), rev in itertools.product(groups, [None, ("type", "page"), (b"\xc3", b"\xff")],
                                               [(None, None), (-1000, 1000), (INT64_MIN, INT64_MAX)],
                                               [False, True]):
        yield dict(group=g, index=ix, start=s, end=e, reverse=rev, with_indexes=not rev)


def check_against(m, d):
    r = esdb.MultiReader(d)
    assert isinstance(r, esdb.DirReader)
    assert [k.name for k in r] == [text(k) for k in m.keys()]
    assert r.keys() == [text(k) for k in m.keys()]
    assert len(r) == len(m.keys())
    for key in m.keys():
        k = r[key]
        assert k.event_count == len(k) == len(m.events(key))
        assert k.groups() == sorted({text(e[1]) for _, e in m.events(key)}, key=b)
        for opts in cases(m, key):
            assert no_ordinal(as_tuples(k.scan(**opts))) == no_ordinal(m.scan(key, **opts)), (key, opts)
    assert "nobody" not in r and r.find("nobody") is None
    with pytest.raises(KeyError):
        r["nobody"]
    return r


def append_all(a, events):
    for k, g, ts, data, idx in events:
        a.append(k, ts, data, group=g, indexes=idx)


def test_archive_appends_read_while_open_after_reopen_and_seal(tmp_path):
    m = random_model(seed=17, n_events=900, n_keys=25)
    d = tmp_path / "ingest"
    first, second = m.added[:600], m.added[600:]
    with esdb.Archive(d, roll_size=40_000) as a:
        append_all(a, first)
        a.flush()
        m.added = first
        r = check_against(m, d)
        assert r.sealed_paths and r.log_paths  # rolled, and events still only in the open log
        with pytest.raises(esdb.IoError):
            esdb.Archive(d)  # one writer per directory
    with esdb.Archive(d, durability="append") as a:  # reopened: continues the newest log
        append_all(a, second[:100])
        m.added = first + second[:100]
        check_against(m, d)
        append_all(a, second[100:])
        a.close(seal=True)
        with pytest.raises(ValueError):
            a.append("k", 1, b"")
    m.added = first + second
    r = check_against(m, d)
    assert sum(esdb.Reader(p).stats.event_count for p in r.sealed_paths) == len(m.added)  # all sealed


def test_roll_and_interval_policy(tmp_path):
    d = tmp_path / "ingest"
    with esdb.Archive(d, durability="interval", interval=0.01) as a:
        assert a.roll() is None  # nothing to seal
        a.append("k", 2, b"two")
        a.append("k", 1, b"one", group="g")
        sealed = a.roll()
        assert sealed and sealed.endswith(".esdb")
        a.append("k", 1, b"three")
    r = esdb.MultiReader(str(d))
    assert [(e.group, e.timestamp, e.data) for e in r["k"]] == [("", 1, b"three"), ("", 2, b"two"), ("g", 1, b"one")]
    assert esdb.Reader(sealed)["k"].event_count == 2
    with pytest.raises(ValueError):
        esdb.Archive(d, durability="sometimes")


def test_cli_ingest_reads_like_build(tmp_path, cli_path):
    lines = [json.dumps({"customer": f"c-{i % 5}", "ts": 1000 + i % 7, "type": "buy" if i % 3 == 0 else "view",
                         "n": i}) for i in range(300)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    fields = ["--key", "customer", "--time", "ts", "--index", "type"]
    d = tmp_path / "ingest"
    subprocess.run([cli_path, "ingest", str(d), str(tmp_path / "in.jsonl"), "--roll-size", "4K", "-q", *fields],
                   check=True)
    subprocess.run([cli_path, "build", str(tmp_path / "all.esdb"), str(tmp_path / "in.jsonl"), "-q", *fields],
                   check=True)
    r, f = esdb.MultiReader(d), esdb.Reader(tmp_path / "all.esdb")
    assert r.log_paths and r.sealed_paths
    assert [k.name for k in r] == [k.name for k in f]
    for k in f:
        for opts in [{}, {"reverse": True}, {"index": ("type", "buy")}]:
            assert no_ordinal(as_tuples(r[k.name].scan(**opts))) == no_ordinal(as_tuples(k.scan(**opts)))
