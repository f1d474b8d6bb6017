"""HTTP limits of the real binary under load and bad input (issue 8): many event-stream clients, half-open
and trickling connections, the connection limit, malformed requests over raw sockets, a client that
stops reading its event stream. No timing asserts: every wait is a bounded wait for a condition."""
import json
import random
import selectors
import socket
import time
import unittest

from docker_env import wait_for
from raw_http import (Monitor, connect, exchange, is_closed_by_peer, open_socket_count, port_of,
                      raise_open_file_limit, read_until_closed, server_holds_connection, server_side_inode)

EVENTS_REQUEST = b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"


def close_all(sockets):
    for s in sockets:
        try:
            s.close()
        except OSError:
            pass


class MonitorCase(unittest.TestCase):
    ARGS = ()

    @classmethod
    def setUpClass(cls):
        raise_open_file_limit(4096)
        cls.monitor = Monitor("--interval", "0.5", "--idle-pause", "0", *cls.ARGS)
        cls.port = port_of(cls.monitor)
        cls.monitor.wait_for(lambda: cls.monitor.get("/healthz")[0] == 200, timeout=30)

    @classmethod
    def tearDownClass(cls):
        code = cls.monitor.stop()
        assert code == 0, f"monitor exited with {code}:\n" + "".join(cls.monitor.lines[-20:])

    def assert_serving(self):
        status, _, body = self.monitor.get("/query", timeout=30)
        self.assertEqual(status, 200)
        self.assertIn("host-stats", json.loads(body))
        self.assertEqual(self.monitor.get("/healthz", timeout=30)[0], 200)
        self.assertIsNone(self.monitor.proc.poll(), "the monitor exited")


