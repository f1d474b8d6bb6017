#!/usr/bin/env python3
"""Two builds of the monitor, alternately, under the load of `make bench-process`: what a change did to
the whole process, measured in the same run (the machine's own drift between runs is larger than most
changes). Needs the benchmark's kept daemon and containers: run `CMON_BENCH_KEEP=1 make bench-process`
once first.

Usage: bench/process_ab.py BEFORE_BINARY AFTER_BINARY [--rounds 3] [--seconds 40] [--sse delta|whole]
       [--nvml build/tests/fakes/libnvidia-ml.so.1] [--dir /tmp/cmon-pbench] [--together]

Each round runs BEFORE then AFTER (a fresh process each, the same SSE client and /query poller as
bench-process, measured after the first full snapshot for --seconds): the CPU of all threads
(schedstat), per thread by name, and the SSE bytes read. Prints one line per run and the means.

--together runs both at once instead, each with its own clients, measured over the same seconds: the
kernel reclaiming the containers' page cache, the daemons' work and the rest of the machine are then
the same for both (each also sees the other's load), and with perf installed each line also has the
system calls and io_uring file reads the kernel counted for that process: what a change to the reads
did, counted, where the CPU figure alone moves more between minutes than the change."""
import argparse
import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import process_bench as pb  # noqa: E402


def measure(binary, nvml, work, gpu_pids, seconds, sse, count, gpus):
    with pb.monitor_under_load(binary, nvml, work, gpus, gpu_pids, count, sse) as (proc, clients):
        s0, t0, b0 = pb.schedstat_ns(proc.pid), pb.thread_ns(proc.pid), clients.sse_bytes
        start = time.monotonic()
        time.sleep(seconds)
        s1, t1, b1 = pb.schedstat_ns(proc.pid), pb.thread_ns(proc.pid), clients.sse_bytes
        wall = time.monotonic() - start
    return (s1 - s0) / 1e6 / wall, pb.ms_per_s_by_thread(t0, t1, wall), (b1 - b0) / 1024 / wall


def measure_together(binaries, nvml, work, gpu_pids, seconds, sse, count, gpus):
    """Both monitors under load at once; [(ms/s, {thread: ms/s}, SSE KiB/s, {event: per s} or None)]."""
    with contextlib.ExitStack() as stack:
        runs = [stack.enter_context(pb.monitor_under_load(binary, nvml, os.path.join(work, f"ab-together-{i}"), gpus,
                                                          gpu_pids, count, sse))
                for i, binary in enumerate(binaries)]
        counts = [pb.start_kernel_counts(proc.pid, seconds) for proc, _ in runs]
        before = [(pb.schedstat_ns(proc.pid), pb.thread_ns(proc.pid), clients.sse_bytes) for proc, clients in runs]
        start = time.monotonic()
        time.sleep(seconds)
        after = [(pb.schedstat_ns(proc.pid), pb.thread_ns(proc.pid), clients.sse_bytes) for proc, clients in runs]
        wall = time.monotonic() - start
        kernel = [pb.finish_kernel_counts(run, seconds)[0] for run in counts]
    return [((a[0] - b[0]) / 1e6 / wall, pb.ms_per_s_by_thread(b[1], a[1], wall), (a[2] - b[2]) / 1024 / wall, k)
            for b, a, k in zip(before, after, kernel)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--sse", choices=["delta", "whole"], default="delta")
    ap.add_argument("--nvml", default="build/tests/fakes/libnvidia-ml.so.1")
    ap.add_argument("--dir", default=os.environ.get("CMON_BENCH_DIR", "/tmp/cmon-pbench"))
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--gpu-processes", type=int, default=16)
    ap.add_argument("--together", action="store_true", help="run both at once, over the same seconds")
    args = ap.parse_args()
    gpu_pids = pb.kept_gpu_pids(args.dir, args.count, args.gpu_processes, "process_ab")
    print(f"machine: {os.cpu_count()} CPUs, load average {open('/proc/loadavg').read().split()[0]} at start; "
          f"{args.count} containers, {args.gpus} GPUs, {len(gpu_pids)} GPU processes, SSE {args.sse}, "
          f"{args.seconds} s per run")
    totals = {"before": [], "after": []}
    for _ in range(args.rounds):
        if args.together:
            both = measure_together([os.path.abspath(args.before), os.path.abspath(args.after)],
                                    os.path.abspath(args.nvml), args.dir, gpu_pids, args.seconds, args.sse, args.count,
                                    args.gpus)
            for label, (ms, threads, sse, kernel) in zip(("before", "after"), both):
                totals[label].append(ms)
                per = ", ".join(f"{n} {v:.2f}" for n, v in sorted(threads.items(), key=lambda i: -i[1]) if v >= 0.005)
                counted = ("  " + ", ".join(f"{event.split(':')[1]} {sum(v.values()):.1f}/s"
                                             for event, v in kernel.items())) if kernel else "  (perf stat failed)"
                print(f"{label:6s} {ms:.2f} ms/s  [{per}]  SSE {sse:.0f} KiB/s{counted}", flush=True)
            print(f"paired: {both[1][0] - both[0][0]:+.2f} ms/s", flush=True)
            continue
        for label, binary in (("before", args.before), ("after", args.after)):
            ms, threads, sse = measure(os.path.abspath(binary), os.path.abspath(args.nvml),
                                       os.path.join(args.dir, f"ab-{label}"), gpu_pids, args.seconds, args.sse,
                                       args.count, args.gpus)
            totals[label].append(ms)
            per = ", ".join(f"{n} {v:.2f}" for n, v in sorted(threads.items(), key=lambda i: -i[1]) if v >= 0.005)
            print(f"{label:6s} {ms:.2f} ms/s  [{per}]  SSE {sse:.0f} KiB/s", flush=True)
    before, after = (sum(v) / len(v) for v in (totals["before"], totals["after"]))
    print(f"mean: before {before:.2f} ms/s, after {after:.2f} ms/s ({after - before:+.2f} ms/s, "
          f"{100 * (after - before) / before:+.0f} %)")


if __name__ == "__main__":
    main()
