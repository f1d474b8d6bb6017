"""Issue 13 end to end: the real binary against each stand-in driver profile (tests/fakes/fake_nvml.cpp:
modern 550, R535.54 with 32-byte _v3 entries, R535.98 without _v3, R450 with only the plain call), with real
containers in the private test dockerd, checked through /query, /api/v1/snapshot, /metrics and /healthz.
Also MIG slices (a parent answering NO_PERMISSION), MPS clients, injected per-field errors (degraded, not
lost), hidden processes (the --pid=host hint) and unattributed memory. Bounded waits only."""
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
GIB = 1 << 30
DRIVERS = {"modern": "550.54.15", "r535_54": "535.54.03", "r535_98": "535.98", "r450": "450.80.02"}
STRIDES = {"modern": "_v3, 24-byte", "r535_54": "_v3, 32-byte", "r535_98": "_v2, 24-byte",
           "r450": "RunningProcesses, 16-byte"}


def library(profile):
    if profile == "modern":
        return FAKE_NVML
    return os.path.join(os.path.dirname(FAKE_NVML), profile, os.path.basename(FAKE_NVML))


def json_or_none(monitor, path):
    status, _, body = monitor.get(path)
    return json.loads(body) if status == 200 else None


class GpuDriverProfiles(GpuContainers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._use_test_dockerd("cmon-gpu-profiles-")
        cls.scenario = os.path.join(cls.tmp, "scenario.json")
        try:
            suffix = uuid.uuid4().hex[:6]
            cls.a = cls._run(f"cmon-prof-a-{suffix}", ["sh", "-c", "sleep 300 & exec sleep 301"])
            cls.b = cls._run(f"cmon-prof-b-{suffix}", ["sleep", "302"])
            cls.a_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.a))
            cls.b_init = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.b))
            cls.a_child = wait_for(lambda: cls._other_pid(cls.a, cls.a_init), 30, "the second process in A")
        except BaseException:
            cls.tearDownClass()
            raise


    def write(self, scenario):
        tmp = self.scenario + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(scenario, f)
        os.replace(tmp, self.scenario)

    def start(self, profile="modern", *args):
        monitor = Monitor("--nvml-library", library(profile), "--docker-host", self.host, "--interval", "0.2",
                          *args, env={"CMON_FAKE_NVML_SCENARIO": self.scenario})
        self.addCleanup(monitor.stop)
        return monitor

    def gpu(self, processes, **extra):
        gpu = {"name": "Stand-in H100", "uuid": "GPU-0000", "memory_total": 80 * GIB, "memory_used": 6 * GIB,
               "memory_reserved": GIB // 2, "util": 60, "temperature": 40, "sm_clock": 1755,
               "sm_clock_max": 1980, "mem_clock": 2619, "mem_clock_max": 2619, "processes": processes}
        gpu.update(extra)
        return gpu

    def wait_snapshot(self, monitor, predicate):
        def ready():
            s = json_or_none(monitor, "/api/v1/snapshot")
            return s if s is not None and predicate(s) else None
        return monitor.wait_for(ready, timeout=30)

    def test_every_profile_lists_every_process_under_its_container(self):
        processes = [{"pid": self.a_init, "used_memory": 1 * GIB, "sm_util": 40},
                     {"pid": self.a_child, "used_memory": 2 * GIB, "sm_util": 20},
                     {"pid": self.b_init, "used_memory": 3 * GIB, "sm_util": 10}]
        self.write({"gpus": [self.gpu(processes)]})
        for profile in DRIVERS:
            with self.subTest(profile=profile):
                monitor = self.start(profile)
                snap = self.wait_snapshot(monitor, lambda s: len(s["gpu_processes"]) == 3 and all(
                    "container_id" in p for p in s["gpu_processes"]))
                by_pid = {p["pid"]: p for p in snap["gpu_processes"]}
                self.assertEqual(set(by_pid), {self.a_init, self.a_child, self.b_init}, "no pid 0 / 4294967295")
                self.assertEqual(by_pid[self.a_child]["container_id"], self.a)
                self.assertEqual(by_pid[self.b_init]["container_id"], self.b)
                self.assertEqual(by_pid[self.b_init]["memory_used_bytes"], 3 * GIB)
                gpu = snap["gpus"][0]
                self.assertEqual(gpu["driver_version"], DRIVERS[profile])
                source = [s for s in snap["sources"] if s["name"] == "gpu"][0]
                self.assertTrue(source["ok"])
                self.assertIn(STRIDES[profile], source["note"])
                q = monitor.get_json("/query")
                self.assertEqual(sorted(p["pid"] for p in q["container-stats"][self.a[:12]]["gpu-proc"]),
                                 sorted([self.a_init, self.a_child]))
                self.assertEqual([p["pid"] for p in q["container-stats"][self.b[:12]]["gpu-proc"]], [self.b_init])
                metrics = monitor.get("/metrics")[2].decode()
                self.assertIn("DCGM_FI_DEV_SM_CLOCK{", metrics)
                if profile == "r450":  # memory v1 only: no reservation known, no unattributed figure
                    self.assertNotIn("memory_reserved_bytes", gpu)
                    self.assertNotIn("DCGM_FI_DEV_FB_RESERVED{", metrics)
                else:
                    self.assertEqual(gpu["memory_reserved_bytes"], GIB // 2)
                    self.assertIn('DCGM_FI_DEV_FB_RESERVED{gpu="0"', metrics)
                    self.assertEqual(gpu["unattributed_memory_bytes"], 0)
                monitor.stop()

    def test_mig_slices_mps_and_a_parent_without_permission(self):
        parent = self.gpu([], mig=True, errors={"nvmlDeviceGetComputeRunningProcesses": 4})
        parent["mig_devices"] = [
            {"uuid": "MIG-aaaa", "name": "Stand-in H100 MIG 1g.10gb", "gpu_instance_id": 9,
             "compute_instance_id": 0, "memory_total": 10 * GIB, "memory_used": 3 * GIB, "gpm_sm_util": 37,
             "processes": [{"pid": self.a_init, "used_memory": 3 * GIB}]},
            {"uuid": "MIG-bbbb", "name": "Stand-in H100 MIG 3g.40gb", "gpu_instance_id": 2,
             "compute_instance_id": 0, "memory_total": 40 * GIB, "memory_used": 2 * GIB,
             "processes": [{"pid": self.b_init, "used_memory": 2 * GIB, "type": "mps"}]}]
        self.write({"gpus": [parent]})
        monitor = self.start()
        snap = self.wait_snapshot(monitor, lambda s: len(s["gpu_processes"]) == 2 and any(
            m.get("utilization_percent") == 37 for m in s["gpus"][0].get("mig_devices", [])))
        gpu = snap["gpus"][0]
        self.assertEqual([m["profile"] for m in gpu["mig_devices"]], ["1g.10gb", "3g.40gb"])
        self.assertNotIn("utilization_percent", gpu["mig_devices"][1])
        self.assertIn("processes: NO_PERMISSION", gpu["degraded_fields"])
        by_pid = {p["pid"]: p for p in snap["gpu_processes"]}
        self.assertEqual(by_pid[self.a_init]["gpu_instance_id"], 9)
        self.assertEqual(by_pid[self.a_init]["container_id"], self.a)
        self.assertTrue(by_pid[self.b_init]["mps"])
        self.assertEqual(by_pid[self.b_init]["gpu_instance_id"], 2)
        metrics = monitor.get("/metrics")[2].decode()
        self.assertIn('GPU_I_PROFILE="1g.10gb",GPU_I_ID="9"} 3072', metrics)
        self.assertIn('DCGM_FI_DEV_GPU_UTIL{gpu="0"', metrics)
        health = monitor.get_json("/healthz")
        gpu_health = [s for s in health["sources"] if s["name"] == "gpu"][0]
        self.assertEqual(gpu_health["state"], "degraded")
        self.assertTrue(gpu_health["ok"])
        self.assertTrue(any("processes: NO_PERMISSION" in w for w in gpu_health["warnings"]))

    def test_field_errors_degrade_and_hidden_processes_say_pid_host(self):
        refusing = self.gpu([{"pid": self.b_init, "used_memory": GIB}],
                            errors={"nvmlDeviceGetPowerUsage": 4, "nvmlDeviceGetTemperature": 26,
                                    "nvmlDeviceGetTemperatureV": 27, "nvmlDeviceGetMemoryInfo_v2": 25})
        hidden = self.gpu([], uuid="GPU-1111", memory_used=30 * GIB)
        self.write({"gpus": [refusing, hidden]})
        monitor = self.start()
        snap = self.wait_snapshot(monitor, lambda s: len(s["gpus"]) == 2 and s["gpus"][0].get("degraded"))
        gpu0, gpu1 = snap["gpus"]
        self.assertFalse(gpu0["lost"])
        self.assertNotIn("power_draw_milliwatts", gpu0)
        self.assertNotIn("temperature_celsius", gpu0)
        self.assertIn("power: NO_PERMISSION", gpu0["degraded_fields"])
        self.assertIn("temperature: NOT_READY", gpu0["degraded_fields"])
        self.assertEqual(gpu0["memory_used_bytes"], 6 * GIB + GIB // 2, "memory v1 after VERSION_MISMATCH")
        self.assertTrue(gpu1["processes_hidden"])
        health = monitor.get_json("/healthz")
        gpu_health = [s for s in health["sources"] if s["name"] == "gpu"][0]
        self.assertEqual(gpu_health["state"], "degraded")
        self.assertTrue(any("run with --pid=host to see GPU processes" in w for w in gpu_health["warnings"]))
        metrics = monitor.get("/metrics")[2].decode()
        self.assertIn('cmon_gpu_degraded{gpu="0",UUID="GPU-0000"} 1', metrics)
        self.assertIn('cmon_gpu_processes_hidden{gpu="1",UUID="GPU-1111"} 1', metrics)
        self.assertIn('cmon_source_degraded{source="gpu"} 1', metrics)
        q = monitor.get_json("/query")
        self.assertEqual([p["pid"] for p in q["container-stats"][self.b[:12]]["gpu-proc"]], [self.b_init])


if __name__ == "__main__":
    unittest.main()
