#!/usr/bin/env bash
# Runs the parser fuzzers (tests/fuzzers/) with libFuzzer, AddressSanitizer and UBSan, each for a
# bounded time, and writes a summary table.
#   bash tools/fuzz_parsers.sh [--seconds S] [--only NAME[,NAME]] [--out DIR] [--jobs J]
# Builds them with clang in build-fuzz/ (installing clang if it is missing), starts each from its
# seed folders (and the third-party histories in ../shared/external when present), and keeps the
# grown corpus in DIR/NAME/corpus. Writes DIR/summary.md. Exit 0 when no fuzzer found anything,
# 1 when one did (the input is in DIR/NAME/, and the summary names it), 2 on usage errors.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=30
only=""
out=out/fuzz-parsers
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --only) only=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    *) echo "usage: fuzz_parsers.sh [--seconds S] [--only NAME,...] [--out DIR] [--jobs J]" >&2; exit 2 ;;
  esac
done
case "$seconds$jobs" in *[!0-9]*) echo "fuzz_parsers.sh: --seconds and --jobs take whole numbers" >&2; exit 2 ;; esac
[ "$seconds" -ge 1 ] && [ "$jobs" -ge 1 ] || { echo "fuzz_parsers.sh: --seconds and --jobs must be >= 1" >&2; exit 2; }

# clang and its runtime libraries (libFuzzer, the sanitizers), from Debian.
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq clang libclang-rt-dev >/dev/null ||
    apt-get install -y -qq clang libclang-rt-14-dev >/dev/null ||
    { echo "fuzz_parsers.sh: cannot install clang and libFuzzer" >&2; exit 2; }
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DRAFTSIM_FUZZERS=ON "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null || exit 2
cmake --build build-fuzz --parallel "$jobs" >/dev/null || { echo "fuzz_parsers.sh: build failed" >&2; exit 2; }

seeds=tests/fuzzers/seeds
external=../shared/external/porcupine
declare -A corpus=(
  [strict_json]="scenarios $seeds"
  [scenario]="scenarios"
  [history_raftsim]="$seeds/history_raftsim"
  [history_porcupine]="$seeds/history_porcupine $( [ -d $external/kv ] && echo $external/kv)"
  [history_jepsen]="$seeds/history_jepsen $( [ -d $external/jepsen ] && echo $external/jepsen)"
  [queue_history]="$seeds/queue_history"
  [trace_jsonl]="$seeds/trace_jsonl"
)
names=(strict_json scenario history_raftsim history_porcupine history_jepsen queue_history trace_jsonl)
if [ -n "$only" ]; then IFS=, read -r -a names <<<"$only"; fi
for name in "${names[@]}"; do
  [ -n "${corpus[$name]+x}" ] || { echo "fuzz_parsers.sh: no fuzzer named '$name'" >&2; exit 2; }
done

mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_one() {
  local name=$1 dir="$out/$1"
  mkdir -p "$dir/corpus"
  # Seeds are read, never written: new inputs go to the first folder, the kept corpus.
  # shellcheck disable=SC2086
  # -timeout is wall time: 60 s, because a fuzzer starved of CPU on a busy machine once took 13 s
  # on an input it parses in 1.3 ms (results/fuzz-parsers.md); a real hang still shows.
  build-fuzz/tests/fuzzers/fuzz_"$name" -max_total_time="$seconds" -timeout=60 \
    -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 -artifact_prefix="$dir/" \
    "$dir/corpus" ${corpus[$name]} >"$dir/log.txt" 2>&1
  echo $? >"$dir/exit"
}
running=0
for name in "${names[@]}"; do
  echo "fuzzing $name for ${seconds}s"
  run_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

found=0
{
  echo "| fuzzer | seconds | inputs run | execs/s | corpus | coverage (edges) | finding |"
  echo "|---|---|---|---|---|---|---|"
  for name in "${names[@]}"; do
    dir="$out/$name"
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log.txt" | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/log.txt" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$dir/log.txt" | tail -1 | grep -o '[0-9]*')
    size=$(find "$dir/corpus" -type f | wc -l)
    finding=none
    artifact=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | head -1)
    if [ "$(cat "$dir/exit")" != 0 ] || [ -n "$artifact" ]; then
      found=1
      finding="exit $(cat "$dir/exit") ${artifact:-(see $dir/log.txt)}"
    fi
    echo "| $name | $seconds | ${runs:-?} | ${rate:-?} | $size | ${cov:-?} | $finding |"
  done
} >"$out/summary.md"
cat "$out/summary.md"
exit "$found"
