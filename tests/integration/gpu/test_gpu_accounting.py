"""GPU accounting end to end: real containers in the private test dockerd, the stand-in libnvidia-ml.so.1
holding GPU memory for their pids at fixed SM %, and the real binary's /api/v1/accounting and /metrics.
The oracle is the scenario (which container holds what, at which SM %, when a process is taken away) and
the monitor's own sample times as /api/v1/history and /api/v1/snapshot list them; every comparison allows
one sampling interval, as the counting rule promises. Bounded waits only, no timing asserts."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))

from monitor_process import Monitor  # noqa: E402
from deploy_support import Docker, docker_host  # noqa: E402

FAKE_NVML = os.environ.get("CMON_FAKE_NVML", "build/tests/fakes/libnvidia-ml.so.1")
IMAGE = "cmon-test/busybox"
INTERVAL = 0.25
GIB = 1 << 30


def unix(rfc3339):
    """'2026-12-06T05:00:00.250Z' -> unix seconds."""
    from datetime import datetime, timezone
    return datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


class GpuAccounting(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.host = docker_host()
        cls.docker = Docker(cls.host)
        cls.tmp = tempfile.mkdtemp(prefix="cmon-acct-it-")
        cls.scenario = os.path.join(cls.tmp, "scenario.json")
        cls.names = []
        try:
            suffix = uuid.uuid4().hex[:6]
            cls.a_name = f"ana-train-{suffix}"
            cls.b_name = f"bo-nb-{suffix}"
            cls.a = cls._run(cls.a_name, ["--label", "owner=ana"], ["sleep", "311"])
            cls.b = cls._run(cls.b_name, [], ["sleep", "312"])
            cls.a_pid = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.a))
            cls.b_pid = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.b))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _run(cls, name, options, command):
        cls.names.append(name)
        return cls.docker.text("run", "-d", "--network", "none", "--name", name, *options, IMAGE, *command)

    @classmethod
    def tearDownClass(cls):
        for name in cls.names:
            cls.docker.run("rm", "-f", name, check=False, timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def write_scenario(self, a_on_gpu0=True):
        # A computes on GPU 0 at 40 % SM; B holds 2 GiB on GPU 1 and never computes (an idle holder).
        gpu0 = {"name": "Stand-in A100", "uuid": "GPU-A0", "memory_total": 80 * GIB, "memory_used": 4 * GIB,
                "util": 40, "processes": []}
        if a_on_gpu0:
            gpu0["processes"].append({"pid": self.a_pid, "used_memory": 4 * GIB, "sm_util": 40})
        gpu1 = {"name": "Stand-in A100", "uuid": "GPU-B1", "memory_total": 80 * GIB, "memory_used": 2 * GIB,
                "util": 0, "processes": [{"pid": self.b_pid, "used_memory": 2 * GIB, "sm_util": 0}]}
        tmp = self.scenario + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"gpus": [gpu0, gpu1]}, f)
        os.replace(tmp, self.scenario)

    def account(self, report, cid, gpu):
        for c in report["containers"]:
            if c["id"] == cid:
                for g in c["gpus"]:
                    if g["gpu"] == gpu:
                        return c, g
        return None, None

    def test_gpu_seconds_follow_the_scenario(self):
        self.write_scenario()
        monitor = Monitor("--nvml-library", FAKE_NVML, "--docker-host", self.host, "--interval", str(INTERVAL),
                          "--idle-pause", "0", "--history", "45", "--idle-gpu-memory", "1", "--idle-gpu-after", "0",
                          "--owner-pattern", "^([a-z]+)-",
                          env={"CMON_FAKE_NVML_SCENARIO": self.scenario})
        self.addCleanup(monitor.stop)

        def held(report, cid, gpu):
            _, g = self.account(report, cid, gpu)
            return g["since_start"]["held_seconds"] if g else 0.0

        # A few seconds of holding, then compare with the monitor's sample times.
        def enough():
            r = monitor.get_json("/api/v1/accounting")
            return r if held(r, self.a, "0") >= 3.0 and held(r, self.b, "1") >= 3.0 else None
        monitor.wait_for(enough, timeout=60)
        history = monitor.get_json("/api/v1/history")
        report = monitor.get_json("/api/v1/accounting")
        # With --history 45 the history keeps every sample (all within full resolution): the first one where
        # A and B hold memory.
        def first_holding(cid):
            series = history["containers"][cid[:12]]["gpu_memory_bytes"]
            return next(t for t, v in zip(history["times"], series) if v) / 1000.0
        first = first_holding(self.a)
        self.assertEqual(first_holding(self.b), first, "the scenario had both from the start")
        expected = unix(report["now"]) - first
        a, a0 = self.account(report, self.a, "0")
        b, b1 = self.account(report, self.b, "1")
        self.assertEqual((a["name"], a["owner"], a0["uuid"]), (self.a_name, "ana", "GPU-A0"), "owner from the label")
        self.assertEqual((b["name"], b["owner"], b1["uuid"]), (self.b_name, "bo", "GPU-B1"), "owner from the pattern")
        for g in (a0, b1):
            self.assertAlmostEqual(g["since_start"]["held_seconds"], expected, delta=INTERVAL)
        self.assertAlmostEqual(a0["since_start"]["busy_seconds"], 0.40 * expected, delta=INTERVAL)
        self.assertEqual(a0["since_start"]["idle_held_seconds"], 0.0)
        self.assertEqual(b1["since_start"]["busy_seconds"], 0.0)
        # B is idle from its first sample (--idle-gpu-after 0): idle-held is all of held.
        self.assertAlmostEqual(b1["since_start"]["idle_held_seconds"], b1["since_start"]["held_seconds"],
                               delta=INTERVAL)
        owners = {o["owner"]: o for o in report["owners"]}
        self.assertEqual(owners["ana"]["containers"], [self.a_name])
        self.assertEqual(owners["bo"]["containers"], [self.b_name])

        # A's process leaves GPU 0: A keeps its total, which stops growing; B keeps counting.
        def last_with_a():
            s = monitor.get_json("/api/v1/snapshot")
            return s if any(p.get("container_id") == self.a for p in s["gpu_processes"]) else None
        t_with = unix(monitor.wait_for(last_with_a, timeout=30)["time"])
        self.write_scenario(a_on_gpu0=False)

        def without_a():
            s = monitor.get_json("/api/v1/snapshot")
            return None if any(p.get("container_id") == self.a for p in s["gpu_processes"]) else s
        t_without = unix(monitor.wait_for(without_a, timeout=30)["time"])
        # Two further samples, so the interval after the removal has been folded.
        seq = monitor.get_json("/api/v1/snapshot")["sequence"]
        monitor.wait_for(lambda: monitor.get_json("/api/v1/snapshot")["sequence"] >= seq + 2 or None, timeout=30)
        frozen = monitor.get_json("/api/v1/accounting")
        _, a0 = self.account(frozen, self.a, "0")
        self.assertGreaterEqual(a0["since_start"]["held_seconds"], t_with - first - INTERVAL)
        self.assertLessEqual(a0["since_start"]["held_seconds"], t_without - first + INTERVAL)
        seq = monitor.get_json("/api/v1/snapshot")["sequence"]
        monitor.wait_for(lambda: monitor.get_json("/api/v1/snapshot")["sequence"] >= seq + 4 or None, timeout=30)
        later = monitor.get_json("/api/v1/accounting")
        self.assertEqual(self.account(later, self.a, "0")[1]["since_start"], a0["since_start"])
        self.assertGreater(held(later, self.b, "1"), held(frozen, self.b, "1"))

        # /metrics carries the same totals as monotonic counters with the owner label.
        status, _, body = monitor.get("/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        pattern = (r'cmon_container_gpu_held_seconds_total\{name="%s",id="/docker/%s",owner="ana",gpu="0",'
                   r'uuid="GPU-A0"\} ([0-9.e+]+)' % (re.escape(self.a_name), self.a))
        match = re.search(pattern, text)
        self.assertIsNotNone(match, text[:2000])
        self.assertAlmostEqual(float(match.group(1)), a0["since_start"]["held_seconds"], places=6)
        self.assertIn('cmon_container_info{id="/docker/%s",name="%s",image="%s",owner="bo"} 1'
                      % (self.b, self.b_name, IMAGE), text)

        # A window from about now: the start used is the minute bucket holding it (never later than asked, never
        # before the monitor started); B held all of it, A no more than its total.
        since = int(unix(later["now"]))
        status, _, body = monitor.get("/api/v1/accounting?since=%d" % since)
        self.assertEqual(status, 200)
        windowed = json.loads(body)
        used = unix(windowed["since"])
        self.assertLessEqual(used, since)
        self.assertGreaterEqual(used, unix(windowed["started"]))
        b_window = self.account(windowed, self.b, "1")[1]["window"]["held_seconds"]
        self.assertAlmostEqual(b_window, unix(windowed["now"]) - max(used, first), delta=INTERVAL)
        a_window = self.account(windowed, self.a, "0")[1]
        self.assertLessEqual(a_window["window"]["held_seconds"], a_window["since_start"]["held_seconds"])
        status, _, body = monitor.get("/api/v1/accounting?since=tomorrow")
        self.assertEqual(status, 400)
        self.assertIn("unix seconds", json.loads(body)["error"])
