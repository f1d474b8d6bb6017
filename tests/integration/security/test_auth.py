"""Access control and TLS of the real binary on 127.0.0.1:0: --auth-token (Bearer, ?token= and its
cookie, CMON_AUTH_TOKEN, --auth-token-file), --basic-auth-file (bcrypt and SHA-512 crypt), open but
redacted /healthz, --tls-cert/--tls-key (HTTPS for /query, the page and SSE), startup errors.
Certificates come from the openssl CLI, bcrypt hashes from libcrypt (ctypes), SHA-crypt from
`openssl passwd -6`. Stdlib only."""
import base64
import ctypes
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from monitor_process import BINARY, Monitor  # noqa: E402

TOKEN = "lab-token-0123456789abcdef"


def bcrypt_hash(password, cost=5):
    """A $2y$ hash as `htpasswd -B` writes it, made by libcrypt (libxcrypt) itself."""
    libcrypt = ctypes.CDLL("libcrypt.so.1")
    libcrypt.crypt_gensalt.restype = ctypes.c_char_p
    libcrypt.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    libcrypt.crypt.restype = ctypes.c_char_p
    libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    setting = libcrypt.crypt_gensalt(b"$2b$", cost, None, 0)
    hashed = libcrypt.crypt(password.encode(), setting).decode()
    assert hashed.startswith("$2b$"), hashed
    return "$2y$" + hashed[4:]


def sha512_crypt(password):
    return subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password, capture_output=True, text=True,
                          check=True).stdout.strip()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def request(monitor, path, headers=None, method="GET", context=None):
    """(status, HTTPMessage, body): every header value kept (there are two WWW-Authenticate)."""
    if monitor.scheme == "https":
        conn = http.client.HTTPSConnection("127.0.0.1", monitor._port, timeout=10,
                                           context=context or monitor.ssl_context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", monitor._port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read()
    finally:
        conn.close()


def first_event(monitor, path="/api/v1/events", headers=None):
    """Opens the event stream and returns (status, first 'event: snapshot' data as JSON or None)."""
    if monitor.scheme == "https":
        conn = http.client.HTTPSConnection("127.0.0.1", monitor._port, timeout=15, context=monitor.ssl_context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", monitor._port, timeout=15)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            return resp.status, None
        event = None
        for _ in range(1000):  # bounded: a snapshot event comes within a few intervals
            line = resp.fp.readline().decode()
            if not line:
                break
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event == "snapshot":
                return resp.status, json.loads(line[6:])
        return resp.status, None
    finally:
        conn.close()


def startup_failure(*args, env=None):
    """Runs the binary expecting it to refuse to start; returns (exit code, output)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([BINARY, "--bind", "127.0.0.1", "--port", "0", *args], capture_output=True, text=True,
                          timeout=30, env=full_env)
    return proc.returncode, proc.stdout + proc.stderr


class Files:
    """Certificates, htpasswd and token files in one temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cmon-auth-")
        self.cert = os.path.join(self.dir, "cert.pem")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", self.key, "-out", self.cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.htpasswd = self.write("users.htpasswd", "# lab\nalice:%s\nbob:%s\n" % (
            bcrypt_hash("wonder land"), sha512_crypt("b0b's pass")))
        self.token_file = self.write("token", TOKEN + "\n")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


FILES = None


def setUpModule():
    global FILES
    FILES = Files()


def tearDownModule():
    FILES.remove()


class MonitorCase(unittest.TestCase):
    ARGS = ()
    ENV = None

    @classmethod
    def setUpClass(cls):
        cls.monitor = Monitor("--interval", "0.5", *cls.args(), env=cls.ENV)

    @classmethod
    def args(cls):
        return cls.ARGS

    @classmethod
    def tearDownClass(cls):
        code = cls.monitor.stop()
        assert code == 0, f"monitor exited with {code}"

    def assert_denied(self, status, headers, body):
        self.assertEqual(status, 401, body)
        self.assertEqual(json.loads(body), {"error": "authentication required"})
        self.assertEqual(headers.get("Cache-Control"), "no-store")
        self.assertNotIn(b"container-stats", body)

    def challenges(self, headers):
        return headers.get_all("WWW-Authenticate") or []


