#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in their own build directory and runs each one for
# a bounded time on its seed corpus (tests/fuzz/seeds.txt + tests/fuzz/corpus/<target>/). Fails when any
# target crashes, leaks, hits undefined behaviour or times out; the crashing input is kept in
# <build-dir>/artifacts/. docs/fuzzing.md explains longer runs.
# Usage: run-fuzzers.sh [--build-dir DIR] [--seconds N] [--jobs N] [TARGET...]
#   --build-dir  clang build tree (default: build/fuzz-clang); configured on first use
#   --seconds    fuzzing time per target (default 6; the ctest fuzz.short uses 6)
#   --jobs       build parallelism (default 2)
#   TARGET...    only these targets (fuzz_meminfo ...); default: all
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$repo/build/fuzz-clang
seconds=6
jobs=2
only=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build-dir) build_dir=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        -*) echo "run-fuzzers: unknown option $1" >&2; exit 2 ;;
        *) only+=("$1"); shift ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "run-fuzzers: --seconds needs a positive integer" >&2; exit 2; }

for tool in clang clang++ cmake ninja; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run-fuzzers: $tool is missing (scripts/install-deps.sh test installs clang and libclang-rt-14-dev)" >&2
        exit 1
    fi
done

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo}
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "run-fuzzers: configuring $build_dir"
    CC=clang CXX=clang++ cmake -S "$repo" -B "$build_dir" -G Ninja -DCMON_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build_dir.configure.log" 2>&1 \
        || { cat "$build_dir.configure.log" >&2; exit 1; }
fi
echo "run-fuzzers: building the fuzz targets"
if ! cmake --build "$build_dir" --target cmon_fuzzers -j "$jobs" >"$build_dir/build.log" 2>&1; then
    tail -n 40 "$build_dir/build.log" >&2
    exit 1
fi

read -r -a targets <<<"$(tr ';' ' ' <"$build_dir/fuzz-targets.txt")"
if [[ ${#only[@]} -gt 0 ]]; then
    targets=("${only[@]}")
fi

# Seeds: every fixture named for the target in seeds.txt, then its hand-written corpus.
seed_corpus() {
    local target=$1 corpus=$2 pattern file
    while IFS= read -r pattern; do
        for file in $repo/$pattern; do
            [[ -f "$file" ]] || continue
            local rel=${file#"$repo/"}
            cp "$file" "$corpus/seed-${rel//\//_}"
        done
    done < <(awk -v t="$target" -F': *' '$1 == t { print $2 }' "$repo/tests/fuzz/seeds.txt")
    if [[ -d "$repo/tests/fuzz/corpus/$target" ]]; then
        cp "$repo/tests/fuzz/corpus/$target"/* "$corpus/" 2>/dev/null || true
    fi
}

mkdir -p "$build_dir/artifacts" "$build_dir/logs"
failed=()
for target in "${targets[@]}"; do
    bin=$build_dir/tests/fuzz/$target
    if [[ ! -x "$bin" ]]; then
        echo "run-fuzzers: no such target: $target" >&2
        failed+=("$target")
        continue
    fi
    corpus=$build_dir/corpus/$target
    mkdir -p "$corpus"
    seed_corpus "$target" "$corpus"
    log=$build_dir/logs/$target.log
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build_dir/artifacts/$target-" "$corpus" >"$log" 2>&1; then
        runs=$(grep -Eo '^Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || true)
        cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
        echo "run-fuzzers: $target ok (${runs:-?} runs, $cov)"
    else
        echo "run-fuzzers: $target FAILED; log $log:" >&2
        grep -E -A 30 'ERROR: |runtime error|==ERROR|deadly signal' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
        ls -1 "$build_dir/artifacts/$target-"* 2>/dev/null | sed 's/^/run-fuzzers:   input: /' >&2 || true
        failed+=("$target")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "run-fuzzers: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "run-fuzzers: all ${#targets[@]} targets ok (${seconds} s each)"
