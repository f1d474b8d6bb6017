"""Faults and a short soak against the real binary (issue 8, "Faults"): the stand-in GPU lost and back,
the private dockerd killed (SIGKILL) and restarted, N containers created and removed while the monitor
samples every 0.5 s. Afterwards the monitor's open file descriptors and RSS are back near the baseline
taken after warm-up, and /query lists exactly the containers that run.

The cases run in order (numbered names) against one monitor; the baseline is taken in setUpClass.
Env: CMON_BINARY, CMON_DOCKERD_ENV (the dockerd fixture's env file: DOCKER_HOST, DOCKERD_DIR),
CMON_FAKE_NVML (the stand-in libnvidia-ml.so.1), CMON_SOURCE_DIR (repo root: the dockerd scripts),
CMON_FAULT_CONTAINERS (churn size, default 200, as issue 8 asks), CMON_FAULT_ROUNDS (churn rounds, default 1)."""
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))

from deploy_support import Docker, docker_host, wait_for  # noqa: E402
from monitor_process import Monitor  # noqa: E402

SOURCE_DIR = os.environ.get("CMON_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..", "..")))
FAKE_NVML = os.environ.get("CMON_FAKE_NVML", "build/tests/fakes/libnvidia-ml.so.1")
CHURN = int(os.environ.get("CMON_FAULT_CONTAINERS", "200"))
ROUNDS = int(os.environ.get("CMON_FAULT_ROUNDS", "1"))  # a longer soak repeats the churn (docs/performance.md)
CHURN_BATCH = 25
LABEL = "cmon.test=faults"
IMAGE = "cmon-test/busybox"
FD_SLACK = 2
RSS_SLACK_KIB = 8 * 1024

GPU = {"name": "Fake A100", "uuid": "GPU-fa017000-0000-0000-0000-000000000001", "memory_total": 42949672960,
       "memory_used": 1073741824, "util": 37, "memory_util": 12, "temperature": 51, "power_mw": 120000,
       "power_limit_mw": 300000, "processes": []}


def dockerd_dir():
    with open(os.environ["CMON_DOCKERD_ENV"], encoding="utf-8") as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if name == "DOCKERD_DIR" and value:
                return value
    raise RuntimeError("DOCKERD_DIR missing from " + os.environ["CMON_DOCKERD_ENV"])