class TokenAuth(MonitorCase):
    @classmethod
    def args(cls):
        return ("--auth-token", TOKEN)

    def test_every_route_needs_the_token(self):
        for path in ("/query", "/api/v1/snapshot", "/api/v1/history", "/metrics", "/", "/api/v1/events"):
            status, headers, body = request(self.monitor, path)
            self.assert_denied(status, headers, body)
            self.assertEqual(self.challenges(headers), ['Bearer realm="container-monitor"'], path)

    def test_bearer_token(self):
        status, _, body = request(self.monitor, "/query", {"Authorization": "Bearer " + TOKEN})
        self.assertEqual(status, 200, body)
        self.assertIn("host-stats", json.loads(body))
        status, headers, body = request(self.monitor, "/query", {"Authorization": "Bearer " + TOKEN + "x"})
        self.assert_denied(status, headers, body)
        self.assertEqual(self.challenges(headers), ['Bearer realm="container-monitor", error="invalid_token"'])
        status, headers, body = request(self.monitor, "/metrics", {"Authorization": basic("alice", TOKEN)})
        self.assert_denied(status, headers, body)

    def test_page_with_token_sets_a_cookie_the_dashboard_requests_use(self):
        status, headers, body = request(self.monitor, "/?token=" + urllib.parse.quote(TOKEN))
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        cookie = headers["Set-Cookie"]
        self.assertRegex(cookie, r"^cmon_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$")
        self.assertNotIn(TOKEN, cookie)
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        pair = cookie.split(";")[0]
        # What the page's fetch() and EventSource send: same origin, so the cookie, no token.
        status, _, body = request(self.monitor, "/api/v1/snapshot", {"Cookie": pair})
        self.assertEqual(status, 200, body)
        self.assertIn("host", json.loads(body))
        status, _, body = request(self.monitor, "/api/v1/history?seconds=60", {"Cookie": "theme=x; " + pair})
        self.assertEqual(status, 200, body)
        status, event = first_event(self.monitor, headers={"Cookie": pair})
        self.assertEqual(status, 200)
        self.assertIsNotNone(event)
        self.assertIn("sequence", event)
        # A forged or stale cookie is refused.
        status, headers, body = request(self.monitor, "/api/v1/snapshot", {"Cookie": "cmon_session=" + "0" * 64})
        self.assert_denied(status, headers, body)
        status, headers, body = request(self.monitor, "/?token=wrong")
        self.assert_denied(status, headers, body)
        self.assertIsNone(headers.get("Set-Cookie"))

    def test_event_stream_with_query_token(self):
        status, event = first_event(self.monitor, "/api/v1/events?token=" + TOKEN)
        self.assertEqual(status, 200)
        self.assertIsNotNone(event)

    def test_healthz_is_open_but_names_no_sources(self):
        status, _, body = request(self.monitor, "/healthz")
        self.assertIn(status, (200, 503))
        health = json.loads(body)
        self.assertNotIn("sources", health)
        self.assertLessEqual(set(health), {"status", "paused", "sequence", "time", "age_seconds"})
        self.assertIn(health["status"], ("ok", "degraded", "starting"))
        status, _, encoded = request(self.monitor, "/%68ealthz")
        self.assertNotIn("sources", json.loads(encoded))
        status, _, body = request(self.monitor, "/healthz", {"Authorization": "Bearer " + TOKEN})
        self.assertIn("sources", json.loads(body))
        status, _, body = request(self.monitor, "/healthz", method="HEAD")
        self.assertEqual(body, b"")

    def test_methods_other_than_get_are_refused_before_routing(self):
        status, headers, body = request(self.monitor, "/query", method="POST")
        self.assert_denied(status, headers, body)


