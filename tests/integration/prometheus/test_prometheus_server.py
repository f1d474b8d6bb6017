"""A real Prometheus scrapes the real monitor (issue 6).

The monitor runs on 127.0.0.1:0 with the stand-in NVML (one GPU, utilization from a scenario file) and
the private test dockerd (ctest fixture `dockerd`), where a test container (--network none, a bounded
busy loop, then a bounded sleep) runs. Debian's `prometheus` listens on a free loopback port with its own
temporary storage and scrapes the monitor every second. Its HTTP API must then return samples of
container_cpu_usage_seconds_total for the test container and DCGM_FI_DEV_GPU_UTIL for the stand-in GPU
with the scenario's value, and must accept every PromQL expression of the Grafana dashboard in deploy/.
Waits are bounded; nothing asserts how long anything took. Everything started here is stopped by its PID
or by the container name this test chose."""
import glob
import os
import tempfile
import time
import unittest
import uuid

from prom_support import PrometheusServer, fake_nvml_library, one_gpu, wait_until, write_scenario
from deploy_support import Docker, docker_host
from monitor_process import Monitor
from promql_names import REPO_ROOT, dashboard_expressions, substitute_grafana_variables

BUSYBOX_IMAGE = "cmon-test/busybox:latest"
GPU_UTIL = 37
GPU_NAME = "NVIDIA Stand-In 40GB"
# Busy for a bounded number of iterations, then sleep for a bounded time: it stops itself.
WORKLOAD = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exec sleep 300"


class PrometheusScrapesTheMonitor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docker = Docker(docker_host())
        cls.container = f"cmon-prom-{uuid.uuid4().hex[:12]}"
        cls.started = time.monotonic()
        cls.docker.run("run", "-d", "--name", cls.container, "--network", "none", "--label",
                       "cmon.test=prometheus", BUSYBOX_IMAGE, "sh", "-c", WORKLOAD)
        cls.addClassCleanup(cls.docker.run, "rm", "-f", cls.container, check=False)

        cls.scratch = tempfile.TemporaryDirectory(prefix="cmon-prom-test-")
        cls.addClassCleanup(cls.scratch.cleanup)
        scenario = os.path.join(cls.scratch.name, "nvml.json")
        write_scenario(scenario, one_gpu(GPU_UTIL, name=GPU_NAME))

        cls.monitor = Monitor("--interval", "1", "--nvml-library", fake_nvml_library(),
                              "--docker-host", cls.docker.host, env={"CMON_FAKE_NVML_SCENARIO": scenario})
        cls.addClassCleanup(cls.monitor.stop)
        # The monitor sees the container before Prometheus is asked about it (a clear failure otherwise).
        cls.monitor.wait_for(lambda: any(c.get("name") == cls.container
                                         for c in cls.monitor.get_json("/api/v1/snapshot").get("containers", [])),
                             timeout=60)

        cls.prometheus = PrometheusServer([f"127.0.0.1:{cls.monitor.base.rsplit(':', 1)[1]}"])
        cls.addClassCleanup(cls.prometheus.stop)

    def wait_for_series(self, expr):
        def found():
            return self.prometheus.query(expr)
        try:
            return wait_until(found, 90, f"Prometheus to have samples of {expr}")
        except AssertionError as e:
            raise AssertionError(f"{e}\ntargets: {self.prometheus.targets_summary()}\n"
                                 f"prometheus log:\n{self.prometheus.log()}\n"
                                 f"monitor log:\n{''.join(self.monitor.lines[-20:])}") from None

    def test_container_cpu_of_the_test_container(self):
        result = self.wait_for_series(f'container_cpu_usage_seconds_total{{name="{self.container}"}}')
        self.assertEqual(len(result), 1, result)
        labels = result[0]["metric"]
        self.assertRegex(labels["id"], r"^/docker/[0-9a-f]{64}$")
        self.assertEqual(labels["image"], BUSYBOX_IMAGE.split(":")[0] + ":latest")
        self.assertEqual(labels["job"], "container-monitor")
        self.assertEqual(labels["server"], "127.0.0.1")
        # The busy loop has run: the counter is above zero (and a counter of CPU seconds cannot outgrow the
        # wall time since the container started times the CPUs there are).
        def cpu_seconds():
            result = self.prometheus.query(f'container_cpu_usage_seconds_total{{name="{self.container}"}}')
            return float(result[0]["value"][1]) if result and float(result[0]["value"][1]) > 0 else None
        seconds = wait_until(cpu_seconds, 90, "the test container's CPU counter to go above 0")
        self.assertGreater(seconds, 0.0)
        self.assertLessEqual(seconds, (time.monotonic() - self.started) * os.cpu_count())

    def test_gpu_utilization_of_the_stand_in_gpu(self):
        result = self.wait_for_series('DCGM_FI_DEV_GPU_UTIL{gpu="0"}')
        self.assertEqual(len(result), 1, result)
        labels = result[0]["metric"]
        self.assertEqual(float(result[0]["value"][1]), GPU_UTIL)
        # dcgm-exporter's label names survive the scrape unchanged (its dashboards select on them).
        self.assertEqual(labels["modelName"], GPU_NAME)
        self.assertEqual(labels["UUID"], "GPU-00000000-1111-2222-3333-444444444444")
        self.assertIn("Hostname", labels)
        self.assertEqual(labels["device"], "nvidia0")

    def test_every_dashboard_expression_is_valid_promql(self):
        self.wait_for_series("cmon_build_info")
        paths = glob.glob(os.path.join(REPO_ROOT, "deploy", "grafana", "*.json"))
        self.assertTrue(paths)
        for path in paths:
            for where, expr in dashboard_expressions(path)[1]:
                with self.subTest(where=where):
                    # Raises with Prometheus' parse error for an invalid expression.
                    self.prometheus.query(substitute_grafana_variables(expr))
        # The server variable's query finds this monitor by the scrape config's `server` label.
        self.assertEqual([r["metric"]["server"] for r in self.prometheus.query("cmon_build_info")], ["127.0.0.1"])


if __name__ == "__main__":
    unittest.main()
