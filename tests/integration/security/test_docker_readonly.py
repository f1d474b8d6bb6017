"""The Docker client is read-only (issue 8): a recording proxy sits between the monitor and the test
dockerd while containers come and go; every request the monitor ever sent must be a GET of an
allowlisted inspection endpoint. The proxy's own request parsing is checked first (keep-alive, bodies,
chunked framing), so a "nothing but GETs" result cannot come from a proxy that lost track."""
import http.client
import json
import os
import re
import socket
import sys
import tempfile
import time
import unittest

from docker_env import IMAGE, Docker, docker_host, remove_containers, unix_socket_path, wait_for
from raw_http import Monitor
from recording_proxy import RecordingProxy, _Reader, _read_request

NAME_PREFIX = "cmon-ro-"
CYCLES = 6
# /version, /info, /containers/json, /containers/{id}/json|stats|top, /events, with an optional /v1.NN
# prefix and any query.
ALLOWED = re.compile(
    r"^(/v1\.\d+)?(/version|/info|/containers/json|/containers/[A-Za-z0-9][A-Za-z0-9_.-]*/(json|stats|top)|/events)"
    r"(\?[^#\s]*)?$")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class AllowlistPattern(unittest.TestCase):
    def test_pattern(self):
        for ok in ("/version", "/v1.41/info", "/v1.41/containers/json?all=0", "/v1.44/containers/abc123/json",
                   "/v1.41/containers/abc/stats?stream=false&one-shot=true", "/v1.41/containers/x/top",
                   "/v1.41/events?since=1&until=2"):
            self.assertRegex(ok, ALLOWED)
        for bad in ("/containers/create", "/v1.41/containers/abc/start", "/v1.41/containers/abc/exec",
                    "/v1.41/containers/abc/archive?path=/", "/v1.41/images/json", "/v1.41/containers/abc/logs",
                    "/v1.41/containers/abc/json/../kill", "/_ping", "/v1.41/containers/json/../../exec"):
            self.assertNotRegex(bad, ALLOWED)


class ProxyParsing(unittest.TestCase):
    def test_pipelined_requests_with_bodies_on_one_connection(self):
        a, b = socket.socketpair()
        with a, b:
            a.sendall(b"GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n"
                      b"POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"a\": \"b\"}\n"
                      b"POST /v1.41/containers/x/start HTTP/1.1\r\ntransfer-encoding: Chunked\r\n\r\n"
                      b"4\r\nGET \r\n6;ext=1\r\n/fake \r\n0\r\nX-Trailer: 1\r\n\r\n"
                      b"\r\nDELETE /v1.41/containers/x HTTP/1.1\r\nHost: docker\r\n\r\n")
            a.shutdown(socket.SHUT_WR)
            reader = _Reader(b)
            seen = []
            while True:
                try:
                    method, target, _, _ = _read_request(reader)
                except EOFError:
                    break
                seen.append((method, target))
        self.assertEqual(seen, [("GET", "/v1.41/version"), ("POST", "/v1.41/containers/create"),
                                ("POST", "/v1.41/containers/x/start"), ("DELETE", "/v1.41/containers/x")])


class ReadOnlyUnderChurn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.host = docker_host()
        cls.docker = Docker(cls.host)
        remove_containers(cls.docker, NAME_PREFIX)
        cls.dir = tempfile.mkdtemp(prefix="cmon-ro-")
        cls.proxy = RecordingProxy(os.path.join(cls.dir, "proxy.sock"), unix_socket_path(cls.host))

    @classmethod
    def tearDownClass(cls):
        remove_containers(cls.docker, NAME_PREFIX)
        cls.proxy.close()
        os.rmdir(cls.dir)

    def test_proxy_relays_keep_alive_and_chunked_streams(self):
        before = len(self.proxy.snapshot()[0])
        conn = UnixHTTPConnection(self.proxy.listen_path)
        try:
            conn.request("GET", "/version")
            version = json.loads(conn.getresponse().read())
            api = version["ApiVersion"]
            now = int(time.time())
            # A bounded /events window: the daemon answers chunked and ends it at `until`.
            conn.request("GET", f"/v{api}/events?since={now - 60}&until={now}")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            response.read()
            conn.request("GET", f"/v{api}/containers/json")
            self.assertIsInstance(json.loads(conn.getresponse().read()), list)
        finally:
            conn.close()
        requests, errors = self.proxy.snapshot()
        self.assertEqual(errors, [])
        self.assertEqual([m for m, _ in requests[before:]], ["GET"] * 3)

    def test_monitor_sends_only_allowlisted_gets_during_churn(self):
        monitor = Monitor("--interval", "0.5", "--idle-pause", "0",
                          "--docker-host", "unix://" + self.proxy.listen_path)
        try:
            for cycle in range(CYCLES):
                name = f"{NAME_PREFIX}{cycle}"
                if cycle % 2:
                    self.docker.run("create", "--network", "none", "--name", name, IMAGE, "sleep", "300")
                    self.docker.run("start", name)
                else:
                    self.docker.run("run", "-d", "--network", "none", "--name", name, IMAGE, "sleep", "300")
                wait_for(lambda: any(c.get("name") == name
                                     for c in monitor.get_json("/api/v1/snapshot")["containers"]),
                         60, f"{name} in the monitor's snapshot")
                self.docker.run("stop", "-t", "0", name)
                self.docker.run("rm", name)
                wait_for(lambda: all(c.get("name") != name
                                     for c in monitor.get_json("/api/v1/snapshot")["containers"]),
                         60, f"{name} gone from the monitor's snapshot")
            # The page's own paths do their Docker calls too (container processes).
            for path in ("/query", "/metrics", "/api/v1/history?seconds=60"):
                self.assertEqual(monitor.get(path)[0], 200, path)
        finally:
            code = monitor.stop()
        self.assertEqual(code, 0, "".join(monitor.lines[-20:]))

        requests, errors = self.proxy.snapshot()
        self.assertEqual(errors, [], "the proxy could not follow the monitor's requests")
        self.assertGreater(len(requests), CYCLES)
        offending = [r for r in requests if r[0] != "GET" or not ALLOWED.match(r[1])]
        self.assertEqual(offending, [], "requests outside the read-only allowlist")
        paths = {re.sub(r"^/v1\.\d+", "", target.split("?")[0]) for _, target in requests}
        kinds = {}
        for _, target in requests:
            kind = re.sub(r"/containers/[^/]+/", "/containers/{id}/", re.sub(r"^/v1\.\d+", "", target.split("?")[0]))
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"\n{len(requests)} requests on {self.proxy.connections} connections, all allowlisted GETs: {kinds}",
              file=sys.stderr)
        self.assertIn("/containers/json", paths)
        self.assertTrue(any(re.fullmatch(r"/containers/[0-9a-f]{64}/json", p) for p in paths),
                        f"no container was inspected: {sorted(paths)}")


if __name__ == "__main__":
    unittest.main()