class TokenFromEnvironment(MonitorCase):
    ENV = {"CMON_AUTH_TOKEN": TOKEN}

    def test_env_token(self):
        self.assertEqual(request(self.monitor, "/query")[0], 401)
        self.assertEqual(request(self.monitor, "/query", {"Authorization": "Bearer " + TOKEN})[0], 200)
        self.assertTrue(any("access control: token" in line for line in self.monitor.lines), self.monitor.lines)
        self.assertFalse(any(TOKEN in line for line in self.monitor.lines))  # never logged


class TokenFromFile(MonitorCase):
    @classmethod
    def args(cls):
        return ("--auth-token-file", FILES.token_file)

    def test_file_token(self):
        self.assertEqual(request(self.monitor, "/query")[0], 401)
        self.assertEqual(request(self.monitor, "/query", {"Authorization": "Bearer " + TOKEN})[0], 200)


class BasicAuth(MonitorCase):
    @classmethod
    def args(cls):
        return ("--basic-auth-file", FILES.htpasswd)

    def test_challenge(self):
        status, headers, body = request(self.monitor, "/query")
        self.assert_denied(status, headers, body)
        self.assertEqual(self.challenges(headers), ['Basic realm="container-monitor", charset="UTF-8"'])

    def test_bcrypt_and_sha512_users(self):
        for _ in range(3):  # later rounds come from the verification cache
            status, _, body = request(self.monitor, "/query", {"Authorization": basic("alice", "wonder land")})
            self.assertEqual(status, 200, body)
            status, _, body = request(self.monitor, "/api/v1/snapshot", {"Authorization": basic("bob", "b0b's pass")})
            self.assertEqual(status, 200, body)
        status, event = first_event(self.monitor, headers={"Authorization": basic("alice", "wonder land")})
        self.assertEqual(status, 200)
        self.assertIsNotNone(event)

    def test_wrong_passwords_and_users(self):
        for user, password in (("alice", "wonder lan"), ("alice", ""), ("bob", "wonder land"), ("eve", "x")):
            status, headers, body = request(self.monitor, "/query", {"Authorization": basic(user, password)})
            self.assert_denied(status, headers, body)
        for header in ("Basic !!!", "Basic", "Bearer " + TOKEN, "Digest username=alice"):
            status, headers, body = request(self.monitor, "/query", {"Authorization": header})
            self.assert_denied(status, headers, body)
        self.assertEqual(request(self.monitor, "/?token=" + TOKEN)[0], 401)

    def test_healthz_open(self):
        status, _, body = request(self.monitor, "/healthz")
        self.assertNotIn("sources", json.loads(body))
        status, _, body = request(self.monitor, "/healthz", {"Authorization": basic("alice", "wonder land")})
        self.assertIn("sources", json.loads(body))


class TokenOrBasic(MonitorCase):
    @classmethod
    def args(cls):
        return ("--auth-token", TOKEN, "--basic-auth-file", FILES.htpasswd)

    def test_either_grants(self):
        status, headers, body = request(self.monitor, "/query")
        self.assert_denied(status, headers, body)
        self.assertEqual(self.challenges(headers), ['Basic realm="container-monitor", charset="UTF-8"',
                                                    'Bearer realm="container-monitor"'])
        self.assertEqual(request(self.monitor, "/query", {"Authorization": "Bearer " + TOKEN})[0], 200)
        self.assertEqual(request(self.monitor, "/query", {"Authorization": basic("bob", "b0b's pass")})[0], 200)


