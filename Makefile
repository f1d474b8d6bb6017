# The README's two commands: `make run` and `make test`. Each installs what it needs first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
PORT      ?= 727
ARGS      ?=
# Warnings are errors in CI (CI=true) and warnings elsewhere.
WERROR    ?= $(if $(CI),ON,OFF)
JOBS      ?= $(shell nproc)

export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_DIR ?= $(HOME)/.cache/ccache

CMAKE_FLAGS = -G Ninja -DCMON_WERROR=$(WERROR)

.PHONY: all deps test-deps build build-asan run test unit bench bench-history bench-containers bench-load bench-fleet bench-process clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMON_WERROR=OFF -DCMAKE_BUILD_TYPE=Debug -DCMON_SANITIZE=ON -DCMON_BUILD_BENCH=OFF

# Builds only (no installs): the binary is build/container-monitor.
build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Sets up, builds and starts the dashboard on the default port (727 needs root: `make run PORT=8727`).
# Builds only the binary and what it embeds (the web assets), not the tests and benchmarks.
run: deps
	@$(MAKE) --no-print-directory $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target container-monitor
	./$(BUILD_DIR)/container-monitor --port $(PORT) $(ARGS)

# Sets up, builds and runs every test: the whole suite on the normal build, then the unit tests and the
# in-process `system` ones (sockets, child processes, real clocks: tests/unit/CMakeLists.txt) again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-deps
	@$(MAKE) --no-print-directory build build-asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -L '^(unit|system)$$' -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The hermetic tests only: nothing outside the process, no waits (ctest label `unit`).
unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit -j $(JOBS)

bench: build
	./$(BUILD_DIR)/bench/bench_host_sample

# A day of history in memory: bytes per container-hour and RSS after 24 h (docs/performance.md).
bench-history: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_history
	./$(BUILD_DIR)/bench/bench_history 24 100 8 16

# One container sample at 40 and 100 containers against `docker stats --no-stream` on a private dockerd
# (as root; starts and removes its own daemon and containers). docs/performance.md records the numbers.
bench-containers: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target bench_container_sample
	bench/compare_docker_stats.sh $(BUILD_DIR)

# Requests/s of /query, /api/v1/snapshot, /metrics (wrk, monitor on one core), RSS with 1000 SSE clients,
# CPU per sample (with the containers of $$DOCKER_HOST, if set). docs/performance.md records the numbers.
bench-load: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target container-monitor
	bench/load_bench.sh $(BUILD_DIR)

# `container-monitor fleet` on a Prometheus backfilled with 50 servers x 8 GPUs x 40 containers of
# synthetic series (promtool tsdb create-blocks-from openmetrics). docs/performance.md records the numbers.
bench-fleet: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target container-monitor
	bench/fleet_bench.py $(BUILD_DIR)

# The whole monitor for a minute at 100 containers, 8 stand-in GPUs with 16 GPU processes, one SSE client and
# one /query per second: CPU of all its threads, RSS, the Docker daemons' extra CPU, and `docker stats
# --no-stream` in the same run (as root; PERF=1 adds where the time goes). docs/performance.md records it.
bench-process: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target container-monitor fake_nvml bench_wake_peer
	bench/process_bench.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)

# Installs the binary, the systemd unit, the docs and /etc/default/container-monitor (kept if present):
# `make install` (as root; PREFIX=/usr by default, DESTDIR honoured). `make package` builds the Debian
# package $(BUILD_DIR)/container-monitor_<version>_amd64.deb (docs/deployment.md).
PREFIX ?= /usr

.PHONY: install package

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix $(PREFIX) --strip

package: build
	cd $(BUILD_DIR) && cpack -G DEB