class ManyClients(MonitorCase):
    # Short request timeout: the half-open connections must be cut within the test's bounded wait.
    ARGS = ("--request-timeout", "3")

    def test_1000_event_stream_clients_while_query_answers(self):
        clients = []
        try:
            for _ in range(1000):
                s = connect(self.port)
                s.sendall(EVENTS_REQUEST)
                s.setblocking(False)
                clients.append(s)
            selector = selectors.DefaultSelector()
            received = {}
            for s in clients:
                selector.register(s, selectors.EVENT_READ)
                received[s] = b""
            waiting = set(clients)
            deadline = time.monotonic() + 120
            while waiting and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=1):
                    s = key.fileobj
                    try:
                        chunk = s.recv(65536)
                    except BlockingIOError:
                        continue
                    self.assertTrue(chunk, "an event stream was closed")
                    if s in waiting:
                        received[s] += chunk
                        start = received[s].find(b"event: snapshot\ndata: ")
                        if start >= 0 and received[s].find(b"\n\n", start) > 0:
                            waiting.discard(s)
            self.assertFalse(waiting, f"{len(waiting)} of 1000 streams got no snapshot frame")
            for s in clients:
                self.assertTrue(received[s].startswith(b"HTTP/1.1 200 "), received[s][:100])
            # All 1000 still connected: the rest of the server answers.
            self.assert_serving()
            self.assertGreaterEqual(open_socket_count(self.monitor.proc.pid), 1000)
            selector.close()
        finally:
            close_all(clients)
        self.assert_serving()

    def test_500_half_open_connections_while_query_answers(self):
        half_open = []
        try:
            for i in range(500):
                s = connect(self.port)
                s.sendall(b"GET /que" if i % 2 else b"G")  # a request line that never ends
                half_open.append(s)
            self.assert_serving()
            # The request timeout cuts every one of them; none is kept forever.
            wait_for(lambda: all(is_closed_by_peer(s) for s in half_open), 120,
                     "server closed the half-open connections", interval_s=0.5)
        finally:
            close_all(half_open)
        self.assert_serving()

    def test_trickling_header_is_cut(self):
        # Slowloris: one header byte every 0.2 s. Each byte arrives well inside any per-read timeout, so
        # only a bound on the whole request closes this connection.
        with connect(self.port) as s:
            s.sendall(b"GET /query HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            deadline = time.monotonic() + 120
            closed = False
            while time.monotonic() < deadline and not closed:
                try:
                    s.sendall(b"a")
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                closed = is_closed_by_peer(s)
                time.sleep(0.2)
            self.assertTrue(closed, "a trickling client kept its connection open")
        self.assert_serving()


class IdleAndConnectionLimit(MonitorCase):
    ARGS = ("--max-connections", "20", "--idle-timeout", "2")

    def test_idle_keep_alive_connection_is_closed(self):
        with connect(self.port) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            first = s.recv(65536)
            self.assertTrue(first.startswith(b"HTTP/1.1 200 "), first[:100])
            wait_for(lambda: is_closed_by_peer(s), 60, "server closed the idle keep-alive connection")

    def test_connections_over_the_limit_are_closed_at_once(self):
        held = []
        try:
            for _ in range(20):
                s = connect(self.port)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200 "))  # counted by the server now
                held.append(s)
            # Not queued: the extra connection is accepted and closed (no response, no hang).
            with connect(self.port) as extra:
                try:
                    extra.sendall(b"GET /query HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.assertEqual(read_until_closed(extra, deadline_s=30), b"")
        finally:
            close_all(held)
        # The slots free up as soon as the server has seen the held connections close; until then a new
        # connection is still over the limit and is closed (reset) at once, which is what is tested above.
        def query_answers():
            try:
                return self.monitor.get("/query", timeout=30)[0] == 200
            except (ConnectionError, OSError):
                return False

        wait_for(query_answers, 60, "/query answers again")
        self.assert_serving()


class MalformedRequests(MonitorCase):
    CASES = [
        ("not http", b"THIS IS NOT HTTP\r\n\r\n", {400}),
        ("method only", b"GET\r\n\r\n", {400}),
        ("http/0.9", b"GET /\r\n\r\n", {400}),
        ("http/0.9 no blank line", b"GET /query\r\n", {400, None}),
        ("extra token", b"GET / HTTP/1.1 junk\r\nHost: x\r\n\r\n", {400}),
        ("bad version", b"GET / HTTP/x.y\r\nHost: x\r\n\r\n", {400}),
        ("space in target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("header without colon", b"GET / HTTP/1.1\r\nHost x\r\n\r\n", {400}),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", {400}),
        ("NUL in header value", b"GET / HTTP/1.1\r\nHost: x\x00y\r\n\r\n", {400}),
        ("NUL bytes", b"\x00" * 512, {400}),
        ("TLS client hello", bytes.fromhex("160301020001") + bytes(range(256)) * 2, {400}),
        ("binary garbage", random.Random(8).randbytes(4096), {400}),
        ("huge header", b"GET /query HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n", {431}),
        ("many headers", b"GET /query HTTP/1.1\r\n" + b"X-H: 1234567890\r\n" * 2000 + b"\r\n", {431}),
        ("huge request line", b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {414}),
        ("long target", b"GET /query?" + b"x" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {414}),
        ("bad percent in query", b"GET /api/v1/history?seconds=%zz HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("bad percent in path", b"GET /api/%zz/snapshot HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("truncated percent", b"GET /query% HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("encoded NUL", b"GET /query%00 HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("absolute-form junk", b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        ("absurd content-length", b"GET /query HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n\r\n",
         {413}),
        ("overflowing content-length",
         b"GET /query HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", {400}),
        ("negative content-length", b"GET /query HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", {400}),
        ("conflicting content-lengths",
         b"GET /query HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", {400}),
        ("bad chunk size", b"GET /query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {400}),
        ("post", b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", {405}),
        ("delete", b"DELETE /api/v1/history HTTP/1.1\r\nHost: x\r\n\r\n", {405}),
        ("unknown method", b"BREW /query HTTP/1.1\r\nHost: x\r\n\r\n", {405}),
    ]

    def test_each_malformed_request_gets_4xx_and_the_server_stays_up(self):
        for name, payload, expected in self.CASES:
            with self.subTest(name):
                status, data = exchange(self.port, payload)
                self.assertIn(status, expected, data[:300])
                self.assert_serving()

    def test_history_seconds_rejects_bad_values(self):
        for query in ("%zz", "-1", "1e9", "abc", "%31"):
            status, _, body = self.monitor.get("/api/v1/history?seconds=" + query)
            self.assertEqual(status, 400, (query, body))
            self.assertIn(b"error", body)
        self.assertEqual(self.monitor.get("/api/v1/history?seconds=5")[0], 200)


class SlowEventStreamClient(MonitorCase):
    ARGS = ("--write-timeout", "2")

    def test_client_that_stops_reading_is_dropped_and_blocks_nobody(self):
        stuck = connect(self.port, receive_buffer=4096)
        stuck.sendall(EVENTS_REQUEST)
        client_port = stuck.getsockname()[1]
        inode = wait_for(lambda: server_side_inode(self.port, client_port), 30, "server side of the stuck stream")
        live = connect(self.port)
        try:
            live.sendall(EVENTS_REQUEST)
            seen = set()
            text = b""
            dropped = False
            deadline = time.monotonic() + 180
            # The live stream keeps getting new snapshots the whole time the stuck one is stalled, until
            # the server has dropped the stuck one (its writes time out once its buffers are full).
            while time.monotonic() < deadline and not (dropped and len(seen) >= 5):
                live.settimeout(5)
                chunk = live.recv(65536)
                self.assertTrue(chunk, "the live stream was closed")
                text += chunk
                for line in text.split(b"\n"):
                    if line.startswith(b"id: "):
                        seen.add(int(line[4:]))
                text = text[text.rfind(b"\n") + 1:]
                if not dropped and not server_holds_connection(self.monitor.proc.pid, inode):
                    dropped = True
                    seen.clear()  # and the live one goes on afterwards
            self.assertTrue(dropped, "the client that stopped reading was never dropped")
            self.assertGreaterEqual(len(seen), 5, "the live stream stalled")
            self.assert_serving()
            # From the stuck client's side: what was buffered drains, then the stream ends.
            read_until_closed(stuck, deadline_s=30, limit=1 << 30)
        finally:
            live.close()
            stuck.close()


if __name__ == "__main__":
    unittest.main()
