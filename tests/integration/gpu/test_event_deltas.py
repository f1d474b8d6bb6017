"""The page's event stream (/api/v1/events?delta=1) end to end: the real binary on the private test dockerd
with the stand-in NVML, one stream taking deltas and one taking whole snapshots side by side. Every delta,
applied as docs/api.md says (written here from the text, not shared with the page), must give exactly the
snapshot the whole stream sent for the same sequence, while a container works (it changes every sample),
a container starts (it comes through "containers_changed" and "container_ids") and one is removed.
Bounded waits only, no timing asserts."""
import http.client
import json
import os
import sys
import threading
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))

from monitor_process import Monitor  # noqa: E402
from gpu_containers import GpuContainers  # noqa: E402

FAKE_NVML = os.environ.get("CMON_FAKE_NVML", "build/tests/fakes/libnvidia-ml.so.1")


def apply_delta(base, delta):
    assert delta["base"] == base["sequence"], (delta["base"], base["sequence"])
    # Members the delta leaves out did not change: they are the base's.
    after = {k: v for k, v in base.items() if k != "containers"}
    after.update({k: v for k, v in delta.items() if k not in ("base", "containers_changed", "container_ids")})
    by_id = {c["id"]: c for c in base["containers"]}
    by_id.update({c["id"]: c for c in delta["containers_changed"]})
    ids = delta.get("container_ids", [c["id"] for c in base["containers"]])
    after["containers"] = [by_id[i] for i in ids]
    return after


class Stream:
    """Reads one event stream on a thread: every event as (type, parsed data), in order."""

    def __init__(self, port, path):
        self.events = []
        self.error = None
        self.stop = threading.Event()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.status
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        pending = b""
        try:
            while not self.stop.is_set():
                chunk = self.response.read1(65536)
                if not chunk:
                    return
                pending += chunk
                *frames, pending = pending.split(b"\n\n")
                for frame in frames:
                    fields = dict(line.split(": ", 1) for line in frame.decode().split("\n")
                                  if ": " in line and not line.startswith(":"))
                    if fields.get("event") in ("snapshot", "delta"):
                        self.events.append((fields["event"], json.loads(fields["data"])))
        except (OSError, ValueError) as e:  # ValueError: a frame that is not JSON fails the test below
            self.error = e

    def close(self):
        self.stop.set()
        self.conn.close()
        self.thread.join(10)


class EventDeltas(GpuContainers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._use_test_dockerd("cmon-delta-it-")
        cls.suffix = uuid.uuid4().hex[:6]
        try:
            # Busy for at most 120 s (bounded), then idle: its CPU time moves every sample meanwhile.
            cls.busy = cls._run(f"cmon-delta-busy-{cls.suffix}",
                                ["sh", "-c", "end=$(($(date +%s)+120)); while [ $(date +%s) -lt $end ]; do :; done; "
                                 "exec sleep 300"])
            cls.idle = cls._run(f"cmon-delta-idle-{cls.suffix}", ["sleep", "300"])
            cls.busy_pid = int(cls.docker.text("inspect", "-f", "{{.State.Pid}}", cls.busy))
        except BaseException:
            cls.tearDownClass()
            raise

    def test_deltas_applied_give_the_whole_snapshots(self):
        scenario = os.path.join(self.tmp, "scenario.json")
        with open(scenario, "w", encoding="utf-8") as f:
            json.dump({"gpus": [{"name": "Stand-in A100", "uuid": "GPU-0000", "memory_total": 10_000_000_000,
                                 "memory_used": 1_000_000_000, "util": 50,
                                 "processes": [{"pid": self.busy_pid, "used_memory": 500_000_000,
                                                "sm_util": 40}]}]}, f)
        monitor = Monitor("--nvml-library", FAKE_NVML, "--docker-host", self.host, "--interval", "0.25",
                          env={"CMON_FAKE_NVML_SCENARIO": scenario})
        self.addCleanup(monitor.stop)
        port = int(monitor.base.rsplit(":", 1)[1])
        monitor.wait_for(lambda: self.busy in [c["id"] for c in monitor.get_json("/api/v1/snapshot")["containers"]],
                         timeout=30)
        deltas = Stream(port, "/api/v1/events?delta=1")
        self.addCleanup(deltas.close)
        whole = Stream(port, "/api/v1/events")
        self.addCleanup(whole.close)

        def delta_events(predicate):
            return [d for kind, d in list(deltas.events) if kind == "delta" and predicate(d)]

        # Samples go by with the busy container changing: deltas that carry it but not the idle one.
        def changed(d):
            return [c["id"] for c in d["containers_changed"]]
        monitor.wait_for(lambda: len(delta_events(lambda d: self.busy in changed(d) and self.idle not in changed(d)))
                         >= 3, timeout=30)
        started = self._run(f"cmon-delta-new-{self.suffix}", ["sleep", "300"])
        monitor.wait_for(lambda: delta_events(lambda d: started in d.get("container_ids", [])
                                              and started in [c["id"] for c in d["containers_changed"]]), timeout=30)
        self.docker.run("rm", "-f", started, timeout=60)
        monitor.wait_for(lambda: delta_events(lambda d: "container_ids" in d and started not in d["container_ids"]),
                         timeout=30)
        # The whole stream has caught up with the delta stream's last sequence.
        last = deltas.events[-1][1]["sequence"]
        monitor.wait_for(lambda: whole.events and whole.events[-1][1]["sequence"] >= last, timeout=30)
        deltas.close()
        whole.close()
        self.assertIsNone(deltas.error)
        self.assertIsNone(whole.error)

        self.assertEqual(deltas.events[0][0], "snapshot", "a delta stream starts with a whole snapshot")
        self.assertTrue(all(kind == "snapshot" for kind, _ in whole.events), "no deltas unless asked for")
        by_sequence = {s["sequence"]: s for _, s in whole.events}
        shown, compared, delta_count = None, 0, 0
        for kind, data in deltas.events:
            if kind == "snapshot":
                shown = data
            else:
                delta_count += 1
                shown = apply_delta(shown, data)
            if shown["sequence"] in by_sequence:
                self.assertEqual(shown, by_sequence[shown["sequence"]], f"sequence {shown['sequence']}")
                compared += 1
        self.assertGreaterEqual(delta_count, 5)
        self.assertGreaterEqual(compared, delta_count // 2, "the two streams overlap for most sequences")


if __name__ == "__main__":
    unittest.main()
