"""Shared fixtures: an independent model of what a file must return.

The model is plain Python: each key's events sorted by (group bytes,
timestamp, order of add), filtered and reversed as a scan's options say.
Nothing in it calls esdb.
"""

import os
import random

import pytest

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def b(x):
    return x if isinstance(x, bytes) else x.encode("utf-8", "surrogateescape")


def text(x):
    return b(x).decode("utf-8", "surrogateescape")


class Model:
    def __init__(self):
        self.added = []  # (key, group, ts, data, indexes), in add order

    def add(self, key, ts, data, group="", indexes=()):
        self.added.append((b(key), b(group), ts, b(data), tuple((b(n), b(v)) for n, v in indexes)))

    def keys(self):
        return sorted({e[0] for e in self.added})

    def events(self, key):
        """The key's events in stored order, each with its ordinal."""
        evs = [e for e in self.added if e[0] == b(key)]
        evs.sort(key=lambda e: (e[1], e[2]))  # stable: ties keep the order of add
        return [(i, e) for i, e in enumerate(evs)]

    def scan(self, key, group=None, index=None, start=None, end=None, reverse=False, with_indexes=False):
        out = []
        for i, (k, g, ts, data, idx) in self.events(key):
            if group is not None and g != b(group):
                continue
            if index is not None and (b(index[0]), b(index[1])) not in idx:
                continue
            if start is not None and ts < start:
                continue
            if end is not None and ts >= end:
                continue
            ix = tuple(sorted(set((text(n), text(v)) for n, v in idx))) if with_indexes else ()
            out.append((text(k), text(g), ts, data, i, ix))
        return out[::-1] if reverse else out


def random_model(seed, n_events=2000, n_keys=60):
    rng = random.Random(seed)
    keys = [f"user-{i}" for i in range(n_keys - 3)] + ["ключ-ü", b"\xff\xfebin", "a"]
    groups = ["", "", "", "g1", "g2", b"\x00raw"]
    stamps = [INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX]
    names = [("type", "click"), ("type", "page"), ("type", "purchase"), ("country", "fr"), (b"\xc3", b"\xff")]
    m = Model()
    for _ in range(n_events):
        key = rng.choice(keys)
        ts = rng.choice(stamps) if rng.random() < 0.05 else rng.randrange(-10**6, 10**6)
        size = rng.choice([0, 0, 1, 10, 100, 3000])
        data = bytes(rng.getrandbits(8) for _ in range(size)) if rng.random() < 0.5 else ("é" * size)
        group = rng.choice(groups)
        idx = [rng.choice(names) for _ in range(rng.choice([0, 0, 1, 2, 3]))]
        m.add(key, ts, data, group=group, indexes=idx)
    return m


def write_model(esdb, model, path, **opts):
    with esdb.Writer(str(path), **opts) as w:
        for k, g, ts, data, idx in model.added:
            w.add(k, ts, data, group=g, indexes=idx)
    return str(path)


def as_tuples(events):
    return [(e.key, e.group, e.timestamp, e.data, e.ordinal, tuple(sorted(set(e.indexes)))) for e in events]


@pytest.fixture(scope="session")
def esdb_module():
    import esdb

    return esdb


@pytest.fixture(scope="session")
def cli_path():
    p = os.environ.get("ESDB_CLI")
    if not p or not os.path.exists(p):
        pytest.skip("ESDB_CLI (the built esdb tool) is not set")
    return p
