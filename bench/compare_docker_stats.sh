#!/usr/bin/env bash
# One full container sample (ContainerSource: Docker list + cgroup files) against `docker stats --no-stream`
# on the same containers, in the same run, with 40 and with 100 running containers.
#
# Starts a private dockerd (scripts/start-test-dockerd.sh, no bridge, no iptables), imports the
# cmon-test/busybox image, starts the containers with --network none running a bounded `sleep`, runs
# bench_container_sample (process CPU time per sample) and `docker stats --no-stream` (CLI CPU + Docker
# daemons' CPU from /proc/<pid>/stat), prints a Markdown table with the ratios, then removes every container
# and stops the daemon by its pidfile.
#
# Usage: bench/compare_docker_stats.sh [BUILD_DIR]        (make bench-containers)
# Environment: COUNTS="40 100"  RUNS=5 (docker stats runs per count)  CMON_BENCH_DIR=/tmp/cmon-bench
#              CMON_BENCH_KEEP=1 keeps the daemon and containers for another run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
bench_bin=$build/bench/bench_container_sample
counts=${COUNTS:-40 100}
runs=${RUNS:-5}
dir=${CMON_BENCH_DIR:-/tmp/cmon-bench}
prefix=cmon-bench-

if [[ ! -x "$bench_bin" ]]; then
    echo "compare_docker_stats: $bench_bin missing (cmake --build $build --target bench_container_sample)" >&2
    exit 2
fi

results=$(mktemp -d)
cleanup() {
    rm -rf "$results"
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

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
    "cgroup $(if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then echo v2; elif [[ -d /sys/fs/cgroup/unified ]]; then
        echo 'v1 (hybrid)'; else echo v1; fi), dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)," \
    "docker CLI $(docker version --format '{{.Client.Version}}' 2>/dev/null)"

for n in $counts; do
    echo "== $n containers" >&2
    start_containers "$prefix" "$n"
    python3 "$repo/bench/docker_stats_compare.py" measure --count "$n" --runs "$runs" \
        --daemon-pids "$(daemon_pids "$dir")" --bench "$bench_bin" --out "$results/$n.json"
done

files=()
for n in $counts; do
    files+=("$results/$n.json")
done
python3 "$repo/bench/docker_stats_compare.py" report "${files[@]}"
