#!/usr/bin/python3
"""A fault-injecting HTTP proxy for the remote-read tests, on 127.0.0.1.

    fault_proxy.py UPSTREAM_PORT PORT

Listens on 127.0.0.1:PORT and forwards GET and HEAD to nginx on
127.0.0.1:UPSTREAM_PORT. The fault is named in the path, so each test
picks its own and needs no control channel:

    /FAULT@N/file.esdb    the N-th request (from 1) for this path gets FAULT
    /FAULT@N+/file.esdb   every request from the N-th on gets it
    /ok/file.esdb         no fault

FAULT is one of: delay (sleeps 5 s before answering), reset (closes the
connection without answering), 500, 503, 429 (that status, empty body),
short (the body cut in half, Content-Length to match), range (Content-Range
shifted by one byte), full (200 with the whole file where 206 was asked),
long (the asked range right, then 1 MiB more body), etag (another ETag). Requests are counted per path, across retries.
"""
import http.client
import http.server
import socket
import struct
import sys
import threading
import time

UPSTREAM = int(sys.argv[1])
counts = {}
lock = threading.Lock()


def parse(path):
    parts = path.split("/", 2)  # "", "FAULT@N", rest
    if len(parts) < 3 or parts[1] == "ok":
        return None, 0, False, "/" + (parts[2] if len(parts) == 3 else "")
    fault, _, when = parts[1].partition("@")
    every = when.endswith("+")
    return fault, int(when.rstrip("+") or "1"), every, "/" + parts[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.forward(head=True)

    def do_GET(self):
        self.forward(head=False)

    def forward(self, head):
        fault, n, every, upstream_path = parse(self.path)
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            seen = counts[self.path]
        hit = fault is not None and (seen == n or (every and seen >= n))
        if hit and fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if hit and fault == "delay":
            time.sleep(5)
        if hit and fault in ("500", "503", "429"):
            self.send_response(int(fault))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("range", "if-match")}
        if hit and fault == "full":
            headers.pop("range", None)
            headers.pop("Range", None)
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=10)
        conn.request("HEAD" if head else "GET", upstream_path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        out = {k.lower(): v for k, v in resp.getheaders()}
        if hit and fault == "short":
            body = body[: len(body) // 2]
        if hit and fault == "long":
            body += b"\0" * (1 << 20)
        if hit and fault == "range" and "content-range" in out:
            unit, _, rest = out["content-range"].partition(" ")
            span, _, total = rest.partition("/")
            first, _, last = span.partition("-")
            out["content-range"] = "%s %d-%d/%s" % (unit, int(first) + 1, int(last) + 1, total)
        if hit and fault == "etag":
            out["etag"] = '"replaced-0001"'
        self.send_response(resp.status)
        for k in ("content-range", "etag", "last-modified", "content-type"):
            if k in out:
                self.send_header(k, out[k])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
server.daemon_threads = True
server.serve_forever()
