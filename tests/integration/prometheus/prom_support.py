"""Helpers for the Prometheus integration tests: the stand-in NVML's scenario file, and a real `prometheus`
server (Debian's /usr/bin/prometheus) on a free loopback port with its own temporary storage, stopped by
its PID. Stdlib only."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))  # monitor_process
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))  # deploy_support

from deploy_support import free_loopback_port, wait_for  # noqa: E402

PROMETHEUS = os.environ.get("CMON_PROMETHEUS", "/usr/bin/prometheus")


def fake_nvml_library():
    path = os.environ.get("CMON_FAKE_NVML", "")
    if not path or not os.path.exists(path):
        raise AssertionError(f"the stand-in NVML library is missing (CMON_FAKE_NVML={path!r}); build the "
                             "fake_nvml target, or run under ctest, which sets it")
    return path


def write_scenario(path, scenario):
    """Replaces the scenario file atomically (the stand-in re-reads it when its inode or mtime changes)."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(scenario, f)
    os.replace(temporary, path)


def one_gpu(util, name="NVIDIA Stand-In 40GB", uuid="GPU-00000000-1111-2222-3333-444444444444"):
    return {"gpus": [{"name": name, "uuid": uuid, "memory_total": 40 * 1024 ** 3, "memory_used": 3 * 1024 ** 3,
                      "util": util, "memory_util": 5, "temperature": 41, "power_mw": 61500,
                      "power_limit_mw": 250000, "fan": 30, "mig": False, "processes": []}]}


def get_text(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


class PrometheusServer:
    """`prometheus` scraping the given targets every second. Everything it writes is under a temporary
    directory removed by stop(); it listens on 127.0.0.1 only."""

    def __init__(self, targets, job="container-monitor", attempts=3, backfill=None, retention="1h"):
        if not os.access(PROMETHEUS, os.X_OK):
            raise AssertionError(f"{PROMETHEUS} is missing: install Debian's 'prometheus' package "
                                 "(scripts/install-deps.sh does); this test must not be skipped")
        self.directory = tempfile.mkdtemp(prefix="cmon-prometheus-")
        self.proc = None
        self.log_path = os.path.join(self.directory, "prometheus.log")
        config = os.path.join(self.directory, "prometheus.yml")
        if backfill is not None:
            # backfill: an OpenMetrics file of past samples, written into the TSDB before the start.
            done = subprocess.run([os.path.join(os.path.dirname(PROMETHEUS), "promtool"), "tsdb",
                                   "create-blocks-from", "openmetrics", backfill, os.path.join(self.directory, "data")],
                                  capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                self.stop()
                raise AssertionError(f"promtool could not backfill {backfill}: {done.stdout}{done.stderr}")
        with open(config, "w", encoding="utf-8") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    f"scrape_configs:\n  - job_name: {job}\n    static_configs:\n"
                    f"      - targets: [{', '.join(repr(t) for t in targets)}]\n"
                    "    relabel_configs:\n      - source_labels: [__address__]\n"
                    "        regex: '([^:]+)(?::\\d+)?'\n        target_label: server\n")
        # The free port can be taken between our probe and prometheus' bind: try a few.
        for attempt in range(attempts):
            self.port = free_loopback_port()
            self.base = f"http://127.0.0.1:{self.port}"
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    [PROMETHEUS, f"--config.file={config}",
                     f"--storage.tsdb.path={os.path.join(self.directory, 'data')}",
                     f"--web.listen-address=127.0.0.1:{self.port}", f"--storage.tsdb.retention.time={retention}",
                     "--log.level=warn"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory)
            try:
                wait_for(self._ready, 60, "prometheus to become ready")
                return
            except AssertionError:
                exited = self.proc.poll() is not None
                self._terminate()
                if not exited or attempt == attempts - 1:
                    log_text = self.log()
                    self.stop()
                    raise AssertionError(f"prometheus did not start on 127.0.0.1:{self.port}:\n{log_text}")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited with {self.proc.returncode}")
        try:
            return get_text(self.base + "/-/ready", timeout=2)[0] == 200
        except (urllib.error.URLError, OSError):
            return False

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def api(self, path, **params):
        url = f"{self.base}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            status, body = get_text(url)
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", errors="replace")
        answer = json.loads(body)
        answer["http_status"] = status
        return answer

    def query(self, expr):
        """The instant vector for expr (raises with Prometheus' error for a bad expression)."""
        answer = self.api("query", query=expr)
        if answer.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {answer}")
        return answer["data"]["result"]

    def targets_summary(self):
        try:
            active = self.api("targets")["data"]["activeTargets"]
        except Exception as e:  # only for failure messages
            return f"(targets unavailable: {e})"
        return "; ".join(f"{t['scrapeUrl']} health={t['health']} lastError={t['lastError']!r}" for t in active)

    def _terminate(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # by PID, never by name
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        self._terminate()
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_until(condition, deadline_s, what, interval_s=0.5):
    """deploy_support.wait_for, re-exported so the tests import from one place."""
    return wait_for(condition, deadline_s, what, interval_s)

