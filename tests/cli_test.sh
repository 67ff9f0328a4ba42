#!/usr/bin/env bash
# The raftsim CLI's exit codes and outputs (DESIGN.md, "Exit codes"): usage errors are 2 with a
# message, successful runs are 0 with one JSON object under --json, and a demo replays itself.
set -uo pipefail
raftsim=${1:?usage: cli_test.sh PATH/TO/raftsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
expect_exit() {  # expected-code description command...
  local expected=$1 description=$2
  shift 2
  "$@" >"$out/stdout" 2>"$out/stderr"
  local code=$?
  if [ "$code" -ne "$expected" ]; then
    echo "FAIL: $description: exit $code, expected $expected"; cat "$out/stderr"
    failures=$((failures + 1))
  else
    echo "ok: $description"
  fi
}
expect_exit 2 "no command" "$raftsim"
expect_exit 2 "unknown command" "$raftsim" frobnicate
expect_exit 2 "bad option value" "$raftsim" demo --seed notanumber
expect_exit 2 "unknown option" "$raftsim" demo --no-such-option
expect_exit 2 "unknown bench suite" "$raftsim" bench nothing
expect_exit 0 "help" "$raftsim" --help
expect_exit 0 "raft demo with --json" "$raftsim" demo --json --seed 3 --out "$out/raft"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verdict"]=="pass" and r["deterministic"], r' "$out/stdout" \
  || { echo "FAIL: raft demo JSON"; failures=$((failures + 1)); }
for f in result.json history.json trace.jsonl diagram.dot; do
  [ -s "$out/raft/$f" ] || { echo "FAIL: raft demo did not write $f"; failures=$((failures + 1)); }
done
expect_exit 0 "kernel demo" "$raftsim" demo --kernel --seed 2
grep -q "deterministic" "$out/stdout" || { echo "FAIL: kernel demo output"; failures=$((failures + 1)); }
expect_exit 0 "kernel bench, short" "$raftsim" bench kernel --seconds 0.05 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["timer_events_per_s"]>0' "$out/stdout" \
  || { echo "FAIL: bench JSON"; failures=$((failures + 1)); }
echo "cli checks: $failures failures"
[ "$failures" -eq 0 ]
