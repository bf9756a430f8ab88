"""esdb over s3://: Writer uploads, a pattern expands through ListObjectsV2,
and MultiReader reads the objects back as the model says.

The store is s3rver (npm) behind the tests' SigV4 check
(tests/remote/s3_server.js), started here on 127.0.0.1 and stopped at the end;
the test skips, saying why, only when node or the npm packages are missing.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

import esdb
from conftest import random_model, write_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPM = os.environ.get("ESDB_NPM_PREFIX", "/opt/esdb-npm")
KEY, SECRET = "ESDBTESTKEY", "esdb-test-secret"


def _missing():
    if not (shutil.which("node") or os.path.exists("/usr/bin/node")):
        return "node is not installed (scripts/deps.sh installs it)"
    for module in ("s3rver", "aws4"):
        if not os.path.exists(os.path.join(NPM, "node_modules", module, "package.json")):
            return f"the npm package {module} is not installed under {NPM} (scripts/deps.sh installs it)"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def s3(tmp_path, monkeypatch):
    why = _missing()
    if why:
        pytest.skip(why)
    port = _free_port()
    data = tmp_path / "s3data"
    data.mkdir()
    env = dict(os.environ, NODE_PATH=os.path.join(NPM, "node_modules"), ESDB_S3_FAIL_PART="0")
    log = open(tmp_path / "s3rver.log", "wb")
    proc = subprocess.Popen(
        [shutil.which("node") or "/usr/bin/node", "--openssl-legacy-provider",
         os.path.join(ROOT, "tests", "remote", "s3_server.js"), str(port), str(data), KEY, SECRET, "days"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait(timeout=10)
                pytest.fail("s3rver did not start: " + (tmp_path / "s3rver.log").read_text(errors="replace"))
            time.sleep(0.1)
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _write(model, url):
    write_model(esdb, model, url)


def _plain(rows):
    return sorted(r[:4] for r in rows)


def test_write_glob_and_read_back(s3):
    a, b = random_model(seed=21), random_model(seed=22)
    _write(a, "s3://days/2026/day-1.esdb")
    _write(b, "s3://days/2026/day-2.esdb")
    _write(random_model(seed=23), "s3://days/2026/other.esdb")
    urls = esdb.expand_paths("s3://days/2026/day-*.esdb")
    assert urls == ["s3://days/2026/day-1.esdb", "s3://days/2026/day-2.esdb"]
    multi = esdb.MultiReader("s3://days/2026/day-*.esdb")
    keys = sorted(set(a.keys()) | set(b.keys()))
    assert [k.name for k in multi] == [k.decode("utf-8", "surrogateescape") for k in keys]
    for key in keys:
        want = _plain(a.scan(key) + b.scan(key))
        got = [(e.key, e.group, e.timestamp, e.data) for e in multi[key].scan()]
        assert sorted(got) == want
    one = esdb.Reader("s3://days/2026/day-1.esdb")
    assert one.verify() == []
    assert len(one) == len(a.keys())


def test_pattern_matching_nothing_and_existing_object(s3):
    with pytest.raises(FileNotFoundError):
        esdb.expand_paths("s3://days/none-*.esdb")
    m = random_model(seed=24)
    _write(m, "s3://days/once.esdb")
    with pytest.raises(esdb.ExistsError):
        _write(m, "s3://days/once.esdb")
