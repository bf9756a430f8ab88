"""esdb.Reader over http://: the same keys and events as the file on disk.

The server is a small in-process one on 127.0.0.1 that honours Range (the
C++ tests run the real nginx and the fault cases; this checks the binding).
"""

import http.server
import os
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
