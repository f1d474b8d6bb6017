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
the same for both (each also sees the other's load). With perf installed, each line in either mode also
has the system calls and io_uring file reads the kernel counted for that process: what a change to the
reads did, counted, where the CPU figure alone moves more between minutes than the change."""
import argparse
import contextlib
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import process_bench as pb  # noqa: E402


def measure(runs, nvml, root, gpu_pids, seconds, sse, count, gpus):
    """The monitors of `runs` ([(label, binary)]: one, or both with --together) under load at once, over the
    same seconds: per run (ms/s, {thread: ms/s}, SSE KiB/s, {event: per s}, or None without perf)."""
    with contextlib.ExitStack() as stack:
        monitors = [stack.enter_context(pb.monitor_under_load(binary, nvml, os.path.join(root, f"ab-{label}"), gpus,
                                                              gpu_pids, count, sse))
                    for label, binary in runs]
        counts = [pb.start_kernel_counts(proc.pid, seconds) for proc, _ in monitors] if shutil.which("perf") else []

        def reading():
            return [(pb.schedstat_ns(proc.pid), pb.thread_ns(proc.pid), clients.sse_bytes) for proc, clients in monitors]

        before = reading()
        start = time.monotonic()
        time.sleep(seconds)
        after = reading()
        wall = time.monotonic() - start
        kernel = [pb.finish_kernel_counts(run, seconds)[0] for run in counts] or [None] * len(monitors)
    return [((a[0] - b[0]) / 1e6 / wall, pb.ms_per_s_by_thread(b[1], a[1], wall), (a[2] - b[2]) / 1024 / wall, k)
            for b, a, k in zip(before, after, kernel)]


def line(label, result):
    ms, threads, sse, kernel = result
    per = ", ".join(f"{n} {v:.2f}" for n, v in sorted(threads.items(), key=lambda i: -i[1]) if v >= 0.005)
    counted = ("  " + ", ".join(f"{event.split(':')[1]} {sum(v.values()):.1f}/s" for event, v in kernel.items())
               if kernel else "")
    return f"{label:6s} {ms:.2f} ms/s  [{per}]  SSE {sse:.0f} KiB/s{counted}"


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
    runs = [("before", os.path.abspath(args.before)), ("after", os.path.abspath(args.after))]
    for _ in range(args.rounds):
        # Together: both in one measurement; else each in its own, one after the other.
        for batch in ([runs] if args.together else [[run] for run in runs]):
            results = measure(batch, os.path.abspath(args.nvml), args.dir, gpu_pids, args.seconds, args.sse,
                              args.count, args.gpus)
            for (label, _), result in zip(batch, results):
                totals[label].append(result[0])
                print(line(label, result), flush=True)
        if args.together:
            print(f"paired: {totals['after'][-1] - totals['before'][-1]:+.2f} ms/s", flush=True)
    before, after = (sum(v) / len(v) for v in (totals["before"], totals["after"]))
    print(f"mean: before {before:.2f} ms/s, after {after:.2f} ms/s ({after - before:+.2f} ms/s, "
          f"{100 * (after - before) / before:+.0f} %)")


if __name__ == "__main__":
    main()
