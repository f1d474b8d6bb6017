#!/usr/bin/env bash
# Imports a tiny busybox image (cmon-test/busybox:latest) into a daemon: /bin/busybox from busybox-static
# plus one symlink per applet. No registry access. Idempotent: does nothing if the image exists.
# Usage: make-test-image.sh DOCKER_HOST     (e.g. unix:///tmp/cmon-it-1/docker.sock)
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DOCKER_HOST" >&2
    exit 2
fi
host=$1
image="cmon-test/busybox:latest"

if docker -H "$host" image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi

# busybox-static's /bin/busybox needs no libraries inside the image.
if ! dpkg -s busybox-static >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq busybox-static >&2
fi
busybox=/bin/busybox

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [[ "$applet" == busybox ]] && continue
    ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
tar -C "$root" -c . | docker -H "$host" import --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
