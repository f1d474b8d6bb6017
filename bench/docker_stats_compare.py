#!/usr/bin/env python3
"""Measures `docker stats --no-stream` and compares it with bench_container_sample, in the same run.

Called by bench/compare_docker_stats.sh once per container count:

  docker_stats_compare.py measure --count N --runs R --daemon-pids P1,P2,.. --bench BIN --out FILE.json
  docker_stats_compare.py report FILE.json...      (prints the Markdown table and ratios)

CPU time of `docker stats` = the CLI process (getrusage of the child) + the Docker daemons' utime+stime delta
(/proc/<pid>/stat of dockerd, containerd and every containerd-shim of these containers) over the call.
CPU time of the monitor's sample = bench_container_sample's process CPU time per iteration (Google Benchmark,
MeasureProcessCPUTime) + the same daemons' delta per sample (the container list it asks for).
Stdlib only; every subprocess has a timeout.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def daemon_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total


def children_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_docker_stats(pids, expect):
    ticks0 = daemon_ticks(pids)
    cpu0 = children_cpu_s()
    t0 = time.monotonic()
    proc = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{.ID}} {{.CPUPerc}} {{.MemUsage}}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    wall = time.monotonic() - t0
    cli_cpu = children_cpu_s() - cpu0
    daemon_cpu = (daemon_ticks(pids) - ticks0) / CLK_TCK
    rows = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or len(rows) != expect:
        sys.exit(f"docker stats: exit {proc.returncode}, {len(rows)} rows (want {expect}): {proc.stderr.strip()}")
    return {"wall_ms": wall * 1e3, "cli_cpu_ms": cli_cpu * 1e3, "daemon_cpu_ms": daemon_cpu * 1e3}


def run_bench(binary, pids, expect):
    out = f"/tmp/cmon-bench-gbench-{os.getpid()}.json"
    env = dict(os.environ, CMON_BENCH_DAEMON_PIDS=",".join(map(str, pids)))
    try:
        subprocess.run(
            [
                binary,
                "--benchmark_repetitions=3",
                "--benchmark_report_aggregates_only=true",
                f"--benchmark_out={out}",
                "--benchmark_out_format=json",
            ],
            env=env,
            check=True,
            timeout=600,
            stdout=sys.stderr,
        )
        with open(out) as f:
            data = json.load(f)
    finally:
        if os.path.exists(out):
            os.remove(out)
    result = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        if b.get("error_occurred"):
            sys.exit(f"{b['name']}: {b.get('error_message')}")
        name = b["run_name"].split("/")[0]
        if name.startswith("BM_ContainerSample") and (
            int(b["containers"]) != expect or int(b["cgroup_rows"]) != expect
        ):
            sys.exit(f"{b['name']}: {b['containers']} rows, {b['cgroup_rows']} from cgroups (want {expect})")
        scale = 1e-3 if b["time_unit"] == "us" else 1.0  # to ms
        result[name] = {
            "cpu_ms": b["cpu_time"] * scale,
            "wall_ms": b["real_time"] * scale,
            "daemon_cpu_ms": b.get("daemon_cpu_ms"),
            "io_uring": b.get("io_uring"),
        }
    return result


def measure(args):
    pids = [int(p) for p in args.daemon_pids.split(",") if p]
    bench = run_bench(args.bench, pids, args.count)
    docker_stats = [run_docker_stats(pids, args.count) for _ in range(args.runs)]
    with open(args.out, "w") as f:
        json.dump({"containers": args.count, "bench": bench, "docker_stats": docker_stats}, f, indent=1)


# ContainerSource's kListRefresh and kListRefreshMax (src/sources/docker/container_source.hpp), in seconds:
# at --interval 1, one sample in LIST_REFRESH_S asks the event log, one in LIST_REFRESH_MAX_S lists.
LIST_REFRESH_S = 5
LIST_REFRESH_MAX_S = 60


def fmt(ms):
    return f"{ms:.3f}" if ms < 10 else f"{ms:.0f}"


def sample_row(n, what, bench):
    """One benchmark's row: own CPU, the daemons' CPU during it, both, wall time (ms per sample)."""
    daemon = bench["daemon_cpu_ms"] or 0.0
    print(f"| {n} | {what} | {fmt(bench['cpu_ms'])} | {fmt(daemon)} | {fmt(bench['cpu_ms'] + daemon)} | "
          f"{fmt(bench['wall_ms'])} |")


def report(files):
    print("| containers | what | CPU ms / sample (own process) | + Docker daemons CPU ms | total CPU ms | wall ms |")
    print("|---:|---|---:|---:|---:|---:|")
    ratios = []
    pread_ratios = []
    amortized = []
    totals = {}
    results = []
    for path in files:
        with open(path) as f:
            results.append(json.load(f))
    for r in sorted(results, key=lambda r: r["containers"]):
        n = r["containers"]
        warm = r["bench"]["BM_ContainerSample"]
        cold = r["bench"]["BM_ContainerSampleCold"]
        med = {k: statistics.median(run[k] for run in r["docker_stats"]) for k in r["docker_stats"][0]}
        warm_daemon = warm["daemon_cpu_ms"] or 0.0
        warm_total = warm["cpu_ms"] + warm_daemon
        ds_total = med["cli_cpu_ms"] + med["daemon_cpu_ms"]
        how = "files read through io_uring" if warm.get("io_uring") else "io_uring unavailable: one pread per file"
        sample_row(n, f"ContainerSource sample (steady state; {how})", warm)
        pread = r["bench"].get("BM_ContainerSamplePread")
        if pread:
            sample_row(n, "the same with one pread per file (where io_uring is refused)", pread)
            pread_daemon = pread["daemon_cpu_ms"] or 0.0
        check = r["bench"].get("BM_ContainerSampleEventCheck")
        if check:
            sample_row(n, f"ContainerSource sample that asks the event log (every {LIST_REFRESH_S} s)", check)
        listing = r["bench"].get("BM_ContainerSampleListing")
        if listing:
            sample_row(n, f"ContainerSource sample that fetches the list (every {LIST_REFRESH_MAX_S} s, and after "
                          "a change)", listing)
        if check and listing:
            # At the default --interval 1, over LIST_REFRESH_MAX_S samples: one lists, one in LIST_REFRESH_S of
            # the others asks the event log, the rest are steady.
            total = LIST_REFRESH_MAX_S
            checks = total // LIST_REFRESH_S - 1
            steady = total - checks - 1
            parts = ((steady, warm), (checks, check), (1, listing))
            own = sum(k * b["cpu_ms"] for k, b in parts) / total
            daemon = sum(k * (b["daemon_cpu_ms"] or 0.0) for k, b in parts) / total
            amortized.append((n, own, own + daemon))
            print(f"| {n} | average sample at `--interval 1` over {total} s ({steady} steady, {checks} asking the "
                  f"event log, 1 listing) | {fmt(own)} | {fmt(daemon)} | {fmt(own + daemon)} | |")
        print(f"| {n} | ContainerSource first sample (inspects all) | {fmt(cold['cpu_ms'])} | – | – | "
              f"{fmt(cold['wall_ms'])} |")
        print(
            f"| {n} | `docker stats --no-stream` (median of {len(r['docker_stats'])}) | {fmt(med['cli_cpu_ms'])} "
            f"(CLI) | {fmt(med['daemon_cpu_ms'])} | {fmt(ds_total)} | {fmt(med['wall_ms'])} |"
        )
        parts = ", ".join(
            f"{label} {fmt(r['bench'][key]['cpu_ms'])}"
            for key, label in (("BM_PartDockerList", "list request"), ("BM_PartParseList", "list parse"),
                               ("BM_PartCgroupReads", "cgroup files opened per read"),
                               ("BM_PartKeptOpenReads", "the sample's files read through kept descriptors"),
                               ("BM_PartKeptOpenReadsBatched", "the same files in io_uring batches"))
            if key in r["bench"]
        )
        if parts:
            print(f"| {n} | parts, CPU ms: {parts} | | | | |")
        ratios.append((n, ds_total / warm["cpu_ms"], ds_total / warm_total, med["wall_ms"] / warm["wall_ms"]))
        if pread:
            pread_ratios.append((n, ds_total / pread["cpu_ms"], ds_total / (pread["cpu_ms"] + pread_daemon),
                                 med["wall_ms"] / pread["wall_ms"]))
        totals[n] = ds_total
    print()
    print("| containers | total CPU: docker stats ÷ monitor process | total CPU: docker stats ÷ (monitor + daemons) "
          "| wall: docker stats ÷ monitor |")
    print("|---:|---:|---:|---:|")
    for n, own, total, wall in ratios:
        print(f"| {n} | {own:.0f}× | {total:.0f}× | {wall:.0f}× |")
    for n, own, total, wall in pread_ratios:
        print(f"| {n}, one pread per file | {own:.0f}× | {total:.0f}× | {wall:.0f}× |")
    for n, own, total in amortized:
        print(f"| {n}, average at `--interval 1` | {totals[n] / own:.0f}× | {totals[n] / total:.0f}× | |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--runs", type=int, default=5)
    m.add_argument("--daemon-pids", required=True)
    m.add_argument("--bench", required=True)
    m.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
    else:
        report(args.files)


if __name__ == "__main__":
    main()
