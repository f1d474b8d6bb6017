#!/usr/bin/env bash
# Installs what container-monitor needs on Debian 12, and nothing that is already there (fast when
# everything is present). Usage: scripts/install-deps.sh [build|test]
#   build: compiler, CMake, Ninja, ccache and the C++ libraries
#   test:  build + what the test suite runs for real: docker.io, busybox-static, prometheus (promtool),
#          chromium, Node.js/npm, clang + libclang-rt-14-dev (libFuzzer)
set -euo pipefail

mode=${1:-build}
case "$mode" in build|test) ;; *) echo "usage: $0 [build|test]" >&2; exit 2 ;; esac

build_packages=(
  g++ cmake ninja-build ccache make pkg-config git
  libboost-dev libssl-dev libcrypt-dev zlib1g-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  liburing-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_packages=(
  docker.io busybox-static iproute2 prometheus chromium curl procps python3 dpkg-dev
  systemd  # systemd-analyze verify (deploy.package)
  clang libclang-rt-14-dev  # libFuzzer (ctest fuzz.short, scripts/run-fuzzers.sh)
)

packages=("${build_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")
# Node.js and npm build the dashboard: install Debian's only when no node is on the PATH.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's prometheus package would start a server on :9090 where systemd runs; tests start their own.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1; then
  "${sudo[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
echo "install-deps: done"
