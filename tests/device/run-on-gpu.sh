#!/usr/bin/env bash
# The GPU device check (issue 4, "On a real GPU"): on a machine with an NVIDIA GPU, its driver and nvcc,
# builds the monitor (make build), starts it with the real libnvidia-ml.so.1 on 127.0.0.1:<free port>,
# runs a small bounded CUDA load (holds ~1 GiB, spins SMs for ~20 s, then exits by itself) and polls
# /api/v1/snapshot and /query until the load's pid shows GPU memory > 0 and SM % > 0.
# Issue 13: when Docker with the NVIDIA runtime and a local image are there, the load runs in a container
# (--gpus all --network none) and must be attributed to that container; otherwise it runs as a host process
# and must have no container. Asserts the gpu source is ok, and prints the driver version and the process
# list call and entry size (_v3 stride) the monitor chose. Everything printed also goes to one results file
# ($RESULTS, default $OUT/run-on-gpu-results.txt under the device tool, else ./run-on-gpu-results.txt).
# Only the monitor binary is built (not the tests), so a fresh 16-core machine finishes well under 5 minutes.
# Stops what it started by PID (and its container by id). Exit: 0 passed, 1 failed, 77 skipped (no GPU,
# driver or nvcc here).
#
#   tests/device/run-on-gpu.sh                 full check (from any directory)
#   tests/device/run-on-gpu.sh --compile-only  only compile the CUDA load (needs nvcc, no GPU)
# Environment: BUILD_DIR (default build), SKIP_BUILD=1 (use an existing binary), LOAD_SECONDS (default 20),
# LOAD_MIB (default 1024), WAIT_SECONDS (default 90).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
LOAD_MIB="${LOAD_MIB:-1024}"
WAIT_SECONDS="${WAIT_SECONDS:-90}"
COMPILE_ONLY=0
case "${1:-}" in
  --compile-only) COMPILE_ONLY=1 ;;
  "") ;;
  *) echo "usage: $0 [--compile-only]" >&2; exit 2 ;;
esac

RESULTS="${RESULTS:-${OUT:-$PWD}/run-on-gpu-results.txt}"
exec > >(tee "$RESULTS") 2>&1
echo "run-on-gpu.sh $(date -u +%FT%TZ) on $(hostname); results in $RESULTS"
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

NVCC="$(command -v nvcc || true)"
if [[ -z "$NVCC" && -x /usr/local/cuda/bin/nvcc ]]; then NVCC=/usr/local/cuda/bin/nvcc; fi
[[ -n "$NVCC" ]] || skip "nvcc not found (install the CUDA toolkit, or put it on PATH)"
if [[ "$COMPILE_ONLY" == 0 ]]; then
  command -v nvidia-smi >/dev/null || skip "nvidia-smi not found: no NVIDIA driver on this machine"
  nvidia-smi -L 2>/dev/null | grep -q '^GPU ' || skip "nvidia-smi lists no GPU"
  command -v python3 >/dev/null || skip "python3 not found (used to read the JSON answers)"
fi

WORK="$(mktemp -d /tmp/cmon-device.XXXXXX)"
MONITOR_PID=""
LOAD_PID=""
CONTAINER_ID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  # Only what this script started, by PID (and the one container it started, by id).
  if [[ -n "$CONTAINER_ID" ]]; then docker rm -f "$CONTAINER_ID" >/dev/null 2>&1 || true; fi
  if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then kill "$LOAD_PID" 2>/dev/null || true; fi
  if [[ -n "$MONITOR_PID" ]] && kill -0 "$MONITOR_PID" 2>/dev/null; then
    kill "$MONITOR_PID" 2>/dev/null || true
    wait "$MONITOR_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the CUDA load: bounded by its own wall clock ----------------------------------------------------
cat > "$WORK/load.cu" <<'CUDA'
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

// Spins for about `cycles` clocks so the SMs stay busy between launches.
__global__ void spin(float* data, size_t n, long long cycles) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    long long start = clock64();
    float x = i < n ? data[i] : 0.f;
    while (clock64() - start < cycles) x = x * 0.999f + 1.f;
    if (i < n) data[i] = x;
}