def dockerd_pid(directory):
    try:
        with open(os.path.join(directory, "dockerd.pid"), encoding="utf-8") as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start_dockerd(directory):
    """The fixture's own start script with the same argument: the same socket, data and exec roots."""
    r = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "start-test-dockerd.sh"), directory],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"start-test-dockerd.sh exited {r.returncode}: {r.stderr}")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docker = Docker(docker_host())
        cls.dockerd_dir = dockerd_dir()
        cls.tmp = tempfile.mkdtemp(prefix="cmon-faults-")
        cls.scenario = os.path.join(cls.tmp, "nvml.json")
        cls.write_scenario(lost=False)
        cls.remove_labelled()
        cls.monitor = Monitor(
            "--interval", "0.5", "--idle-pause", "0", "--history", "10", "--docker-host", cls.docker.host,
            "--nvml-library", FAKE_NVML, env={"CMON_FAKE_NVML_SCENARIO": cls.scenario})
        cls.pid = cls.monitor.proc.pid
        # Warm-up: all sources up, a few containers seen and gone, the 10 s history ring full.
        cls.monitor.get_json("/query")  # a viewer: waits for the first sample (a probe gets 503 "starting")
        cls.monitor.wait_for(lambda: all(s["ok"] for s in cls.monitor.get_json("/healthz")["sources"]), 30)
        ids = cls.create_started(5)
        cls.monitor.wait_for(lambda: cls.query_ids() == {i[:12] for i in ids}, 60)
        cls.docker.run("rm", "-f", *ids)
        cls.monitor.wait_for(lambda: not cls.query_ids(), 60)
        time.sleep(11)
        cls.baseline_fds = open_fds(cls.pid)
        cls.baseline_rss = rss_kib(cls.pid)
        print(f"\nbaseline after warm-up: {cls.baseline_fds} fds, RSS {cls.baseline_rss} KiB", flush=True)

    @classmethod
    def tearDownClass(cls):
        try:
            if dockerd_pid(cls.dockerd_dir) is None:
                start_dockerd(cls.dockerd_dir)  # the fixture's daemon runs again, whatever happened
            cls.remove_labelled()
        finally:
            code = cls.monitor.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            assert code == 0, f"monitor exited with {code}:\n" + "".join(cls.monitor.lines[-30:])

    # --- helpers ---------------------------------------------------------------------------------------
    @classmethod
    def write_scenario(cls, lost):
        gpu = dict(GPU, lost=lost)
        tmp = cls.scenario + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"gpus": [gpu]}, f)
        os.replace(tmp, cls.scenario)  # atomic: the stand-in re-reads on a new inode

    @classmethod
    def query_ids(cls):
        return set(cls.monitor.get_json("/query")["container-stats"].keys())

    @classmethod
    def running_ids(cls):
        return {i[:12] for i in cls.docker.text("ps", "-q", "--no-trunc").split()}

    @classmethod
    def create_started(cls, count, workers=8):
        """`docker create` + `docker start`, `workers` containers at a time (the daemon starts them
        concurrently; one `docker start` with many ids would start them one after another); full ids."""
        def create_and_start(_):
            cid = cls.docker.text("create", "--network", "none", "--label", LABEL, IMAGE, "sleep", "3600")
            cls.docker.run("start", cid)
            return cid
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(pool.map(create_and_start, range(count)))

    @classmethod
    def remove_labelled(cls):
        ids = cls.docker.text("ps", "-aq", "--filter", "label=" + LABEL).split()
        if ids:
            cls.docker.run("rm", "-f", *ids, timeout=300)

    def source(self, name):
        return next(s for s in self.monitor.get_json("/healthz")["sources"] if s["name"] == name)

    def sequence(self):
        return self.monitor.get_json("/healthz")["sequence"]

    def host_keeps_flowing(self):
        """Two fresh samples with host data while something else is broken."""
        first = self.sequence()
        self.monitor.wait_for(lambda: self.sequence() >= first + 2, 15)
        self.assertTrue(self.source("host")["ok"])
        host = self.monitor.get_json("/query")["host-stats"]
        self.assertIn("cpu-perc", host)
        self.assertRegex(host["mem"]["used/total"], r"^\d+\.\dG / \d+\.\dG$")

    # --- the faults, in order ----------------------------------------------------------------------------
    def test_1_gpu_lost_and_back(self):
        self.write_scenario(lost=True)
        gpu = self.monitor.wait_for(lambda: (lambda s: s if not s["ok"] else None)(self.source("gpu")), 15)
        self.assertIn("lost", gpu["error"])
        snapshot = self.monitor.get_json("/api/v1/snapshot")
        self.assertTrue(snapshot["gpus"][0]["lost"], snapshot["gpus"])
        self.assertEqual(self.monitor.get_json("/healthz")["status"], "degraded")
        self.host_keeps_flowing()

        self.write_scenario(lost=False)
        self.monitor.wait_for(lambda: self.source("gpu")["ok"], 15)
        gpus = self.monitor.wait_for(
            lambda: [g for g in self.monitor.get_json("/query")["host-stats"]["gpu"] if g["model"] == GPU["name"]],
            15)
        self.assertEqual(gpus[0]["util-perc"], GPU["util"])
        self.assertEqual(gpus[0]["mem-used/total"], "1.0G / 40.0G")
        self.assertFalse(self.monitor.get_json("/api/v1/snapshot")["gpus"][0]["lost"])

    def test_2_dockerd_killed_and_restarted(self):
        keeper = self.docker.text("run", "-d", "--restart", "always", "--network", "none", "--label", LABEL,
                                  IMAGE, "sleep", "3600")
        self.monitor.wait_for(lambda: keeper[:12] in self.query_ids(), 30)
        pid = dockerd_pid(self.dockerd_dir)
        self.assertIsNotNone(pid, "the fixture's dockerd is not running")
        try:
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: dockerd_pid(self.dockerd_dir) is None, 30, f"dockerd {pid} to exit")
            # Once dockerd is gone every request fails at connect: the error names the request, the reason
            # and the endpoint (a request cut mid-exchange by the kill may say something else first).
            refused = re.compile(r"^docker: GET /\S+: (connection refused|no such file or directory) \(" +
                                 re.escape(self.docker.host) + r"\)$")
            errors = []

            def refused_error():
                source = self.source("docker")
                errors.append(source.get("error"))
                return source if not source["ok"] and refused.match(source.get("error") or "") else None
            try:
                self.monitor.wait_for(refused_error, 15)
            except AssertionError:
                self.fail(f"the docker source's error never matched {refused.pattern}; last errors: {errors[-3:]}")
            self.host_keeps_flowing()
            self.assertTrue(self.source("gpu")["ok"])
        finally:
            start_dockerd(self.dockerd_dir)
        self.monitor.wait_for(lambda: self.source("docker")["ok"], 60)
        # --restart always: dockerd starts the keeper again on boot; a new container shows up too.
        self.monitor.wait_for(lambda: keeper[:12] in self.query_ids(), 60)
        fresh = self.docker.text("run", "-d", "--network", "none", "--label", LABEL, IMAGE, "sleep", "3600")
        self.monitor.wait_for(lambda: self.query_ids() == self.running_ids() and fresh[:12] in self.query_ids(), 30)
        self.docker.run("rm", "-f", keeper, fresh)
        self.monitor.wait_for(lambda: keeper[:12] not in self.query_ids(), 30)

    def test_3_container_churn(self):
        seen = set()
        churned = set()
        for round_number in range(1, ROUNDS + 1):
            started = time.monotonic()
            for first in range(0, CHURN, CHURN_BATCH):
                ids = self.create_started(min(CHURN_BATCH, CHURN - first))
                batch = {i[:12] for i in ids}
                churned |= batch
                if not seen & churned:  # the monitor lists churn containers (bounded wait, once)
                    self.monitor.wait_for(lambda: self.query_ids() & batch, 30)
                seen |= self.query_ids()  # the monitor answers while containers come and go
                self.docker.run("rm", "-f", *ids, timeout=300)
            elapsed = time.monotonic() - started
            print(f"\nround {round_number}/{ROUNDS}: {CHURN} containers created, started and removed in "
                  f"{elapsed:.1f} s; monitor now {open_fds(self.pid)} fds, RSS {rss_kib(self.pid)} KiB "
                  f"({len(seen & churned)} churn containers seen by /query so far)", flush=True)
        self.assertTrue(seen & churned, "the monitor never listed a churn container")
        self.monitor.wait_for(lambda: self.query_ids() == self.running_ids(), 30)
        self.assertEqual(self.monitor.proc.poll(), None, "the monitor died")

    def test_4_no_fd_or_memory_growth(self):
        # Settle: the churn is over, the history ring (10 s) has turned over.
        self.monitor.wait_for(lambda: self.query_ids() == self.running_ids(), 30)
        time.sleep(11)
        fds = self.monitor.wait_for(
            lambda: (lambda n: n if abs(n - self.baseline_fds) <= FD_SLACK else None)(open_fds(self.pid)), 30)
        rss = rss_kib(self.pid)
        print(f"\nafter the faults: {fds} fds (baseline {self.baseline_fds}), RSS {rss} KiB "
              f"(baseline {self.baseline_rss} KiB, +{rss - self.baseline_rss})", flush=True)
        self.assertLessEqual(rss, self.baseline_rss + RSS_SLACK_KIB)
        self.assertEqual(self.query_ids(), self.running_ids())
        self.assertTrue(all(s["ok"] for s in self.monitor.get_json("/healthz")["sources"]))


if __name__ == "__main__":
    unittest.main()
