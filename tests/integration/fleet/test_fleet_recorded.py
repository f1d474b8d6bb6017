"""The owners' GPU-hours from the shipped recording rules (issue 16), on a real Prometheus.

A real `prometheus` gets a month of past samples through `promtool tsdb create-blocks-from openmetrics`:
one monitor's accounting counters for ana (held 1 GPU-second per second, busy 0.5) every minute for 31
days, and what the shipped rule instance_owner:cmon_gpu_*_hours:increase1d would have recorded every hour,
deliberately different from the counters (held 10 h a day, busy 4 h) so the test sees which one a window
came from, with the recorded sample of one closing midnight (the 21st whole day back) left out.
`container-monitor fleet` runs in a time zone whose midnight lies about 12 h back (never near the edge).

Checked: the week is today's increase() plus the 6 recorded whole days (exactly); the month, whose 21st
day has no recorded series, is increase() of the raw counters since the local midnight 29 days back
(about 29 days + today of 1 GPU-second per second); usage_source says so. Every wait has a deadline."""
import json
import os
import shutil
import tempfile
import time
import unittest

from fleet_support import server  # noqa: F401  (puts the helpers' folders on sys.path)
from prom_support import PrometheusServer, wait_until
from monitor_process import Monitor

JOB = "container-monitor"
INSTANCE = "n1.lab:727"
DAY = 86400
RECORDED_HELD_HOURS = 10.0
RECORDED_BUSY_HOURS = 4.0
MISSING_DAY = 20  # whole days back (0: yesterday); inside the month, outside the week


def zone_with_midnight_12h_back(now):
    """A POSIX TZ whose local midnight is about 12 hours before now (offset in whole hours)."""
    utc_hour = int(now // 3600) % 24
    offset = (12 - utc_hour) % 24
    if offset > 12:
        offset -= 24
    # POSIX TZ signs are inverted: "XXX-3" is UTC+3.
    return f"CMT{-offset:+d}".replace("+", ""), offset * 3600


class RecordedGpuHours(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cmon-fleet-recorded-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.end = int(time.time()) // 60 * 60
        cls.zone, offset = zone_with_midnight_12h_back(cls.end)
        # The local midnight starting today, in unix seconds.
        cls.midnight = (cls.end + offset) // DAY * DAY - offset
        start = cls.midnight - 31 * DAY
        labels = f'job="{JOB}",instance="{INSTANCE}"'
        container = f'{labels},name="ana-x",id="/docker/{"a" * 64}",owner="ana",gpu="0",uuid="GPU-0"'
        path = os.path.join(cls.tmp, "series.om")
        with open(path, "w", encoding="utf-8") as out:
            out.write("# TYPE up gauge\n")
            for t in range(cls.end - 3600, cls.end + 1, 15):
                out.write(f"up{{{labels}}} 1 {t}\n")
            for kind, rate in (("held", 1.0), ("busy", 0.5)):
                name = f"cmon_container_gpu_{kind}_seconds"
                out.write(f"# TYPE {name} counter\n")
                for t in range(start, cls.end + 1, 60):
                    out.write(f"{name}_total{{{container}}} {(t - start) * rate} {t}\n")
            for kind, hours in (("held", RECORDED_HELD_HOURS), ("busy", RECORDED_BUSY_HOURS)):
                name = f"instance_owner:cmon_gpu_{kind}_hours:increase1d"
                out.write(f"# TYPE {name} gauge\n")
                skipped = cls.midnight - MISSING_DAY * DAY
                for t in range(start - start % 3600, cls.end + 1, 3600):
                    if t != skipped:
                        out.write(f'{name}{{{labels},owner="ana"}} {hours} {t}\n')
            out.write("# EOF\n")
        cls.prometheus = PrometheusServer([], backfill=path, retention="60d")
        cls.addClassCleanup(cls.prometheus.stop)
        cls.fleet = Monitor("fleet", "--prometheus", cls.prometheus.base, "--fleet-refresh", "1",
                            "--prometheus-timeout", "20", env={"TZ": cls.zone})
        cls.addClassCleanup(cls.fleet.stop)

    def test_week_from_recorded_days_month_from_increase(self):
        last = {}

        def owners():
            status, _, body = self.fleet.get("/api/v1/fleet")
            last["body"] = body
            if status != 200:
                return None
            f = json.loads(body)
            return f if "usage_unix" in f and f["owners"] else None
        try:
            f = wait_until(owners, 120, "the owners' GPU-hours on /api/v1/fleet")
        except AssertionError as e:
            raise AssertionError(f"{e}\nlast answer: {last.get('body', b'')[:4000]!r}") from None
        self.assertNotIn("error", f)
        self.assertEqual(f["usage_source"], "recorded rules (week), increase() (month)", f["queries"])
        [ana] = [o for o in f["owners"] if o["owner"] == "ana"]
        today, week, month = ana["today"], ana["week"], ana["month"]
        # Today: increase() since local midnight of a counter growing 1/s (busy 0.5/s), up to the last sample.
        self.assertAlmostEqual(today["held_seconds"], self.end - self.midnight, delta=120)
        self.assertAlmostEqual(today["busy_seconds"], 0.5 * (self.end - self.midnight), delta=60)
        # Week: today plus exactly 6 recorded days (10 h and 4 h each), not the counters' 24 h a day.
        self.assertAlmostEqual(week["held_seconds"], today["held_seconds"] + 6 * RECORDED_HELD_HOURS * 3600, delta=1e-3)
        self.assertAlmostEqual(week["busy_seconds"], today["busy_seconds"] + 6 * RECORDED_BUSY_HOURS * 3600, delta=1e-3)
        # Month: day 20 back has no recorded series, so increase() of the raw counter since 29 midnights back.
        self.assertAlmostEqual(month["held_seconds"], self.end - (self.midnight - 29 * DAY), delta=180)
        names = [q["name"] for q in f["queries"]]
        self.assertIn("GPU-hours of whole days (recorded rules)", names)
        self.assertIn("GPU-hours month (increase)", names)


if __name__ == "__main__":
    unittest.main()
