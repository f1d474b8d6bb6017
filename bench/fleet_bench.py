#!/usr/bin/env python3
"""Fleet benchmark (issue 16): how fast `container-monitor fleet` answers for a big lab.

Writes synthetic series for SERVERS x GPUS x CONTAINERS (every metric the fleet reads: host, dcgm-exporter
GPU gauges, GPU processes, cmon_container_info, the GPU accounting counters, up) over HOURS of history at
STEP seconds ending now, plus RECORDED_DAYS of the shipped recording rules' GPU-hours per day (hourly),
backfills them with `promtool tsdb create-blocks-from openmetrics`, starts a local
`prometheus` on that data (nothing scraped), starts `container-monitor fleet` against it and measures:
  - the refresh time (every fleet query in parallel + assembly; `query_milliseconds` of /api/v1/fleet)
    over REFRESHES refreshes,
  - the answer time of GET /api/v1/fleet (the page's request) while refreshes run,
  - `container-monitor report --since 7d --by owner`.
Prints one table; docs/performance.md records the numbers. Stops everything it started by PID.
Also prints each query's time (our round trip + parsing, from /api/v1/fleet's `queries`) beside
Prometheus' own execution time (its query log), and when the GPU-hours (computed apart) reach the page.
Usage: bench/fleet_bench.py BUILD_DIR [--servers 50 --gpus 8 --containers 40 --hours 2 --step 30
       --recorded-days 30]"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

JOB = "container-monitor"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_openmetrics(path, servers, gpus, containers, start, end, step, recorded_days):
    times = list(range(start, end + 1, step))
    gib = 1024 ** 3

    def family(out, name, kind, series):
        out.write(f"# TYPE {name} {kind}\n")
        for labels, value_at in series:
            text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            for i, t in enumerate(times):
                out.write(f"{name}{{{text}}} {value_at(i)} {t}\n")

    def base(s):
        return {"job": JOB, "instance": f"node{s:02d}.lab:727"}

    with open(path, "w", encoding="utf-8") as out:
        family(out, "up", "gauge", [(base(s), lambda i: 1) for s in range(servers)])
        family(out, "cmon_host_cpu_busy_percent", "gauge",
               [(base(s), lambda i, s=s: (s * 7 + i) % 100) for s in range(servers)])
        family(out, "cmon_host_memory_used_bytes", "gauge", [(base(s), lambda i: 200 * gib) for s in range(servers)])
        family(out, "cmon_host_memory_total_bytes", "gauge", [(base(s), lambda i: 512 * gib) for s in range(servers)])
        family(out, "cmon_source_up", "gauge",
               [({**base(s), "source": src}, lambda i: 1) for s in range(servers) for src in ("host", "docker", "gpu")])

        def gpu_labels(s, g):
            return {**base(s), "gpu": str(g), "UUID": f"GPU-{s:04d}-{g:04d}", "device": f"nvidia{g}",
                    "modelName": "NVIDIA H100 80GB HBM3", "Hostname": f"node{s:02d}"}
        held = lambda s, g: g < gpus - 2  # noqa: E731  two free GPUs per server
        for name, value in (("DCGM_FI_DEV_GPU_UTIL", lambda s, g: 80 if held(s, g) else 0),
                            ("DCGM_FI_DEV_FB_USED", lambda s, g: 60000 if held(s, g) else 10),
                            ("DCGM_FI_DEV_FB_FREE", lambda s, g: 81559 - (60000 if held(s, g) else 10)),
                            ("DCGM_FI_DEV_FB_TOTAL", lambda s, g: 81559),
                            ("DCGM_FI_DEV_GPU_TEMP", lambda s, g: 55),
                            ("DCGM_FI_DEV_POWER_USAGE", lambda s, g: 300.5)):
            family(out, name, "gauge", [(gpu_labels(s, g), lambda i, v=value(s, g): v)
                                        for s in range(servers) for g in range(gpus)])
        family(out, "cmon_gpu_lost", "gauge",
               [({**base(s), "gpu": str(g), "UUID": f"GPU-{s:04d}-{g:04d}"}, lambda i: 0)
                for s in range(servers) for g in range(gpus)])

        def container(s, c):
            return f"{c:02d}{s:02d}".rjust(64, "c"), f"user{c % 12}-job{c}", f"user{c % 12}"

        def proc_labels(s, c):
            cid, name, _ = container(s, c)
            return {**base(s), "pid": str(1000 + c), "gpu": str(c % (gpus - 2)), "container": name, "container_id": cid}
        family(out, "cmon_gpu_process_memory_bytes", "gauge",
               [(proc_labels(s, c), lambda i: 1.5 * gib) for s in range(servers) for c in range(containers)])
        family(out, "cmon_gpu_process_sm_percent", "gauge",
               [(proc_labels(s, c), lambda i, c=c: 0 if c % 5 == 0 else 20) for s in range(servers) for c in range(containers)])
        family(out, "cmon_gpu_process_idle", "gauge",
               [(proc_labels(s, c), lambda i, c=c: 1 if c % 5 == 0 else 0) for s in range(servers) for c in range(containers)])
        family(out, "cmon_gpu_process_idle_since_seconds", "gauge",
               [(proc_labels(s, c), lambda i: start) for s in range(servers) for c in range(containers) if c % 5 == 0])
        family(out, "cmon_container_info", "gauge",
               [({**base(s), "id": "/docker/" + container(s, c)[0], "name": container(s, c)[1],
                  "owner": container(s, c)[2], "image": "pytorch"}, lambda i: 1)
                for s in range(servers) for c in range(containers)])
        for metric, rate in (("cmon_container_gpu_held_seconds", 1.0), ("cmon_container_gpu_busy_seconds", 0.2),
                             ("cmon_container_gpu_idle_held_seconds", 0.1)):
            out.write(f"# TYPE {metric} counter\n")
            for s in range(servers):
                for c in range(containers):
                    cid, name, owner = container(s, c)
                    labels = {**base(s), "name": name, "id": "/docker/" + cid, "owner": owner,
                              "gpu": str(c % (gpus - 2)), "uuid": f"GPU-{s:04d}-{c % (gpus - 2):04d}"}
                    text = ",".join(f'{k}="{v}"' for k, v in labels.items())
                    for i, t in enumerate(times):
                        out.write(f"{metric}_total{{{text}}} {i * step * rate} {t}\n")
        if recorded_days:
            # What the shipped recording rules (deploy/prometheus/container-monitor.rules.yml) would have
            # recorded: GPU-hours per (job, instance, owner) over the day before each evaluation, here every
            # hour (on the hour, so every local midnight of a whole-hour time zone has a sample) for
            # recorded_days days. Consistent with the counters' rates above.
            hour_times = list(range(end - recorded_days * 86400 - (end % 3600), end + 1, 3600))
            owners = sorted({container(0, c)[2] for c in range(containers)})
            for kind, rate in (("held", 1.0), ("busy", 0.2), ("idle_held", 0.1)):
                name = f"instance_owner:cmon_gpu_{kind}_hours:increase1d"
                out.write(f"# TYPE {name} gauge\n")
                for s in range(servers):
                    for owner in owners:
                        n = sum(1 for c in range(containers) if container(s, c)[2] == owner)
                        text = ",".join(f'{k}="{v}"' for k, v in {**base(s), "owner": owner}.items())
                        for t in hour_times:
                            out.write(f"{name}{{{text}}} {n * rate * 24} {t}\n")
        out.write("# EOF\n")
    return len(times)


def query_kind(promql):
    if promql.startswith("up{"):
        return "up"
    if promql.startswith("{__name__"):
        return "gauges"
    if "timestamp(up" in promql:
        return "last data"
    if "Hostname" in promql:
        return "host names"
    if "increase1d" in promql:
        return "recorded"
    if 'window", "today"' in promql:
        return "increase today"
    if "increase(" in promql:
        return "increase window"
    return "other"


def QUERY_KIND(name):  # noqa: N802  our query names (FleetQueryTiming) -> query_kind()
    if "recorded" in name:
        return "recorded"
    if "today" in name:
        return "increase today"
    if "increase" in name:
        return "increase window"
    return name


def prometheus_times(path):
    """Prometheus' query log: execTotalTime (queue + evaluation) in ms per kind of query."""
    out = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            entry = json.loads(line)
            out.setdefault(query_kind(entry["params"]["query"]), []).append(
                entry["stats"]["timings"]["execTotalTime"] * 1000)
        except (ValueError, KeyError):
            continue
    return out


