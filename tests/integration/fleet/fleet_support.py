"""Helpers of the fleet tests: the `container-monitor fleet` process and its JSON. Stdlib only."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))  # monitor_process
sys.path.insert(0, os.path.join(HERE, "..", "prometheus"))  # prom_support
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy"))  # deploy_support

from monitor_process import Monitor  # noqa: E402


class Fleet(Monitor):
    """`container-monitor fleet --prometheus URL` on 127.0.0.1:0, stopped by its PID."""

    def __init__(self, prometheus_url, *args):
        super().__init__("fleet", "--prometheus", prometheus_url, "--fleet-refresh", "1", "--prometheus-timeout", "2",
                         *args)

    def fleet(self):
        status, _, body = self.get("/api/v1/fleet")
        if status != 200:
            return None
        return json.loads(body)


def server(fleet, name):
    for s in (fleet or {}).get("servers", []):
        if s["name"] == name:
            return s
    return None


def holders(fleet, name, gpu):
    s = server(fleet, name)
    for g in (s or {}).get("gpus", []):
        if g["gpu"] == gpu and "mig_instance" not in g:
            return g["holders"]
    return None