class Tls(MonitorCase):
    @classmethod
    def setUpClass(cls):
        verified = ssl.create_default_context(cafile=FILES.cert)  # checks the chain and the IP SAN
        cls.monitor = Monitor("--interval", "0.5", "--tls-cert", FILES.cert, "--tls-key", FILES.key,
                              "--basic-auth-file", FILES.htpasswd, ssl_context=verified)

    def test_serves_https(self):
        self.assertEqual(self.monitor.scheme, "https")
        self.assertTrue(self.monitor.base.startswith("https://127.0.0.1:"))
        status, headers, body = request(self.monitor, "/query")
        self.assert_denied(status, headers, body)
        status, _, body = request(self.monitor, "/query", {"Authorization": basic("alice", "wonder land")})
        self.assertEqual(status, 200, body)
        self.assertIn("host-stats", json.loads(body))
        status, _, body = request(self.monitor, "/", {"Authorization": basic("alice", "wonder land")})
        self.assertEqual(status, 200)
        status, _, body = self.monitor.get("/healthz")  # urllib with the verifying context
        self.assertNotIn("sources", json.loads(body))
        self.assertIn("status", json.loads(body))

    def test_event_stream_over_tls(self):
        status, event = first_event(self.monitor, headers={"Authorization": basic("bob", "b0b's pass")})
        self.assertEqual(status, 200)
        self.assertIsNotNone(event)

    def test_keep_alive_over_tls(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.monitor._port, timeout=10,
                                           context=self.monitor.ssl_context)
        try:
            for _ in range(3):
                conn.request("GET", "/query", headers={"Authorization": basic("alice", "wonder land")})
                resp = conn.getresponse()
                self.assertEqual(resp.status, 200)
                resp.read()
        finally:
            conn.close()

    def test_plain_http_and_old_tls_are_refused(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.monitor._port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        conn.close()
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("ALL:@SECLEVEL=0")  # Debian's OpenSSL offers TLS 1.0/1.1 only at level 0
        with self.assertRaises(ssl.SSLError) as refused:
            request(self.monitor, "/healthz", context=old)
        # The server's alert, not our own OpenSSL declining to offer the old version.
        self.assertEqual(refused.exception.reason, "TLSV1_ALERT_PROTOCOL_VERSION", refused.exception)
        # The server still answers afterwards.
        self.assertEqual(len(request(self.monitor, "/healthz")), 3)


class StartupErrors(unittest.TestCase):
    def test_plain_text_htpasswd_is_refused(self):
        path = FILES.write("plain.htpasswd", "alice:%s\nbob:hunter2\n" % bcrypt_hash("x", 4))
        code, output = startup_failure("--basic-auth-file", path)
        self.assertNotEqual(code, 0)
        self.assertIn("line 2 (user 'bob'): plain-text password", output)
        self.assertNotIn("hunter2", output)
        self.assertNotIn("serving on", output)

    def test_missing_htpasswd(self):
        code, output = startup_failure("--basic-auth-file", os.path.join(FILES.dir, "nope"))
        self.assertNotEqual(code, 0)
        self.assertIn("cannot read the file", output)

    def test_tls_needs_both_files(self):
        code, output = startup_failure("--tls-cert", FILES.cert)
        self.assertEqual(code, 2)
        self.assertIn("--tls-cert and --tls-key go together", output)

    def test_tls_key_must_match(self):
        other_key = os.path.join(FILES.dir, "other.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-out", other_key], check=True, capture_output=True)
        code, output = startup_failure("--tls-cert", FILES.cert, "--tls-key", other_key)
        self.assertNotEqual(code, 0)
        self.assertIn("does not match the certificate", output)
        code, output = startup_failure("--tls-cert", FILES.htpasswd, "--tls-key", FILES.key)
        self.assertNotEqual(code, 0)
        self.assertIn("not a PEM certificate", output)

    def test_token_and_token_file_exclude_each_other(self):
        code, output = startup_failure("--auth-token", TOKEN, "--auth-token-file", FILES.token_file)
        self.assertEqual(code, 2)
        self.assertIn("excludes", output)

    def test_bad_token(self):
        code, output = startup_failure("--auth-token", "has space")
        self.assertNotEqual(code, 0)
        self.assertIn("printable ASCII without spaces", output)
        empty = FILES.write("empty-token", "\n")
        code, output = startup_failure("--auth-token-file", empty)
        self.assertNotEqual(code, 0)
        self.assertIn("the token is empty", output)


if __name__ == "__main__":
    unittest.main()