int main(int argc, char** argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 20;
    size_t mib = argc > 2 ? strtoull(argv[2], nullptr, 10) : 1024;
    size_t bytes = mib << 20;
    float* data = nullptr;
    if (cudaMalloc(&data, bytes) != cudaSuccess) { fprintf(stderr, "cudaMalloc failed\n"); return 1; }
    cudaMemset(data, 0, bytes);
    size_t n = bytes / sizeof(float);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        spin<<<1024, 256>>>(data, n < 1024 * 256 ? n : 1024 * 256, 50000000LL);
        if (cudaDeviceSynchronize() != cudaSuccess) { fprintf(stderr, "kernel failed\n"); return 1; }
    }
    cudaFree(data);
    printf("load done\n");
    return 0;
}
CUDA
# Static C++ runtime, so the load also runs in a minimal container image (the NVIDIA runtime adds libcuda).
"$NVCC" -O2 -cudart static -Xcompiler -static-libstdc++,-static-libgcc -o "$WORK/load" "$WORK/load.cu" ||
  "$NVCC" -O2 -o "$WORK/load" "$WORK/load.cu" || fail "nvcc could not compile the load"
if [[ "$COMPILE_ONLY" == 1 ]]; then
  echo "compiled the CUDA load with $NVCC (--compile-only: nothing run)"
  exit 0
fi

# --- build and start the monitor -----------------------------------------------------------------------
cd "$REPO_ROOT"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  build_start=$SECONDS
  make "$BUILD_DIR/build.ninja" BUILD_DIR="$BUILD_DIR" >/dev/null
  cmake --build "$BUILD_DIR" --target container-monitor -j "$(nproc)" || make build BUILD_DIR="$BUILD_DIR"
  echo "built the monitor in $((SECONDS - build_start)) s"
fi
BINARY="$REPO_ROOT/$BUILD_DIR/container-monitor"
[[ -x "$BINARY" ]] || fail "no binary at $BINARY"
"$BINARY" --bind 127.0.0.1 --port 0 --interval 0.5 --idle-pause 0 --show-cmdline >"$WORK/monitor.log" 2>&1 &
MONITOR_PID=$!
BASE=""
for _ in $(seq 1 100); do
  BASE="$(grep -o 'serving on http://127\.0\.0\.1:[0-9]*' "$WORK/monitor.log" | head -n1 | sed 's/^serving on //' || true)"
  [[ -n "$BASE" ]] && break
  kill -0 "$MONITOR_PID" 2>/dev/null || { cat "$WORK/monitor.log" >&2; fail "the monitor exited"; }
  sleep 0.2
done
[[ -n "$BASE" ]] || { cat "$WORK/monitor.log" >&2; fail "the monitor did not start"; }

# --- run the load (in a GPU container when possible) and watch for it ----------------------------------------
IMAGE=""
if command -v docker >/dev/null && docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q nvidia; then
  IMAGE="$(docker image ls --format '{{.Repository}}:{{.Tag}}' 2>/dev/null |
           grep -E '^(nvidia/cuda|ubuntu|debian|busybox)[:]' | grep -v '<none>' | head -n1 || true)"
fi
if [[ -n "$IMAGE" ]]; then
  CONTAINER_ID="$(docker run -d --gpus all --network none -v "$WORK:/w:ro" "$IMAGE" /w/load "$LOAD_SECONDS" "$LOAD_MIB")" ||
    fail "docker run --gpus all failed"
  LOAD_PID="$(docker inspect -f '{{.State.Pid}}' "$CONTAINER_ID")"
  [[ "$LOAD_PID" -gt 0 ]] || fail "the load container did not start"
  echo "monitor pid $MONITOR_PID at $BASE; CUDA load in container ${CONTAINER_ID:0:12} ($IMAGE), host pid $LOAD_PID"
else
  "$WORK/load" "$LOAD_SECONDS" "$LOAD_MIB" >"$WORK/load.log" 2>&1 &
  LOAD_PID=$!
  echo "monitor pid $MONITOR_PID at $BASE; CUDA load as a host process, pid $LOAD_PID (no Docker with the NVIDIA runtime and a local image)"
