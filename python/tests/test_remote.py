"""esdb.Reader over http://: the same keys and events as the file on disk.

The server is a small in-process one on 127.0.0.1 that honours Range (the
C++ tests run the real nginx and the fault cases; this checks the binding).
"""

import http.server
import os
import shutil
import ssl
import subprocess
import threading

import pytest

import esdb
from conftest import as_tuples, random_model, write_model


class RangeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = ""
    requests = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests += 1
        path = os.path.join(self.root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            data = f.read()
        spec = self.headers.get("Range", "")[len("bytes="):]
        first, _, last = spec.partition("-")
        if first == "":  # a suffix: the last N bytes
            first, last = max(0, len(data) - int(last)), len(data) - 1
        else:
            first, last = int(first), min(int(last or len(data) - 1), len(data) - 1)
        body = data[first : last + 1]
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
        self.send_header("ETag", f'"{len(data)}-{int(os.path.getmtime(path))}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server(tmp_path):
    RangeHandler.root = str(tmp_path)
    RangeHandler.requests = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield tmp_path, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_reader_over_http(server):
    root, base = server
    m = random_model(seed=11)
    path = write_model(esdb, m, root / "m.esdb", chunk_size=512)
    local = esdb.Reader(path)
    remote = esdb.Reader(f"{base}/m.esdb")
    assert remote.path == f"{base}/m.esdb"
    assert [k.name for k in remote] == [k.name for k in local]
    for k in local:
        assert as_tuples(remote[k.name].scan(reverse=True)) == as_tuples(k.scan(reverse=True))
    assert "no-such-key" not in remote
    assert remote.verify() == []
    multi = esdb.MultiReader([f"{base}/m.esdb", path])
    name = next(iter(local)).name
    assert len(list(multi[name].scan())) == 2 * local[name].event_count


def test_missing_url_is_an_io_error(server):
    _, base = server
    with pytest.raises(esdb.IoError) as e:
        esdb.Reader(f"{base}/missing.esdb")
    assert e.value.path == f"{base}/missing.esdb"


def test_reader_options_are_checked(server):
    root, base = server
    write_model(esdb, random_model(seed=12), root / "o.esdb")
    r = esdb.Reader(f"{base}/o.esdb", cache_bytes=1 << 20, attempts=2, timeout_ms=5000, connect_timeout_ms=2000)
    assert r.verify() == []
    with pytest.raises(TypeError, match="no_such_option"):
        esdb.Reader(f"{base}/o.esdb", no_such_option=1)
    with pytest.raises(TypeError, match="no_such_option"):
        esdb.MultiReader([f"{base}/o.esdb"], no_such_option=1)


def test_https_is_verified_with_ca_file(tmp_path):
    # The same in-process server behind TLS, with a certificate made for
    # 127.0.0.1: unverifiable without ca_file, read like the local file with it.
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl is not installed (scripts/deps.sh installs it)")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    path = write_model(esdb, random_model(seed=13), tmp_path / "t.esdb")
    RangeHandler.root = str(tmp_path)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        url = f"https://127.0.0.1:{httpd.server_address[1]}/t.esdb"
        with pytest.raises(esdb.IoError, match="certificate"):
            esdb.Reader(url, attempts=1)
        remote, local = esdb.Reader(url, ca_file=cert), esdb.Reader(path)
        for k in local:
            assert as_tuples(remote[k.name].scan()) == as_tuples(k.scan())
    finally:
        httpd.shutdown()
        httpd.server_close()
