"""Secrets stay inside (issue 8): a container with a secret in its environment and a label that is not
allowlisted; with --labels owner the allowlist is active. Neither secret value (nor the hidden label's
key) appears in any endpoint, event frame, metric or page asset, while the allowlisted label does."""
import html.parser
import re
import secrets
import socket
import time
import unittest
import urllib.parse

from docker_env import IMAGE, Docker, docker_host, remove_containers, wait_for
from raw_http import Monitor, port_of

NAME = "cmon-secret-probe"


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            # Same-origin references only (the page uses relative ones: "app-HASH.js").
            if name in ("src", "href") and value and not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", value):
                self.links.append(urllib.parse.urljoin("/", value))


def first_event_frame(port, deadline_s=30):
    with socket.create_connection(("127.0.0.1", port), timeout=deadline_s) as s:
        s.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        data = b""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            start = data.find(b"event: snapshot\ndata: ")
            if start >= 0 and data.find(b"\n\n", start) > 0:
                return data
    raise AssertionError(f"no snapshot frame on the event stream: {data[:300]!r}")


class SecretsStayInside(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docker = Docker(docker_host())
        remove_containers(cls.docker, NAME)
        cls.env_secret = "envsecret" + secrets.token_hex(16)
        cls.label_secret = "labelsecret" + secrets.token_hex(16)
        cls.owner = "owner" + secrets.token_hex(4)
        cls.docker.run("run", "-d", "--network", "none", "--name", NAME,
                       "-e", f"CMON_SECRET={cls.env_secret}",
                       "--label", f"secret.label={cls.label_secret}",
                       "--label", f"owner={cls.owner}",
                       IMAGE, "sleep", "600")
        cls.monitor = Monitor("--interval", "0.5", "--idle-pause", "0", "--labels", "owner",
                              "--docker-host", docker_host())
        cls.port = port_of(cls.monitor)

        def container():
            for c in cls.monitor.get_json("/api/v1/snapshot")["containers"]:
                if c.get("name") == NAME:
                    return c
            return None
        cls.container = wait_for(container, 60, f"{NAME} in the snapshot")
        # History needs a point or two with the container in it.
        wait_for(lambda: cls.monitor.get("/api/v1/history?seconds=60")[2].count(NAME.encode()) > 0, 60,
                 f"{NAME} in the history")

    @classmethod
    def tearDownClass(cls):
        code = cls.monitor.stop()
        remove_containers(cls.docker, NAME)
        assert code == 0, "".join(cls.monitor.lines[-20:])

    def assert_clean(self, where, body):
        self.assertNotIn(self.env_secret.encode(), body, f"environment secret leaked in {where}")
        self.assertNotIn(self.label_secret.encode(), body, f"label secret leaked in {where}")
        self.assertNotIn(b"secret.label", body, f"hidden label key leaked in {where}")
        self.assertNotIn(b"CMON_SECRET", body, f"environment variable name leaked in {where}")

    def get(self, path):
        status, _, body = self.monitor.get(path)
        self.assertEqual(status, 200, path)
        return body

    def test_allowlisted_label_is_shown(self):
        # The allowlist is active and this is the right container: the allowed label comes through.
        self.assertEqual(self.container.get("labels"), {"owner": self.owner})

    def test_no_endpoint_shows_the_secrets(self):
        for path in ("/query", "/api/v1/snapshot", "/api/v1/history", "/api/v1/history?seconds=60", "/metrics",
                     "/healthz"):
            with self.subTest(path):
                body = self.get(path)
                if path != "/healthz":
                    self.assertIn(NAME.encode(), body, f"{path} does not list the container at all")
                self.assert_clean(path, body)

    def test_event_stream_first_frame_has_no_secrets(self):
        frame = first_event_frame(self.port)
        self.assertIn(NAME.encode(), frame)
        self.assert_clean("the first event frame", frame)

    def test_dashboard_page_and_assets_have_no_secrets(self):
        page = self.get("/")
        self.assert_clean("/", page)
        links = _Links()
        links.feed(page.decode("utf-8", errors="replace"))
        self.assertTrue(links.links, "the page references no assets")
        for link in dict.fromkeys(links.links):
            with self.subTest(link):
                self.assert_clean(link, self.get(link.split("#")[0]))


if __name__ == "__main__":
    unittest.main()
