#!/usr/bin/env python3
"""The whole-process benchmark of bench/process_bench.sh: baseline minute, monitored minute, docker stats.

  process_bench.py --binary BIN --nvml LIB --gpus 8 --gpu-pids P1,.. --count 100 --daemon-pids P1,..
                   --seconds 60 --docker-stats-runs 3 --prefix NAME --work DIR [--perf 1]

Monitor CPU = the sum over its threads of /proc/<pid>/task/*/schedstat (first field: ns on CPU), taken at
the start and end of the measured window; cross-checked with utime+stime of /proc/<pid>/stat, which also
keeps the time of threads that ended inside the window (the stats-API and top fan-outs start threads).
Daemon CPU = utime+stime of dockerd, containerd and the shims (/proc/<pid>/stat), over a baseline window
without the monitor and over the measured window with it; the difference is what the monitor costs them.
docker stats = the CLI's CPU (getrusage of the child) + the daemons' CPU over the call.
Stdlib only; every subprocess and wait has a deadline.
"""

import argparse
import calendar
import contextlib
import http.client
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
TARGET_MS_PER_S = 1.5


def ticks_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def daemon_ticks(pids):
    return sum(ticks_of(pid) for pid in pids)


def schedstat_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return total


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def scenario(gpus, pids):
    out = {"gpus": []}
    for i in range(gpus):
        mine = pids[i::gpus] if pids else []
        out["gpus"].append({
            "name": "NVIDIA A100-SXM4-80GB",
            "uuid": f"GPU-00000000-0000-0000-0000-{i:012d}",
            "memory_total": 85899345920,
            "memory_used": (len(mine) + 1) * 2147483648,
            "util": 40 + i,
            "memory_util": 20 + i,
            "temperature": 50 + i,
            "power_draw_mw": 250000,
            "power_limit_mw": 400000,
            "fan": 30,
            "processes": [{"pid": pid, "used_memory": 2147483648, "sm_util": 30 + j, "type": "compute"}
                          for j, pid in enumerate(mine)],
        })
    return out


