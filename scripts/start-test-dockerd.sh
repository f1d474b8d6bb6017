#!/usr/bin/env bash
# Starts a private dockerd for tests under DIR (keep DIR short: unix socket paths are limited to 108 chars).
# No iptables, no bridge, vfs storage: it leaves the host's networking and any system dockerd alone.
# Prints the DOCKER_HOST (unix://DIR/docker.sock) on stdout when the daemon answers.
# Usage: start-test-dockerd.sh DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/docker.sock"
if (( ${#sock} > 100 )); then
    echo "start-test-dockerd: socket path too long (${#sock} chars): $sock" >&2
    exit 2
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "start-test-dockerd: installing docker.io" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq docker.io >&2
fi

host="unix://$sock"
if [[ -f "$dir/dockerd.pid" ]] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null \
    && docker -H "$host" version >/dev/null 2>&1; then
    echo "$host"
    exit 0
fi

mkdir -p "$dir/data" "$dir/exec"
# setsid: the daemon must outlive this script and not get the test runner's signals.
setsid dockerd --iptables=false --ip-forward=false --bridge=none --storage-driver=vfs \
    --data-root "$dir/data" --exec-root "$dir/exec" -H "$host" --pidfile "$dir/dockerd.pid" \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
daemon_pid=$!

deadline=$((SECONDS + 30))
until docker -H "$host" version >/dev/null 2>&1; do
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        echo "start-test-dockerd: dockerd exited; last log lines:" >&2
        tail -n 20 "$dir/dockerd.log" >&2 || true
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "start-test-dockerd: dockerd did not answer within 30 s (log: $dir/dockerd.log)" >&2
        exit 1
    fi
    sleep 0.2
done
echo "$host"
