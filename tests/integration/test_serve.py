"""The real binary on 127.0.0.1:0: /query against the legacy schema, /healthz, methods, idle pause and
resume, note file, startup errors."""
import datetime
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest

from monitor_process import BINARY, Monitor

GIB_PAIR = re.compile(r"^\d+\.\dG / \d+\.\dG$")


def one_decimal(value):
    return isinstance(value, float) and abs(value * 10 - round(value * 10)) < 1e-6


def raw_exchange(monitor, request, timeout=10):
    """Sends `request` as bytes and reads until the server closes: (head, everything after it)."""
    port = int(monitor.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, sep, rest = data.partition(b"\r\n\r\n")
    assert sep, data
    return head, rest


class QuerySchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # --hostname kernel: the name compared below is this machine's kernel name (auto would show Docker's
        # engine name when the tests run inside a container).
        cls.monitor = Monitor("--interval", "0.5", "--note", "hello lab", "--hostname", "kernel")
        # A viewer request waits for the first snapshot; probes (/healthz, HEAD) answer at once, with 503
        # "starting" until there is one.
        cls.monitor.get_json("/query")

    @classmethod
    def tearDownClass(cls):
        code = cls.monitor.stop()
        assert code == 0, f"monitor exited with {code}"  # SIGTERM is a clean stop

    def test_query_has_the_legacy_shape(self):
        q = self.monitor.get_json("/query")
        self.assertEqual(list(q.keys()), ["time", "hostname", "ip", "note", "host-stats", "container-stats"])
        self.assertRegex(q["time"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertEqual(q["hostname"], socket.gethostname())
        self.assertRegex(q["ip"], r"^\d+\.\d+\.\d+\.\d+$")
        self.assertEqual(q["note"], "hello lab")
        host = q["host-stats"]
        self.assertTrue(one_decimal(host["cpu-perc"]), host)
        self.assertTrue(0 <= host["cpu-perc"] <= 100)
        self.assertTrue(one_decimal(host["mem"]["perc-used"]))
        self.assertRegex(host["mem"]["used/total"], GIB_PAIR)
        self.assertIsInstance(host["gpu"], list)
        self.assertIsInstance(q["container-stats"], dict)

    def test_memory_matches_meminfo(self):
        q = self.monitor.get_json("/query")
        total_gib = float(q["host-stats"]["mem"]["used/total"].split("/")[1].strip().rstrip("G"))
        with open("/proc/meminfo") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal:")).split()[1])
        self.assertAlmostEqual(total_gib, kb / 1024 / 1024, delta=0.06)

    def test_healthz(self):
        h = self.monitor.get_json("/healthz")
        self.assertIn(h["status"], ("ok", "degraded"))
        names = [s["name"] for s in h["sources"]]
        self.assertIn("host", names)
        host = next(s for s in h["sources"] if s["name"] == "host")
        self.assertTrue(host["ok"], h)

    def test_head_and_405(self):
        # The raw bytes: urllib and http.client never read a HEAD response's body, so a body sent anyway
        # would go unseen there. With Connection: close everything after the head is what the server sent.
        head, body = raw_exchange(self.monitor, b"HEAD /query HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                b"Connection: close\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
        length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
        self.assertIsNotNone(length, head)
        self.assertGreater(int(length.group(1)), 0, "HEAD says how long the GET body is")
        self.assertEqual(body, b"")
        status, headers, _ = self.monitor.get("/query", method="POST")
        self.assertEqual(status, 405)
        self.assertIn("GET", headers.get("Allow", ""))
        status, _, _ = self.monitor.get("/query", method="DELETE")
        self.assertEqual(status, 405)

    def test_unknown_path_is_404_and_page_served(self):
        self.assertEqual(self.monitor.get("/nope")[0], 404)
        status, headers, body = self.monitor.get("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])

    def test_samples_advance(self):
        # Asked through a viewer path: /healthz is a probe and does not keep collection running.
        first = self.monitor.get_json("/api/v1/snapshot")["sequence"]
        self.monitor.wait_for(lambda: self.monitor.get_json("/api/v1/snapshot")["sequence"] > first, timeout=5)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class IdlePause(unittest.TestCase):
    def test_pauses_when_idle_and_a_request_gets_fresh_data(self):
        m = Monitor("--interval", "0.5", "--idle-pause", "1")
        try:
            m.get_json("/query")
            # Nobody looks: after 1 s idle the sampler pauses; /healthz (a probe) says so without waking it.
            m.wait_for(lambda: m.get_json("/healthz")["paused"], timeout=15)
            # The log is read from the monitor's stderr by another thread: the line may come a moment later.
            m.wait_for(lambda: any("collection paused" in l for l in m.lines), timeout=5)
            paused_at = m.get_json("/healthz")["sequence"]
            woke_at = datetime.datetime.now(datetime.timezone.utc)
            s = m.get_json("/api/v1/snapshot")
            # The request that woke it already saw a snapshot taken after the wake-up (no stale data,
            # and no wall-clock bound: the snapshot's own time says so).
            self.assertGreater(s["sequence"], paused_at)
            self.assertGreaterEqual(parse_time(s["time"]), woke_at - datetime.timedelta(milliseconds=1))
            self.assertFalse(m.get_json("/healthz")["paused"])
            m.wait_for(lambda: m.get_json("/api/v1/snapshot")["sequence"] > s["sequence"], timeout=5)
        finally:
            m.stop()


class ProbesAreNotViewers(unittest.TestCase):
    """A health check every second (the image's HEALTHCHECK, a load balancer) must not keep collection
    awake: with only probes arriving, collection pauses and takes no sample; the first real viewer then
    gets a fresh snapshot."""

    def probe(self, m):
        # 503 only before the first sample ("starting"): a probe does not wait for one.
        status, _, body = m.get("/query", method="HEAD")
        self.assertIn(status, (200, 503))
        self.assertEqual(body, b"")
        status, _, body = m.get("/healthz")
        self.assertIn(status, (200, 503))
        return json.loads(body)

    def test_probes_leave_collection_paused_and_a_viewer_wakes_it(self):
        m = Monitor("--interval", "0.5", "--idle-pause", "3")
        try:
            # Only probes from the start, one a second: collection pauses after 3 s all the same.
            health = m.wait_for(lambda: (lambda h: h if h["paused"] else None)(self.probe(m)), timeout=30,
                                interval=1.0)
            paused_at = health["sequence"]
            ages = [health["age_seconds"]]
            for _ in range(5):
                time.sleep(1.0)  # the probe cadence under test, not a wait for something to happen
                h = self.probe(m)
                self.assertTrue(h["paused"], h)
                self.assertEqual(h["sequence"], paused_at, "a sample was taken while only probes arrived")
                ages.append(h["age_seconds"])
            self.assertEqual(ages, sorted(ages), "the last sample only gets older while paused")
            self.assertGreater(ages[-1], ages[0])
            self.assertFalse(any("collection resumed" in l for l in m.lines), "".join(m.lines))

            # The first real viewer wakes it and already gets the fresh snapshot: it waits at most
            # --interval + 0.5 s for it, else it would see sequence `paused_at` again.
            woke_at = datetime.datetime.now(datetime.timezone.utc)
            s = m.get_json("/api/v1/snapshot")
            self.assertGreater(s["sequence"], paused_at)
            self.assertGreaterEqual(parse_time(s["time"]), woke_at - datetime.timedelta(milliseconds=1))
            h = m.get_json("/healthz")
            self.assertFalse(h["paused"])
            self.assertGreaterEqual(h["sequence"], s["sequence"])
        finally:
            m.stop()


class NoteFile(unittest.TestCase):
    def test_note_file_is_reread_when_it_changes(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "note.txt")
            with open(path, "w") as f:
                f.write("first\n")
            m = Monitor("--interval", "0.2", "--note-file", path)
            try:
                m.wait_for(lambda: m.get_json("/query")["note"] == "first")
                with open(path, "w") as f:
                    f.write("second note, longer\n")
                m.wait_for(lambda: m.get_json("/query")["note"] == "second note, longer")
            finally:
                m.stop()


class StartupErrors(unittest.TestCase):
    def run_binary(self, *args, env=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=20, env=full_env)

    def test_bad_flag_value_is_one_line(self):
        r = self.run_binary("--interval", "abc")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("--interval", r.stderr)

    def test_unknown_flag(self):
        r = self.run_binary("--no-such-flag")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no-such-flag", r.stderr)

    def test_port_in_use(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        try:
            r = self.run_binary("--bind", "127.0.0.1", "--port", str(port))
        finally:
            s.close()
        self.assertNotEqual(r.returncode, 0)
        lines = r.stderr.strip().splitlines()
        self.assertIn("address already in use", lines[-1])
        self.assertIn("--port", lines[-1])

    def test_env_variable_and_flag_wins(self):
        m = Monitor("--note", "from flag", env={"CMON_NOTE": "from env", "CMON_INTERVAL": "0.3"})
        try:
            self.assertEqual(m.get_json("/query")["note"], "from flag")
        finally:
            m.stop()
        m = Monitor(env={"CMON_NOTE": "from env"})
        try:
            self.assertEqual(m.get_json("/query")["note"], "from env")
        finally:
            m.stop()

    def test_help_and_version(self):
        r = self.run_binary("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"container-monitor \d+\.\d+\.\d+")
        r = self.run_binary("--help")
        self.assertEqual(r.returncode, 0)
        for flag in ("--bind", "--port", "--interval", "--idle-pause", "--title", "--note-file", "--proc-root"):
            self.assertIn(flag, r.stdout)


class SnapshotCommand(unittest.TestCase):
    def run_snapshot(self, *args):
        # --hostname kernel: compared with this machine's kernel name below.
        return subprocess.run([BINARY, "snapshot", "--interval", "0.2", "--hostname", "kernel", *args],
                              capture_output=True, text=True, timeout=30)

    def test_table_is_default(self):
        r = self.run_snapshot()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("HOST " + socket.gethostname(), r.stdout)
        self.assertIn("CONTAINER ID", r.stdout)

    def test_query_format_is_the_legacy_json_with_a_real_cpu_rate(self):
        r = self.run_snapshot("--format", "query")
        self.assertEqual(r.returncode, 0, r.stderr)
        q = json.loads(r.stdout)
        self.assertEqual(list(q.keys()), ["time", "hostname", "ip", "note", "host-stats", "container-stats"])

    def test_json_and_prometheus_formats(self):
        r = self.run_snapshot("--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        snapshot = json.loads(r.stdout)
        self.assertIn("cpu_busy_percent", snapshot["host"], "two samples one interval apart give a rate")
        r = self.run_snapshot("--format", "prometheus")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("# TYPE cmon_host_cpu_busy_percent gauge", r.stdout)

    def test_strict_fails_when_a_source_fails(self):
        r = self.run_snapshot("--strict", "--docker-host", "unix:///nonexistent/docker.sock")
        self.assertEqual(r.returncode, 3)
        self.assertIn("docker:", r.stderr + r.stdout)

    def test_bad_format(self):
        r = self.run_snapshot("--format", "xml")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--format", r.stderr)


if __name__ == "__main__":
    unittest.main()
