#!/usr/bin/env bash
# Stops the private dockerd started by start-test-dockerd.sh DIR and removes DIR.
# Kills only the pid in DIR/dockerd.pid (never by name), then unmounts what vfs/exec-root left behind.
# Usage: stop-test-dockerd.sh DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
if [[ ! -d "$dir" ]]; then
    exit 0
fi
dir=$(cd "$dir" && pwd)
host="unix://$dir/docker.sock"

pidfile="$dir/dockerd.pid"
if [[ -f "$pidfile" ]]; then
    pid=$(cat "$pidfile")
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        # Containers first, so their shims do not linger after the daemon is gone.
        ids=$(docker -H "$host" ps -aq 2>/dev/null || true)
        if [[ -n "$ids" ]]; then
            # shellcheck disable=SC2086
            docker -H "$host" rm -f $ids >/dev/null 2>&1 || true
        fi
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 20))
        while kill -0 "$pid" 2>/dev/null; do
            if (( SECONDS >= deadline )); then
                echo "stop-test-dockerd: dockerd $pid ignored SIGTERM, sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
                break
            fi
            sleep 0.2
        done
    fi
fi

# Deepest mounts first (sort -r on the path).
mounts=$(awk -v prefix="$dir/" 'index($5, prefix) == 1 {print $5}' /proc/self/mountinfo | sort -r)
for mnt in $mounts; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
done
rm -rf "$dir"