def get(url, timeout=30):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
    return time.perf_counter() - started, body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build_dir")
    p.add_argument("--servers", type=int, default=50)
    p.add_argument("--gpus", type=int, default=8)
    p.add_argument("--containers", type=int, default=40)
    p.add_argument("--hours", type=float, default=2)
    p.add_argument("--step", type=int, default=30)
    p.add_argument("--refreshes", type=int, default=10)
    p.add_argument("--recorded-days", type=int, default=30,
                   help="days of the recorded GPU-hours series to backfill (0: none, the fleet falls back to increase())")
    a = p.parse_args()
    binary = os.path.join(a.build_dir, "container-monitor")
    for tool in ("promtool", "prometheus"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: install Debian's prometheus package (scripts/install-deps.sh test)")
    work = tempfile.mkdtemp(prefix="cmon-fleet-bench-")
    procs = []
    try:
        end = int(time.time())
        start = end - int(a.hours * 3600)
        om = os.path.join(work, "series.om")
        t0 = time.perf_counter()
        points = write_openmetrics(om, a.servers, a.gpus, a.containers, start, end, a.step, a.recorded_days)
        series = sum(1 for line in open(om, encoding="utf-8") if not line.startswith("#") and ":" not in line.split("{")[0]) // points
        t1 = time.perf_counter()
        data = os.path.join(work, "data")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=72h", om, data], check=True,
                       stdout=subprocess.DEVNULL)
        os.remove(om)
        t2 = time.perf_counter()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            # The query log has Prometheus' own time per query (stats.timings), apart from the round trip.
            f.write(f"global:\n  evaluation_interval: 30s\n  query_log_file: {work}/queries.log\nscrape_configs: []\n")
        port = free_port()
        prom = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
                                 f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d",
                                 "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(prom)
        prom_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(prom_url + "/-/ready", 2)[1]:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or prom.poll() is not None:
                sys.exit("prometheus did not become ready")
            time.sleep(0.2)
        fport = free_port()
        fleet_started = time.perf_counter()
        fleet = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(fport), "fleet", "--prometheus",
                                  prom_url, "--fleet-refresh", "1", "--prometheus-timeout", "10"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(fleet)
        fleet_url = f"http://127.0.0.1:{fport}/api/v1/fleet"
        deadline = time.monotonic() + 60
        while True:
            try:
                _, body = get(fleet_url)
                first = time.perf_counter() - fleet_started
                break
            except OSError:
                if time.monotonic() > deadline or fleet.poll() is not None:
                    sys.exit("container-monitor fleet did not answer")
                time.sleep(0.1)
        doc = json.loads(body)
        if doc.get("error") or len(doc["servers"]) != a.servers:
            sys.exit(f"unexpected fleet: error={doc.get('error')} servers={len(doc['servers'])}")
        refresh_ms, answer_ms, seen, usage_ready = [], [], set(), None
        query_ms = {}
        started = fleet_started
        while len(refresh_ms) < a.refreshes or usage_ready is None:
            took, body = get(fleet_url)
            answer_ms.append(took * 1000)
            doc = json.loads(body)
            if usage_ready is None and "usage_unix" in doc:
                usage_ready = time.perf_counter() - started
                usage_doc = doc
            if doc["generated_unix"] not in seen:
                seen.add(doc["generated_unix"])
                refresh_ms.append(doc["query_milliseconds"])
                for q in doc.get("queries", []):
                    query_ms.setdefault(q["name"], []).append((q["milliseconds"], q["series"]))
            if time.perf_counter() - started > 600:
                sys.exit("no GPU-hours within 10 minutes")
            time.sleep(0.25)
        if usage_doc.get("error") or not usage_doc.get("accounting"):
            sys.exit(f"GPU-hours missing: {usage_doc.get('warnings')}")
        r0 = time.perf_counter()
        report = subprocess.run([binary, "report", "--prometheus", prom_url, "--since", "7d", "--by", "owner"],
                                capture_output=True, text=True, check=True)
        r1 = time.perf_counter()
        print(f"fleet benchmark: {a.servers} servers x {a.gpus} GPUs x {a.containers} containers = {series} series, "
              f"{a.hours:g} h of history every {a.step} s ({series * points} samples)")
        print(f"  series written in {t1 - t0:.1f} s, backfilled by promtool in {t2 - t1:.1f} s")
        print(f"  first answer of /api/v1/fleet after start (first refresh): {first * 1000:8.1f} ms")
        print(f"  refresh (live queries + assembly), median / max of {len(refresh_ms)}: "
              f"{statistics.median(refresh_ms):8.1f} / {max(refresh_ms):.1f} ms")
        print(f"  GET /api/v1/fleet answer, median / max of {len(answer_ms)}:          "
              f"{statistics.median(answer_ms):8.1f} / {max(answer_ms):.1f} ms  ({len(body) / 1024:.0f} KiB)")
        print(f"  report --since 7d --by owner:                             {(r1 - r0) * 1000:8.1f} ms "
              f"({len(report.stdout.splitlines()) - 2} owners)")
        ok = max(refresh_ms) <= 1000 and first <= 1.0
        print(f"  GPU-hours on the page after start (computed apart):     {usage_ready * 1000:8.1f} ms "
              f"(whole days from {usage_doc.get('usage_source')})")
        print("  per query (round trip + parsing), median ms / series; Prometheus' own execution (query log):")
        prom = prometheus_times(os.path.join(work, "queries.log"))
        for name, runs in query_ms.items():
            own = prom.get(QUERY_KIND(name), [])
            own_text = f"{statistics.median(own):8.1f} ms in Prometheus" if own else ""
            print(f"    {name:45s} {statistics.median(r[0] for r in runs):8.1f} ms  {runs[-1][1]:6d} series  {own_text}")
        print(f"  target <= 1 s (first answer and every refresh): {'met' if ok else 'NOT met'}")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()  # by PID
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
