#!/usr/bin/env bash
# Load benchmark of the monitor (issue 8): requests/s of /query, /api/v1/snapshot and /metrics with wrk on
# loopback, the monitor pinned to one core (taskset) and wrk to another; the monitor's RSS with 1000 SSE
# clients on /api/v1/events (bench/sse_clients.py); and, when DOCKER_HOST names a daemon with running
# containers, the monitor's CPU time per sample from /proc/<pid>/stat with a short --interval while a client
# keeps it awake. Prints a Markdown table. Stops the monitor it started by its pid.
#
# Usage: bench/load_bench.sh [BUILD_DIR]        (make bench-load)
# Environment: DURATION=10 (s per wrk run)  CONNECTIONS=50  SSE_CLIENTS=1000  SAMPLE_SECONDS=20
#              SAMPLE_INTERVAL=0.25  DOCKER_HOST (optional: daemon for the per-sample CPU figure)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
bin=$build/container-monitor
duration=${DURATION:-10}
connections=${CONNECTIONS:-50}
sse_clients=${SSE_CLIENTS:-1000}
sample_seconds=${SAMPLE_SECONDS:-20}
sample_interval=${SAMPLE_INTERVAL:-0.25}

if [[ ! -x "$bin" ]]; then
    echo "load_bench: $bin missing (cmake --build $build --target container-monitor)" >&2
    exit 2
fi
if ! command -v wrk >/dev/null 2>&1; then
    echo "load_bench: installing wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
ncpu=$(nproc)
monitor_cpu=0
client_cpus=$(if ((ncpu > 1)); then echo "1-$((ncpu - 1))"; else echo 0; fi)

work=$(mktemp -d)
monitor_pid=
stop_monitor() {
    if [[ -n "$monitor_pid" ]] && kill -0 "$monitor_pid" 2>/dev/null; then
        kill -TERM "$monitor_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$monitor_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$monitor_pid" 2>/dev/null || true
    fi
    monitor_pid=
}
trap 'stop_monitor; rm -rf "$work"' EXIT

# Starts the monitor on one core, bound to loopback on a free port; sets monitor_pid and port.
start_monitor() {
    : >"$work/monitor.log"
    taskset -c "$monitor_cpu" "$bin" --bind 127.0.0.1 --port 0 "$@" >"$work/monitor.log" 2>&1 &
    monitor_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's#.*serving on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$work/monitor.log" | head -1)
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "load_bench: the monitor did not start; log:" >&2
        cat "$work/monitor.log" >&2
        exit 1
    fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

echo "machine: $ncpu CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r);" \
    "monitor on CPU $monitor_cpu, wrk ($connections connections, ${duration} s, 1 thread) on CPUs $client_cpus;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| what | result |"
echo "|---|---|"

# 1. Requests/s. --idle-pause 0 keeps sampling (the server answers from the published snapshot).
start_monitor --interval 1 --idle-pause 0
sleep 2
for path in /query /api/v1/snapshot /metrics; do
    t0=$(cpu_ticks "$monitor_pid")
    out=$(taskset -c "$client_cpus" wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port$path")
    t1=$(cpu_ticks "$monitor_pid")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    latency=$(awk '$1 == "Latency" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
    # Requests per second of the monitor's own CPU time: what one dedicated core would serve, even when
    # the pinned core is shared with other work.
    per_cpu_s=$(awk -v n="$requests" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (t > 0) printf "%.0f", n / (t / hz); else print "n/a" }')
    # How busy the monitor's core was: near 100 % means the monitor was the bottleneck; far below, the
    # client (or other load on the machine) was, and each request also paid the monitor's wake-ups.
    busy=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v d="$duration" 'BEGIN { printf "%.0f", 100 * t / hz / d }')
    echo "| \`GET $path\` | ${rps} req/s wall; ${per_cpu_s} requests per CPU-second of the monitor" \
        "(monitor busy ${busy} %); mean latency ${latency}${errors:+; $errors} |"
done
echo "| RSS after the wrk runs | $(rss_kib "$monitor_pid") KiB |"
stop_monitor

# 2. RSS with SSE clients.
start_monitor --interval 1 --idle-pause 0
sleep 2
sse=$(taskset -c "$client_cpus" python3 "$repo/bench/sse_clients.py" --port "$port" --pid "$monitor_pid" \
    --clients "$sse_clients" --timeout 120 || true)
python3 - "$sse" "$sse_clients" <<'PY'
import json, sys
r = json.loads(sys.argv[1]) if sys.argv[1] else {}
if not r:
    print(f"| RSS with {sys.argv[2]} SSE clients on /api/v1/events | the client failed |")
else:
    print(f"| RSS with {r['clients']} SSE clients on /api/v1/events | {r['rss_kib'] / 1024:.1f} MiB "
          f"({r['rss_kib_before'] / 1024:.1f} MiB before; {r['connected']} connected, "
          f"{r['first_event']} got their first event) |")
PY
stop_monitor

# 3. CPU per sample (with the containers DOCKER_HOST has, if any).
containers=0
if [[ -n "${DOCKER_HOST:-}" ]]; then
    containers=$(docker ps -q | wc -l)
fi
start_monitor --interval "$sample_interval" --idle-pause 0
sleep 2
t0=$(cpu_ticks "$monitor_pid")
start=$(date +%s.%N)
sleep "$sample_seconds"
t1=$(cpu_ticks "$monitor_pid")
end=$(date +%s.%N)
python3 - "$t0" "$t1" "$start" "$end" "$sample_interval" "$containers" <<'EOF'
import os, sys
t0, t1, start, end, interval, containers = sys.argv[1:]
ticks = int(t1) - int(t0)
samples = (float(end) - float(start)) / float(interval)
cpu_ms = ticks / os.sysconf("SC_CLK_TCK") * 1e3
print(f"| monitor CPU per sample, {containers} containers (--interval {interval}, {samples:.0f} samples) | "
      f"{cpu_ms / samples:.2f} ms (host + containers + GPU sources, publishing; 10 ms tick resolution over the run) |")
EOF
stop_monitor
