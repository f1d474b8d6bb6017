"""A scrape counts as a client (issue 6): with collection paused because nobody looked, one GET /metrics
wakes the sampler and is answered with a snapshot taken after the wake-up, never the stale one.

The stand-in NVML makes "fresh" observable in the scrape itself: while the monitor is paused the scenario
changes the GPU's utilization, and the very first scrape afterwards must already carry the new value and
cmon_collection_paused 0. No Docker needed; waits are bounded and nothing is timed."""
import os
import re
import tempfile
import unittest

from prom_support import fake_nvml_library, one_gpu, write_scenario
from monitor_process import Monitor

BEFORE, AFTER = 11, 66


def gpu_util(text):
    match = re.search(r'^DCGM_FI_DEV_GPU_UTIL\{gpu="0",[^}]*\} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else None


class ScrapeIsAClient(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory(prefix="cmon-scrape-")
        self.addCleanup(self.scratch.cleanup)
        self.scenario = os.path.join(self.scratch.name, "nvml.json")
        write_scenario(self.scenario, one_gpu(BEFORE))
        self.monitor = Monitor("--interval", "1", "--idle-pause", "1", "--nvml-library", fake_nvml_library(),
                               "--docker-host", "unix:///nonexistent/docker.sock",
                               env={"CMON_FAKE_NVML_SCENARIO": self.scenario})
        self.addCleanup(self.monitor.stop)

    def scrape(self):
        status, headers, body = self.monitor.get("/metrics")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        return body.decode()

    def test_a_scrape_of_a_paused_monitor_wakes_it_and_gets_fresh_data(self):
        self.monitor.wait_for(lambda: gpu_util(self.scrape()) == BEFORE, timeout=20)
        # Nobody asks any more: wait (bounded, without requests) until the sampler says it paused.
        self.monitor.wait_for(lambda: any("collection paused" in line for line in self.monitor.lines),
                              timeout=30, interval=0.2)
        write_scenario(self.scenario, one_gpu(AFTER))

        text = self.scrape()  # the first request after the pause, and the only one
        self.assertIn("\ncmon_collection_paused 0\n", text)
        self.assertEqual(gpu_util(text), AFTER, "the scrape was answered with the stale pre-pause snapshot")


if __name__ == "__main__":
    unittest.main()
