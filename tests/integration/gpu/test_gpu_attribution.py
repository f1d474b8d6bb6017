"""GPU processes attributed to their containers, end to end: real containers in the private test dockerd,
the stand-in libnvidia-ml.so.1 reporting their host pids on GPUs 0 and 1, and the real binary's /query
(exactly as shared/reference/query-schema.md says) and /api/v1/snapshot. Also a lost GPU, the Docker top
fallback (a --proc-root without the containers' pids), GPUs assigned via NVIDIA_VISIBLE_DEVICES (and no
other env var leaking), and --show-cmdline off and on. Bounded waits only, no timing asserts."""
import json
import os
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))

from monitor_process import Monitor  # noqa: E402
from gpu_containers import GpuContainers  # noqa: E402
from deploy_support import wait_for  # noqa: E402

FAKE_NVML = os.environ.get("CMON_FAKE_NVML", "build/tests/fakes/libnvidia-ml.so.1")
TOTAL = 10_000_000_000  # GPU memory: percentages below are exact to one decimal
SECRET = "cmon-secret-" + uuid.uuid4().hex[:8]


def json_or_none(monitor, path):
    """The body as JSON, or None while the monitor answers 503 (nothing collected yet)."""
    status, _, body = monitor.get(path)
    return json.loads(body) if status == 200 else None


def pct(used):
    return round(100.0 * used / TOTAL, 1)