fi
echo "load: ${LOAD_MIB} MiB, ${LOAD_SECONDS} s"

check() {
  python3 - "$BASE" "$LOAD_PID" "$CONTAINER_ID" <<'PY'
import json, sys, urllib.request
base, pid, container = sys.argv[1], int(sys.argv[2]), sys.argv[3]
get = lambda path: json.load(urllib.request.urlopen(base + path, timeout=5))
snap = get("/api/v1/snapshot")
query = get("/query")
procs = [p for p in snap.get("gpu_processes", []) if p.get("pid") == pid]
gpu_src = next((s for s in snap.get("sources", []) if s.get("name") == "gpu"), {})
ok = any(p.get("memory_used_bytes", 0) > 0 and p.get("sm_percent", 0) > 0 for p in procs)
if ok and gpu_src.get("ok") is not True:
    print(f"FAIL: the gpu source is not ok: {gpu_src}")
    sys.exit(2)
if ok:
    p0 = next(p for p in procs if p.get("memory_used_bytes", 0) > 0 and p.get("sm_percent", 0) > 0)
    if container and p0.get("container_id") != container:
        print(f"FAIL: pid {pid} attributed to {p0.get('container_id')!r}, expected container {container}")
        sys.exit(2)
    if not container and p0.get("container_id"):
        print(f"FAIL: host pid {pid} attributed to container {p0['container_id']}")
        sys.exit(2)
    note = gpu_src.get("note", "")
    if "entries" not in note:
        print(f"FAIL: the gpu source note does not say which process call and stride were chosen: {note!r}")
        sys.exit(2)
    drivers = sorted({g.get("driver_version") for g in snap["gpus"] if g.get("driver_version")})
    print(f"driver version {', '.join(drivers) or '?'}; chosen: {note}")
    print(f"attributed to: {p0.get('container_id') or 'host process'}; degraded: "
          f"{gpu_src.get('warnings', [])}")
    p = next(p for p in procs if p.get("memory_used_bytes", 0) > 0 and p.get("sm_percent", 0) > 0)
    gpu = next((g for g in snap["gpus"] if g["index"] == p["gpu_index"]), {})
    q = next((g for g in query["host-stats"]["gpu"] if g["id"] == p["gpu_index"]), {})
    print(f"PASS: pid {pid} on GPU {p['gpu_index']} ({gpu.get('name')}): "
          f"{p['memory_used_bytes'] / 2**20:.0f} MiB, SM {p['sm_percent']} %, command {p.get('command')!r}")
    print(f"      /query GPU {q.get('id')}: util {q.get('util-perc')} %, memory {q.get('mem-used/total')} "
          f"({q.get('mem-perc-used')} %); gpu source ok={gpu_src.get('ok')}")
    sys.exit(0)
print(f"waiting: pid {pid} entries {procs}; gpu source {gpu_src}", file=sys.stderr)
sys.exit(1)
PY
}

deadline=$((SECONDS + WAIT_SECONDS))
passed=0
while (( SECONDS < deadline )); do
  rc=0
  check 2>"$WORK/last-wait.txt" || rc=$?
  if (( rc == 0 )); then passed=1; break; fi
  (( rc == 2 )) && fail "an assertion failed (above)"
  kill -0 "$LOAD_PID" 2>/dev/null || [[ -n "$CONTAINER_ID" ]] || break
  sleep 1
done
echo "--- nvidia-smi"
nvidia-smi --query-compute-apps=pid,used_memory --format=csv || true
if (( passed == 0 )); then
  cat "$WORK/last-wait.txt" >&2 || true
  echo "--- monitor log" >&2; tail -n 20 "$WORK/monitor.log" >&2 || true
  echo "--- load log" >&2; cat "$WORK/load.log" >&2 2>/dev/null || true
  if [[ -n "$CONTAINER_ID" ]]; then docker logs "$CONTAINER_ID" >&2 || true; fi
  fail "the load's pid never showed memory > 0 and SM % > 0 within ${WAIT_SECONDS} s"
fi
exit 0