def get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Clients:
    """One SSE client reading /api/v1/events (with ?delta=1, as the page asks, unless `stream` is "whole"),
    and one GET /query per second."""

    def __init__(self, port, stream="delta"):
        self.port = port
        self.path = "/api/v1/events?delta=1" if stream == "delta" else "/api/v1/events"
        self.stop = threading.Event()
        self.sse_bytes = 0
        self.events = {"snapshot": 0, "delta": 0}
        self.queries = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.sse, daemon=True), threading.Thread(target=self.query, daemon=True)]
        for t in self.threads:
            t.start()

    def sse(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            pending = b""
            while not self.stop.is_set():
                chunk = response.read1(65536)
                if not chunk:
                    break
                self.sse_bytes += len(chunk)
                pending += chunk
                *frames, pending = pending.split(b"\n\n")
                for frame in frames:
                    for line in frame.split(b"\n", 2)[:2]:
                        kind = line[len(b"event: "):].decode() if line.startswith(b"event: ") else None
                        if kind in self.events:
                            self.events[kind] += 1
            conn.close()
        except OSError as e:
            self.errors.append(f"sse: {e}")

    def query(self):
        next_at = time.monotonic()
        while not self.stop.is_set():
            try:
                status, _ = get(self.port, "/query")
                if status == 200:
                    self.queries += 1
                else:
                    self.errors.append(f"/query: HTTP {status}")
            except OSError as e:
                self.errors.append(f"/query: {e}")
            next_at += 1.0
            self.stop.wait(max(0.0, next_at - time.monotonic()))

    def close(self):
        self.stop.set()


def start_monitor(args, env):
    log = open(os.path.join(args.work, "monitor.log"), "w")
    proc = subprocess.Popen(
        [args.binary, "--bind", "127.0.0.1", "--port", "0", "--interval", "1", "--nvml-library", args.nvml],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(os.path.join(args.work, "monitor.log")) as f:
            m = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", f.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_monitor(proc)
    sys.exit("process_bench: the monitor did not start; its log: " + open(os.path.join(args.work, "monitor.log")).read())


def stop_monitor(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_for_full_snapshot(port, count, gpu_processes, deadline_s=120):
    """Until the monitor shows every container and every GPU process attributed to one."""
    deadline = time.monotonic() + deadline_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, body = get(port, "/api/v1/snapshot")
            if status == 200:
                snap = json.loads(body)
                containers = len(snap.get("containers", []))
                attributed = sum(1 for p in snap.get("gpu_processes", []) if p.get("container_id"))
                last = f"{containers} containers, {attributed} attributed GPU processes"
                if containers >= count and attributed >= gpu_processes:
                    return
        except (OSError, ValueError) as e:
            last = str(e)
        time.sleep(0.5)
    sys.exit(f"process_bench: the monitor never showed {count} containers and {gpu_processes} attributed GPU "
             f"processes (last: {last})")


def run_docker_stats(pids, expect):
    ticks0 = daemon_ticks(pids)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(["docker", "stats", "--no-stream", "--format", "{{.ID}} {{.CPUPerc}} {{.MemUsage}}"],
                          capture_output=True, text=True, timeout=600, check=False)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    daemon = (daemon_ticks(pids) - ticks0) / CLK_TCK
    rows = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or len(rows) < expect:
        sys.exit(f"docker stats: exit {proc.returncode}, {len(rows)} rows (want {expect}): {proc.stderr.strip()}")
    return {"wall_ms": wall * 1e3, "cli_cpu_ms": cli * 1e3, "daemon_cpu_ms": daemon * 1e3}


def container_ages_minutes(prefix):
    """(youngest, oldest) minutes since the benchmark's containers started: the kernel keeps moving new
    containers' page cache for a quarter of an hour and more, and the monitor reads more until it settles."""
    ids = subprocess.run(["docker", "ps", "-q", "--filter", f"name=^{prefix}"], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    starts = subprocess.run(["docker", "inspect", "--format", "{{.State.StartedAt}}", *ids], capture_output=True,
                            text=True, timeout=120, check=True).stdout.split()
    now = time.time()
    ages = []
    for text in starts:
        # RFC 3339 with nanoseconds ("2026-12-06T22:12:03.123456789Z"): seconds are enough here.
        ages.append((now - calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))) / 60)
    return min(ages), max(ages)


# Where a perf sample's time goes: the first category (in this order) one of its frames belongs to.
CATEGORIES = [
    ("docker source", re.compile(r"cmon::sources::ContainerSource::|cmon::sources::(ListWatch|TrackedContainer)")),
    ("host source", re.compile(r"cmon::sources::HostSource::")),
    ("GPU source", re.compile(r"cmon::sources::GpuSource::")),
    ("attribution", re.compile(r"cmon::attribution::")),
    ("history", re.compile(r"cmon::sampling::MetricHistory::")),
    ("serialization", re.compile(r"cmon::exporters::")),
    ("HTTP", re.compile(r"cmon::http::|boost::asio::|boost::beast::")),
    ("sampler (rates, publish)", re.compile(r"cmon::sampling::")),
]


def thread_ns(pid):
    """{tid: (name, ns on CPU)} for the threads alive now."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[tid] = (name, int(f.read().split()[0]))
        except OSError:
            pass  # ended meanwhile
    return out


def ms_per_s_by_thread(before, after, seconds):
    """{thread name: ms of CPU per s} between two thread_ns() readings (threads of one name summed)."""
    out = {}
    for tid, (name, ns) in after.items():
        out[name] = out.get(name, 0.0) + (ns - before.get(tid, (name, 0))[1]) / 1e6 / seconds
    return out


def kept_gpu_pids(bench_dir, count, gpu_processes, tool):
    """For the tools that reuse bench-process's kept daemon and containers (CMON_BENCH_KEEP=1): points
    DOCKER_HOST at it, starts again the containers whose bounded sleep ended, and returns the init pids of
    the first `gpu_processes` of them (the stand-in NVML's GPU processes)."""
    os.environ["DOCKER_HOST"] = f"unix://{bench_dir}/docker.sock"
    everyone = [f"cmon-pbench-{i}" for i in range(1, count + 1)]
    running = subprocess.run(["docker", "inspect", "--format", "{{.Name}} {{.State.Running}}", *everyone],
                             capture_output=True, text=True)
    stopped = [line.split()[0].lstrip("/") for line in running.stdout.splitlines() if line.endswith(" false")]
    if stopped:
        print(f"starting {len(stopped)} kept containers whose sleep ended", file=sys.stderr)
        subprocess.run(["docker", "start", *stopped], capture_output=True, check=False)
    inspect = subprocess.run(["docker", "inspect", "--format", "{{.State.Pid}}", *everyone[:gpu_processes]],
                             capture_output=True, text=True)
    gpu_pids = [int(p) for p in inspect.stdout.split() if p.isdigit() and int(p) > 0]
    if inspect.returncode != 0 or len(gpu_pids) != gpu_processes:
        sys.exit(f"{tool}: the kept benchmark containers are not running under {bench_dir} "
                 f"(run CMON_BENCH_KEEP=1 make bench-process first): {inspect.stderr.strip()[:200]}")
    return gpu_pids


@contextlib.contextmanager
def monitor_under_load(binary, nvml, work, gpus, gpu_pids, count, sse="delta"):
    """The monitor with the stand-in NVML and bench-process's two clients, past its first full snapshot
    and the first lists and inspects: yields (proc, clients); stops both."""
    os.makedirs(work, exist_ok=True)
    scenario_path = os.path.join(work, "scenario.json")
    with open(scenario_path, "w", encoding="utf-8") as f:
        json.dump(scenario(gpus, gpu_pids), f)
    env = dict(os.environ, CMON_FAKE_NVML_SCENARIO=scenario_path)
    proc, port = start_monitor(argparse.Namespace(binary=binary, nvml=nvml, work=work), env)
    clients = None
    try:
        clients = Clients(port, sse)
        wait_for_full_snapshot(port, count, len(gpu_pids))
        time.sleep(3)  # past the first lists and inspects, as bench-process
        yield proc, clients
    finally:
        if clients:
            clients.close()
        stop_monitor(proc)


def cpu_and_wakes(pid):
    """(ns on CPU, voluntary switches) of all of a process's threads: a wake-up peer's reading."""
    return schedstat_ns(pid), sum(v for _, v, _ in thread_switches(pid).values())


def thread_switches(pid):
    """{tid: (name, voluntary, involuntary context switches)} for the threads alive now: a voluntary switch
    is a sleep (each later wake costs the kernel's switch and cold caches), an involuntary one a preemption."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            out[tid] = (fields["Name"].strip(), int(fields["voluntary_ctxt_switches"]),
                        int(fields["nonvoluntary_ctxt_switches"]))
        except (OSError, KeyError, ValueError):
            pass  # ended meanwhile
    return out


KERNEL_COUNTS = ("raw_syscalls:sys_enter", "io_uring:io_uring_submit_req")


def start_kernel_counts(pid, seconds):
    """perf stat over the measured minute: system calls and io_uring reads (the docker source's batches of
    cgroup and /proc files) per thread, counted by the kernel's tracepoints, no tracing of each call."""
    return subprocess.Popen(["perf", "stat", "-e", ",".join(KERNEL_COUNTS), "--per-thread", "-x", ",", "-p", str(pid),
                             "--", "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish_kernel_counts(run, seconds):
    """{event: {thread name: per second}}, or None and the reason."""
    _, err = run.communicate(timeout=seconds + 60)
    rates = {event: {} for event in KERNEL_COUNTS}
    for line in err.splitlines():
        fields = line.split(",")
        if len(fields) < 4 or fields[3] not in rates or not fields[1].isdigit():
            continue
        name = fields[0].rsplit("-", 1)[0]
        rates[fields[3]][name] = rates[fields[3]].get(name, 0) + int(fields[1]) / seconds
    if run.returncode != 0 or not rates[KERNEL_COUNTS[0]]:
        return None, f"perf stat failed: {err.strip()[:300]}"
    return rates, None


def perf_split(pid, seconds, work):
    data = os.path.join(work, "perf.data")
    # DWARF unwinding: the build keeps no frame pointers, so -g's frame-pointer chains stop at the leaf.
    rec = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "1999", "--call-graph", "dwarf,16384",
                          "-p", str(pid), "-o", data, "--", "sleep", str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 120)
    if rec.returncode != 0:
        return None, f"perf record failed: {rec.stderr.strip()[:300]}"
    script = subprocess.run(["perf", "script", "-i", data, "-F", "tid,ip,sym"], capture_output=True, text=True,
                            timeout=900)
    counts = {name: 0 for name, _ in CATEGORIES}
    counts["other (kernel, libc, idle threads)"] = 0
    total = 0
    for block in script.stdout.split("\n\n"):
        frames = block.strip().splitlines()
        if not frames:
            continue
        total += 1
        stack = "\n".join(frames)
        for name, pattern in CATEGORIES:
            if pattern.search(stack):
                counts[name] += 1
                break
        else:
            counts["other (kernel, libc, idle threads)"] += 1
    return {"samples": total, "counts": counts}, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--nvml", required=True)
    ap.add_argument("--wake-peer", required=True)
    ap.add_argument("--peer-wakes", type=int, default=5, help="the peer's wake-ups per second")
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--gpu-pids", default="")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--daemon-pids", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--docker-stats-runs", type=int, default=3)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--perf", type=int, default=0)
    ap.add_argument("--awake", type=int, default=0)
    ap.add_argument("--sse", choices=["delta", "whole"], default="delta")
    args = ap.parse_args()
    daemons = [int(p) for p in args.daemon_pids.split(",") if p]
    gpu_pids = [int(p) for p in args.gpu_pids.split(",") if p]

    print(f"baseline: {args.seconds} s of the Docker daemons without the monitor", file=sys.stderr)
    t0, d0 = time.monotonic(), daemon_ticks(daemons)
    time.sleep(args.seconds)
    baseline_s = time.monotonic() - t0
    baseline_daemon_ms_per_s = (daemon_ticks(daemons) - d0) / CLK_TCK * 1e3 / baseline_s

    with monitor_under_load(args.binary, args.nvml, args.work, args.gpus, gpu_pids, args.count, args.sse) as (
            proc, clients):
        print(f"measuring: {args.seconds} s of the monitor (pid {proc.pid}) from "
              f"{time.strftime('%H:%M:%S', time.gmtime())} UTC", file=sys.stderr)
        rss = []
        queries0, sse0, events0 = clients.queries, clients.sse_bytes, dict(clients.events)
        # The peer wakes through the same minute and stops itself 30 s after it.
        peer = subprocess.Popen([args.wake_peer, str(args.peer_wakes), str(args.seconds + 30)])
        counts = start_kernel_counts(proc.pid, args.seconds) if args.perf else None
        try:
            t0 = time.monotonic()
            s0, u0, d0 = schedstat_ns(proc.pid), ticks_of(proc.pid), daemon_ticks(daemons)
            threads0, switches0 = thread_ns(proc.pid), thread_switches(proc.pid)
            p0, pw0 = cpu_and_wakes(peer.pid)
            while time.monotonic() - t0 < args.seconds:
                rss.append(rss_kib(proc.pid))
                time.sleep(1)
            s1, u1, d1 = schedstat_ns(proc.pid), ticks_of(proc.pid), daemon_ticks(daemons)
            threads1, switches1 = thread_ns(proc.pid), thread_switches(proc.pid)
            p1, pw1 = cpu_and_wakes(peer.pid)
            wall = time.monotonic() - t0
            youngest, oldest = container_ages_minutes(args.prefix)
        finally:
            peer.terminate()
            peer.wait()
        if pw1 - pw0 <= 0:
            sys.exit("process_bench: the wake-up peer did not wake")
        peer_us_per_wake = (p1 - p0) / 1e3 / (pw1 - pw0)
        rss.append(rss_kib(proc.pid))
        queries, sse = clients.queries - queries0, clients.sse_bytes - sse0
        events = {kind: clients.events[kind] - events0[kind] for kind in events0}
        split, perf_error = (None, None)
        kernel, kernel_error = finish_kernel_counts(counts, args.seconds) if counts else (None, None)
        if args.perf:
            print("perf: 30 s of cpu-clock samples", file=sys.stderr)
            split, perf_error = perf_split(proc.pid, 30, args.work)
    if clients.errors:
        print(f"client errors: {clients.errors[:5]}", file=sys.stderr)

    monitor_ms_per_s = (s1 - s0) / 1e6 / wall
    monitor_stat_ms_per_s = (u1 - u0) / CLK_TCK * 1e3 / wall
    daemon_ms_per_s = (d1 - d0) / CLK_TCK * 1e3 / wall
    daemon_extra = daemon_ms_per_s - baseline_daemon_ms_per_s

    stats = [run_docker_stats(daemons, args.count) for _ in range(args.docker_stats_runs)]
    stats_total = sorted(s["cli_cpu_ms"] + s["daemon_cpu_ms"] for s in stats)
    stats_median = stats_total[len(stats_total) // 2]

    print()
    awake = f" ({args.awake} of them awake 20 times a second)" if args.awake else ""
    print(f"| {args.count} containers{awake}, {args.gpus} GPUs, {len(gpu_pids)} GPU processes, --interval 1, "
          f"1 SSE client ({clients.path}), /query 1/s, {wall:.0f} s | value |")
    print("|---|---|")
    print(f"| the containers had been running for | {youngest:.0f} to {oldest:.0f} minutes |")
    print(f"| monitor CPU, all threads (schedstat) | **{monitor_ms_per_s:.2f} ms per s** "
          f"(target {TARGET_MS_PER_S} ms/s: {'met' if monitor_ms_per_s <= TARGET_MS_PER_S else 'missed by %.2f ms/s (x%.1f)' % (monitor_ms_per_s - TARGET_MS_PER_S, monitor_ms_per_s / TARGET_MS_PER_S)}) |")
    per_thread = ms_per_s_by_thread(threads0, threads1, wall)
    print("| monitor CPU per thread (main: HTTP) | " + ", ".join(
        f"{name} {ms:.2f}" for name, ms in sorted(per_thread.items(), key=lambda item: -item[1])) + " ms per s |")
    switches = {}
    for tid, (name, voluntary, involuntary) in switches1.items():
        _, v0, i0 = switches0.get(tid, (name, 0, 0))
        v, i = switches.get(name, (0, 0))
        switches[name] = (v + voluntary - v0, i + involuntary - i0)
    print("| monitor wakes per thread (voluntary switches; preemptions) | " + ", ".join(
        f"{name} {v / wall:.1f}/s; {i / wall:.1f}/s" for name, (v, i) in sorted(switches.items(), key=lambda x: x[0])
        if v or i) + " |")
    wakes_per_s = sum(v for v, _ in switches.values()) / wall
    floor_ms_per_s = wakes_per_s * peer_us_per_wake / 1e3
    print(f"| a bare wake-up here, same minute (`bench_wake_peer`, {args.peer_wakes} a second, nothing else) | "
          f"{peer_us_per_wake:.0f} µs of CPU each |")
    print(f"| the monitor's wakes at that price | {wakes_per_s:.1f}/s x {peer_us_per_wake:.0f} µs = "
          f"{floor_ms_per_s:.2f} ms per s ({100 * floor_ms_per_s / monitor_ms_per_s:.0f} % of its CPU) |")
    print(f"| monitor CPU, utime+stime (incl. threads that ended) | {monitor_stat_ms_per_s:.2f} ms per s |")
    print(f"| monitor RSS | {max(rss) / 1024:.1f} MiB max, {rss[-1] / 1024:.1f} MiB at the end |")
    print(f"| Docker daemons' CPU, baseline without the monitor | {baseline_daemon_ms_per_s:.2f} ms per s |")
    print(f"| Docker daemons' CPU with the monitor | {daemon_ms_per_s:.2f} ms per s "
          f"({daemon_extra:+.2f} ms/s over the baseline) |")
    print(f"| monitor + daemons' extra | {monitor_ms_per_s + daemon_extra:.2f} ms per s |")
    print(f"| clients served | {queries} /query, {sse / 1024:.0f} KiB of SSE ({events['snapshot']} snapshot and "
          f"{events['delta']} delta events) |")
    for i, s in enumerate(stats, 1):
        print(f"| `docker stats --no-stream` run {i} | {s['cli_cpu_ms']:.0f} ms CLI + {s['daemon_cpu_ms']:.0f} ms "
              f"daemons, {s['wall_ms']:.0f} ms wall |")
    # The daemons' extra is a difference of two minutes that vary on their own (it came out negative in
    # some runs): it counts against the monitor only when positive.
    monitoring = monitor_ms_per_s + max(daemon_extra, 0.0)
    print(f"| ratio: one `docker stats --no-stream` (median) / one second of monitoring "
          f"(monitor + daemons' extra when above 0) | {stats_median / max(monitoring, 1e-9):.0f}x |")
    if args.perf:
        if kernel is None:
            print(f"\nperf: {kernel_error}")
        else:
            calls, reads = kernel[KERNEL_COUNTS[0]], kernel[KERNEL_COUNTS[1]]
            print(f"\nDuring the measured minute (perf stat -e {','.join(KERNEL_COUNTS)}): "
                  f"{sum(calls.values()):.1f} system calls per s (" +
                  ", ".join(f"{name} {rate:.1f}" for name, rate in sorted(calls.items())) +
                  f"); {sum(reads.values()):.1f} files read through io_uring per s (the docker source's cgroup "
                  "files and its containers' net/dev)")
        if split is None:
            print(f"\nperf: {perf_error}")
        else:
            print(f"\nWhere the monitor's CPU goes (perf record -e cpu-clock -F 1999 --call-graph dwarf, 30 s, "
                  f"{split['samples']} samples):\n")
            print("| part | share of samples | ms per s |")
            print("|---|---|---|")
            for name, n in split["counts"].items():
                share = n / max(split["samples"], 1)
                print(f"| {name} | {share * 100:.1f} % | {share * monitor_ms_per_s:.2f} |")


if __name__ == "__main__":
    main()