class GpuAttribution(GpuContainers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._use_test_dockerd("cmon-gpu-it-")
        cls.scenario = os.path.join(cls.tmp, "scenario.json")
        try:
            cls._start_containers()
        except BaseException:
            cls.tearDownClass()
            raise
        cls.host_pid = os.getpid()

    @classmethod
    def _start_containers(cls):
        suffix = uuid.uuid4().hex[:6]
        # A: two processes (init + a child), given GPU 0 by NVIDIA_VISIBLE_DEVICES; B: one process.
        cls.a = cls._run(f"cmon-gpu-a-{suffix}", options=["-e", "NVIDIA_VISIBLE_DEVICES=0", "-e", f"CMON_TOKEN={SECRET}"], command=
                         ["sh", "-c", "sleep 300 & exec sleep 301"])
        cls.b = cls._run(f"cmon-gpu-b-{suffix}", ["sleep", "302"])
        cls.a_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.a))
        cls.b_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.b))
        cls.a_child = wait_for(lambda: cls._other_pid(cls.a, cls.a_init), 30, "the second process in A")


    def write_scenario(self, gpu1_lost=False):
        gpu0 = {"name": "Stand-in A100", "uuid": "GPU-0000", "memory_total": TOTAL, "memory_used": 3_000_000_000,
                "util": 71, "processes": [
                    {"pid": self.a_init, "used_memory": 1_234_000_000, "sm_util": 42},
                    {"pid": self.host_pid, "used_memory": 100_000_000, "sm_util": 3}]}
        gpu1 = {"name": "Stand-in A100", "uuid": "GPU-1111", "memory_total": TOTAL, "memory_used": 2_000_000_000,
                "util": 18, "lost": gpu1_lost, "processes": [
                    {"pid": self.b_init, "used_memory": 567_000_000, "sm_util": 17},
                    {"pid": self.a_child, "used_memory": 890_000_000, "sm_util": 9}]}
        tmp = self.scenario + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"gpus": [gpu0, gpu1]}, f)
        os.replace(tmp, self.scenario)  # atomic: the stand-in never reads half a file

    def start(self, *args, env=None):
        full_env = {"CMON_FAKE_NVML_SCENARIO": self.scenario}
        full_env.update(env or {})
        monitor = Monitor("--nvml-library", FAKE_NVML, "--docker-host", self.host, "--interval", "0.2", *args,
                          env=full_env)
        self.addCleanup(monitor.stop)
        return monitor

    def query_procs(self, monitor, wanted):
        """Polls /query until `wanted` (short id -> number of gpu-proc entries) holds; returns the body."""
        def ready():
            q = json_or_none(monitor, "/query")
            if q is None:
                return None
            stats = q["container-stats"]
            if all(sid in stats and len(stats[sid]["gpu-proc"]) == n for sid, n in wanted.items()):
                return q
            return None
        return monitor.wait_for(ready, timeout=30)

    def expected_procs(self, with_gpu1=True):
        a = [{"gpu-idx": 0, "mem-perc-used": pct(1_234_000_000), "pid": self.a_init, "sm-util": 42}]
        b = []
        if with_gpu1:
            a.append({"gpu-idx": 1, "mem-perc-used": pct(890_000_000), "pid": self.a_child, "sm-util": 9})
            b.append({"gpu-idx": 1, "mem-perc-used": pct(567_000_000), "pid": self.b_init, "sm-util": 17})
        return a, b

    def check_query(self, q, with_gpu1=True):
        a_short, b_short = self.a[:12], self.b[:12]
        a_expected, b_expected = self.expected_procs(with_gpu1)
        key = lambda p: (p["gpu-idx"], p["pid"])  # noqa: E731
        a_procs = q["container-stats"][a_short]["gpu-proc"]
        self.assertEqual(sorted(a_procs, key=key), sorted(a_expected, key=key))
        self.assertEqual(q["container-stats"][b_short]["gpu-proc"], b_expected)
        for entry in a_procs:  # key order and types exactly as the schema
            self.assertEqual(list(entry), ["gpu-idx", "mem-perc-used", "pid", "sm-util"])
            self.assertIsInstance(entry["mem-perc-used"], float)
            self.assertIsInstance(entry["sm-util"], int)
        for sid, stats in q["container-stats"].items():
            self.assertNotIn(self.host_pid, [p["pid"] for p in stats["gpu-proc"]], f"host pid under {sid}")

    def test_attribution_lost_gpu_assignment_and_no_cmdline(self):
        self.write_scenario()
        monitor = self.start()
        q = self.query_procs(monitor, {self.a[:12]: 2, self.b[:12]: 1})
        self.check_query(q)
        gpu0 = q["host-stats"]["gpu"][0]
        self.assertEqual(list(gpu0), ["id", "model", "mem-perc-used", "mem-used/total", "util-perc"])
        self.assertEqual((gpu0["id"], gpu0["model"], gpu0["mem-perc-used"], gpu0["util-perc"]),
                         (0, "Stand-in A100", 30.0, 71))

        snap = monitor.get_json("/api/v1/snapshot")
        procs = {(p["gpu_index"], p["pid"]): p for p in snap["gpu_processes"]}
        host = procs[(0, self.host_pid)]
        self.assertNotIn("container_id", host, "the test's own pid is a host process")
        self.assertTrue(host["process_exists"])
        self.assertEqual(procs[(0, self.a_init)]["container_id"], self.a)
        self.assertEqual(procs[(0, self.a_init)]["container_pid"], 1, "init inside A's pid namespace")
        for p in snap["gpu_processes"]:
            self.assertNotIn("command", p, "command lines only with --show-cmdline")

        # GPUs assigned: the one env key is read, no env value is exposed anywhere.
        containers = {c["id"]: c for c in snap["containers"]}
        self.assertEqual(containers[self.a]["gpus_assigned"], [0])
        self.assertEqual(containers[self.b]["gpus_assigned"], [])
        for path in ("/api/v1/snapshot", "/query", "/metrics"):
            status, _, body = monitor.get(path)
            self.assertEqual(status, 200, path)
            self.assertNotIn(SECRET, body.decode(errors="replace"), path)

        # GPU 1 falls off the bus: GPU 0 and its processes stay, health names GPU 1.
        self.write_scenario(gpu1_lost=True)

        def gpu1_lost():
            s = monitor.get_json("/api/v1/snapshot")
            gpu = [g for g in s["gpus"] if g["index"] == 1]
            return s if gpu and gpu[0].get("lost") else None
        snap = monitor.wait_for(gpu1_lost, timeout=30)
        gpu_health = [s for s in snap["sources"] if s["name"] == "gpu"][0]
        self.assertFalse(gpu_health["ok"])
        self.assertIn("GPU 1", gpu_health["error"])
        self.assertNotIn("GPU 0", gpu_health["error"])
        health = monitor.get_json("/healthz")
        self.assertIn("GPU 1", [s for s in health["sources"] if s["name"] == "gpu"][0]["error"])
        q = self.query_procs(monitor, {self.a[:12]: 1, self.b[:12]: 0})
        self.check_query(q, with_gpu1=False)
        gpu0 = q["host-stats"]["gpu"][0]
        self.assertEqual((gpu0["id"], gpu0["mem-perc-used"], gpu0["util-perc"]), (0, 30.0, 71))

    def test_show_cmdline_from_environment(self):
        self.write_scenario()
        monitor = self.start(env={"CMON_SHOW_CMDLINE": "1"})

        def commands():
            s = json_or_none(monitor, "/api/v1/snapshot") or {"gpu_processes": []}
            found = {p["pid"]: p.get("command") for p in s["gpu_processes"]}
            return found if found.get(self.b_init) else None
        found = monitor.wait_for(commands, timeout=30)
        self.assertEqual(found[self.b_init], "sleep 302")
        self.assertEqual(found[self.a_init], "sleep 301")
        q = monitor.get_json("/query")  # the legacy schema has no command field
        for stats in q["container-stats"].values():
            for p in stats["gpu-proc"]:
                self.assertEqual(list(p), ["gpu-idx", "mem-perc-used", "pid", "sm-util"])

    def test_docker_top_fallback_without_host_pids(self):
        # A proc root with the host-wide files (so the host source still works) but no pid directories:
        # what a monitor in a container without --pid host sees of the GPU processes.
        proc = os.path.join(self.tmp, "proc")
        os.makedirs(proc, exist_ok=True)
        for name in os.listdir("/proc"):
            if not name.isdigit() and name not in ("self", "thread-self") \
                    and not os.path.exists(os.path.join(proc, name)):
                os.symlink(os.path.join("/proc", name), os.path.join(proc, name))
        self.write_scenario()
        monitor = self.start("--proc-root", proc)
        q = self.query_procs(monitor, {self.a[:12]: 2, self.b[:12]: 1})
        self.check_query(q)

        def noted():
            s = monitor.get_json("/api/v1/snapshot")
            source = [x for x in s["sources"] if x["name"] == "attribution"][0]
            return source if source.get("note") else None
        source = monitor.wait_for(noted, timeout=30)
        self.assertTrue(source["ok"])
        self.assertEqual(source["note"], "pids from docker top (no host pid namespace)")
        health = monitor.get_json("/healthz")
        self.assertEqual([s for s in health["sources"] if s["name"] == "attribution"][0]["note"],
                         "pids from docker top (no host pid namespace)")


if __name__ == "__main__":
    unittest.main()
