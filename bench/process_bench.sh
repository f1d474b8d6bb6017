#!/usr/bin/env bash
# The whole monitor as a user pays for it: the real binary at --interval 1 for a minute with 100 running
# containers (a private dockerd, as compare_docker_stats.sh starts it), 8 GPUs from the stand-in NVML with
# 16 GPU processes (the init processes of 16 of the containers, so attribution does its real work), one SSE
# client on /api/v1/events?delta=1 (the stream the page opens) and one GET /query per second. Measures the CPU of all the monitor's threads,
# its RSS, and the Docker daemons' CPU against a baseline minute without the monitor; then
# `docker stats --no-stream` on the same containers in the same run. Prints ms of CPU per second of
# monitoring against the target (1.5 ms/s) and the ratio to `docker stats`. With PERF=1 it also counts
# the monitor's system calls and io_uring file reads per thread during the measured minute (perf stat on
# two tracepoints) and records where its time goes after it (perf record -e cpu-clock -F 1999 --call-graph
# dwarf, 30 s), and prints both.
#
# Usage: bench/process_bench.sh [BUILD_DIR]        (make bench-process; as root)
# Environment: COUNT=100  GPUS=8  GPU_PROCESSES=16  SECONDS_MEASURED=60  DOCKER_STATS_RUNS=3  PERF=0
#              AWAKE=0: in that many of the containers a process wakes 20 times a second (a shell loop of
#              `usleep 50000`, ended by `timeout` after the run), as an idle notebook kernel or a daemon
#              does: their CPU time moves every sample, so no parent cgroup stays steady.
#              SSE=delta: the SSE client takes deltas as the page does; SSE=whole: a whole snapshot each
#              second (/api/v1/events without ?delta=1, what a script reading the stream may ask for).
#              CMON_BENCH_DIR=/tmp/cmon-pbench  CMON_BENCH_KEEP=1 keeps the daemon and containers.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
bin=$build/container-monitor
nvml=$build/tests/fakes/libnvidia-ml.so.1
# The wake-up floor's peer (bench/wake_peer.cpp); WAKE_PEER names one outside BUILD_DIR (an old binary's).
peer=${WAKE_PEER:-$build/bench/bench_wake_peer}
count=${COUNT:-100}
gpus=${GPUS:-8}
gpu_processes=${GPU_PROCESSES:-16}
measured=${SECONDS_MEASURED:-60}
stats_runs=${DOCKER_STATS_RUNS:-3}
dir=${CMON_BENCH_DIR:-/tmp/cmon-pbench}
prefix=cmon-pbench-

for file in "$bin" "$nvml" "$peer"; do
    if [[ ! -e "$file" ]]; then
        echo "process_bench: $file missing (cmake --build $build --target container-monitor fake_nvml bench_wake_peer)" >&2
        exit 2
    fi
done

work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    if [[ "${CMON_BENCH_KEEP:-0}" != 1 ]]; then
        "$repo/scripts/stop-test-dockerd.sh" "$dir" || true
    fi
}
trap cleanup EXIT

DOCKER_HOST=$("$repo/scripts/start-test-dockerd.sh" "$dir")
export DOCKER_HOST
"$repo/scripts/make-test-image.sh" "$DOCKER_HOST"
# shellcheck source=bench/docker_bench_lib.sh
source "$repo/bench/docker_bench_lib.sh"
start_containers "$prefix" "$count"
awake=${AWAKE:-0}
for i in $(seq 1 "$awake"); do
    docker exec -d "${prefix}$i" timeout "$((3 * measured + 300))" sh -c 'while :; do usleep 50000; done'
done

# The GPU processes are init processes of the first containers: /proc/<pid>/cgroup names the container.
gpu_pids=$(seq 1 "$gpu_processes" | sed "s/^/${prefix}/" | xargs docker inspect --format '{{.State.Pid}}' | paste -sd,)

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at start, dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)"

python3 "$repo/bench/process_bench.py" \
    --binary "$bin" --nvml "$nvml" --wake-peer "$peer" --gpus "$gpus" --gpu-pids "$gpu_pids" --count "$count" \
    --daemon-pids "$(daemon_pids "$dir")" --seconds "$measured" --docker-stats-runs "$stats_runs" \
    --prefix "$prefix" --work "$work" --perf "${PERF:-0}" --awake "$awake" --sse "${SSE:-delta}"
