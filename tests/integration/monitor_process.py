"""Starts the real container-monitor binary on 127.0.0.1:0 and stops it by its PID (shared by the
integration tests). Stdlib only."""
import json
import os
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

BINARY = os.environ.get("CMON_BINARY", "build/container-monitor")


class Monitor:
    def __init__(self, *args, env=None, ssl_context=None, prefix=()):
        # https: `ssl_context` checks the server's certificate; default: an unverified context.
        self.ssl_context = ssl_context
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.lines = []
        self.proc = subprocess.Popen(
            [*prefix, BINARY, "--bind", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env)
        self._port = None
        self.scheme = "http"
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(20):
            self.stop()
            raise RuntimeError("monitor did not start:\n" + "".join(self.lines))
        if self._port is None:
            self.stop()
            raise RuntimeError("monitor exited:\n" + "".join(self.lines))
        self.base = f"{self.scheme}://127.0.0.1:{self._port}"
        if self.scheme == "https" and self.ssl_context is None:
            self.ssl_context = ssl._create_unverified_context()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            m = re.search(r"serving on (https?)://[^:]+:(\d+)/", line)
            if m and self._port is None:
                self.scheme = m.group(1)
                self._port = int(m.group(2))
                self._ready.set()
        self._ready.set()

    def get(self, path, method="GET", headers=None, timeout=10):
        req = urllib.request.Request(self.base + path, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get_json(self, path):
        status, _, body = self.get(path)
        assert status == 200, (status, body)
        return json.loads(body)

    def wait_for(self, predicate, timeout=15, interval=0.1):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # by PID, never by name
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode
