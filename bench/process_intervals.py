#!/usr/bin/env python3
"""What moves the whole-process figure from one minute to the next: the monitor under bench-process's load
(100 kept containers, 8 stand-in GPUs, one SSE client, one /query a second), measured in consecutive
intervals, each with its CPU per thread, what the kernel counted for it in the same interval (system
calls, io_uring file reads: the docker source's batches of cgroup files) and what a bare wake-up cost
(bench_wake_peer, 5 a second, beside it). Needs the benchmark's kept daemon
and containers (run `CMON_BENCH_KEEP=1 make bench-process` once first), perf, and root.

Usage: bench/process_intervals.py [--binary build/container-monitor] [--intervals 10] [--seconds 20]
       [--nvml build/tests/fakes/libnvidia-ml.so.1] [--wake-peer build/bench/bench_wake_peer]
       [--dir /tmp/cmon-pbench]"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import process_bench as pb  # noqa: E402


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(repo, "build", "container-monitor"))
    ap.add_argument("--nvml", default=os.path.join(repo, "build", "tests", "fakes", "libnvidia-ml.so.1"))
    ap.add_argument("--wake-peer", default=os.path.join(repo, "build", "bench", "bench_wake_peer"))
    ap.add_argument("--intervals", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--dir", default="/tmp/cmon-pbench")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--gpu-processes", type=int, default=16)
    args = ap.parse_args()
    gpu_pids = pb.kept_gpu_pids(args.dir, args.count, args.gpu_processes, "process_intervals")
    with tempfile.TemporaryDirectory() as work, \
            pb.monitor_under_load(args.binary, args.nvml, work, args.gpus, gpu_pids, args.count) as (proc, clients):
        youngest, oldest = pb.container_ages_minutes("cmon-pbench-")
        print(f"containers running for {youngest:.0f} to {oldest:.0f} minutes; {args.seconds} s per interval")
        print("| UTC | monitor CPU | cmon-sampler | main | system calls | io_uring reads | SSE | a bare wake-up |")
        print("|---|---|---|---|---|---|---|---|")
        # Bounded: it stops itself 30 s after the last interval.
        peer = subprocess.Popen([args.wake_peer, "5", str(args.intervals * args.seconds + 30)])
        try:
            for _ in range(args.intervals):
                at = time.strftime("%H:%M:%S", time.gmtime())
                before, sse0 = pb.thread_ns(proc.pid), clients.sse_bytes
                p0, w0 = pb.cpu_and_wakes(peer.pid)
                counts = pb.start_kernel_counts(proc.pid, args.seconds)
                kernel, error = pb.finish_kernel_counts(counts, args.seconds)
                after = pb.thread_ns(proc.pid)
                p1, w1 = pb.cpu_and_wakes(peer.pid)
                if kernel is None:
                    sys.exit(f"process_intervals: {error}")
                per = pb.ms_per_s_by_thread(before, after, args.seconds)
                calls, reads = (sum(kernel[e].values()) for e in pb.KERNEL_COUNTS)
                print(f"| {at} | {sum(per.values()):.2f} ms/s | {per.get('cmon-sampler', 0):.2f} | "
                      f"{sum(v for k, v in per.items() if k != 'cmon-sampler'):.2f} | {calls:.1f}/s | {reads:.1f}/s | "
                      f"{(clients.sse_bytes - sse0) / args.seconds / 1024:.1f} KiB/s | "
                      f"{(p1 - p0) / 1e3 / max(w1 - w0, 1):.0f} µs |", flush=True)
        finally:
            peer.terminate()
            peer.wait()
        if clients.errors:
            sys.exit(f"client errors: {clients.errors[:5]}")


if __name__ == "__main__":
    main()
