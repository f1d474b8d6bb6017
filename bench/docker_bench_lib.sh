# Shared by the benchmark scripts that run containers on a private dockerd (source it after DOCKER_HOST is
# exported and the cmon-test/busybox image is imported).

# Starts containers PREFIX1..PREFIXN that are not running yet (4 at a time), removes those above N. Each
# sleeps at most six hours, with --network none: kept containers (CMON_BENCH_KEEP=1) need half an hour and
# more after a start before their cgroups settle, so an hour's sleep left little time to measure.
start_containers() {
    local prefix=$1 want=$2 have
    have=$(docker ps -aq --filter "name=^${prefix}" | wc -l)
    if ((have > want)); then
        # shellcheck disable=SC2046
        docker rm -f $(seq "$((want + 1))" "$have" | sed "s/^/${prefix}/") >/dev/null
        have=$want
    fi
    if ((have < want)); then
        seq "$((have + 1))" "$want" | xargs -P 4 -I{} \
            docker run -d --network none --name "${prefix}{}" cmon-test/busybox sleep 21600 >/dev/null
    fi
    # Kept from an earlier run (CMON_BENCH_KEEP=1), their sleep may have ended: start them again.
    local exited
    exited=$(docker ps -aq --filter "name=^${prefix}" --filter status=exited)
    if [[ -n "$exited" ]]; then
        # shellcheck disable=SC2086
        docker start $exited >/dev/null
    fi
    have=$(docker ps -q --filter "name=^${prefix}" | wc -l)
    if ((have != want)); then
        echo "$0: $have containers running, wanted $want" >&2
        exit 1
    fi
}

# dockerd (its pid in DIR/dockerd.pid), its children (containerd) and the shims of this daemon's
# containers, comma-separated.
daemon_pids() {
    local dir=$1 dockerd_pid child shim
    dockerd_pid=$(cat "$dir/dockerd.pid")
    local pids=("$dockerd_pid")
    for child in $(ps -o pid= --ppid "$dockerd_pid"); do
        pids+=("$child")
    done
    for shim in $(ps -eo pid=,args= | awk -v sock="$dir/exec/" '$2 ~ /containerd-shim/ && index($0, sock) {print $1}'); do
        pids+=("$shim")
    done
    local IFS=,
    echo "${pids[*]}"
}
