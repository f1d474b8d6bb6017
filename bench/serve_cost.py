#!/usr/bin/env python3
"""CPU the monitor's network thread spends serving the load of issue 17's whole-process target: one SSE
client on /api/v1/events and one GET /query per second on a new connection each, at --interval 1.

The network thread is the main thread (app/application.cpp runs the server there), so its
/proc/<pid>/schedstat is the serving cost alone: HTTP (accept, parse, route, write) and the bodies it
serializes (the API JSON for the SSE frame, the /query JSON). No Docker daemon is used: a --note of
TITLE_BYTES of --title (it goes into the API JSON, not /query) pads each SSE frame to about its length at 100 containers (67 KB).

Usage: bench/serve_cost.py BUILD_DIR/container-monitor [SECONDS=60] [TITLE_BYTES=65000]
Prints one line per phase: the network thread's and the whole process's CPU in ms per second.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def thread_ns(pid, tid):
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        return int(f.read().split()[0])


def process_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            total += thread_ns(pid, tid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def get_query(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /query HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"serve_cost: /query answered {data[:60]!r}")
    return len(data)


class SseClient(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.bytes = 0
        self.events = 0
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                return
            if not chunk:
                return
            self.bytes += len(chunk)
            self.events += chunk.count(b"event: snapshot\n")


def main():
    binary = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    title_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 65000
    log = tempfile.NamedTemporaryFile(prefix="serve_cost", suffix=".log", delete=False)
    note = ("lorem ipsum " * (title_bytes // 12 + 1))[:title_bytes]
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", "0", "--interval", "1", "--idle-pause", "0",
                             "--history", "60", "--docker-host", "unix:///nonexistent/docker.sock",
                             "--nvml-library", "/nonexistent/libnvidia-ml.so.1", "--title", note],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        port = None
        deadline = time.monotonic() + 20
        while port is None and time.monotonic() < deadline:
            with open(log.name) as f:
                m = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", f.read())
            port = int(m.group(1)) if m else None
            time.sleep(0.1)
        if port is None:
            raise SystemExit("serve_cost: the monitor did not start: " + open(log.name).read())
        pid = proc.pid
        time.sleep(3)  # first samples

        def phase(name, load):
            t0, p0, w0 = thread_ns(pid, pid), process_ns(pid), time.monotonic()
            extra = load()
            t1, p1, w1 = thread_ns(pid, pid), process_ns(pid), time.monotonic()
            wall = w1 - w0
            print(f"{name}: network thread {(t1 - t0) / 1e6 / wall:.3f} ms/s, whole process "
                  f"{(p1 - p0) / 1e6 / wall:.3f} ms/s over {wall:.1f} s{extra}", flush=True)
            return (t1 - t0) / 1e6 / wall

        idle = phase("no clients", lambda: time.sleep(seconds) or "")

        def loaded():
            sse = SseClient(port)
            sse.start()
            queries = 0
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                get_query(port)
                queries += 1
                next_at = start + queries
                time.sleep(max(0.0, next_at - time.monotonic()))
            sse.stop = True
            sse.sock.close()
            return (f" ({queries} /query, {sse.events} SSE frames, "
                    f"{sse.bytes / max(sse.events, 1) / 1000:.1f} KB per frame)")

        busy = phase("1 SSE client + 1 /query per second", loaded)
        print(f"serving cost: {busy - idle:.3f} ms/s of the network thread")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.unlink(log.name)


if __name__ == "__main__":
    main()
