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
# raftsim render: the raft demo's trace back into pictures; bad input is exit 2, no Graphviz exit 3.
trace="$out/raft/trace.jsonl"
expect_exit 2 "render: missing trace" "$raftsim" render "$out/nope.jsonl" -o "$out/r.svg"
grep -q "nope.jsonl: cannot open the trace file: No such file or directory" "$out/stderr" || { echo "FAIL: render missing-file message"; failures=$((failures + 1)); }
expect_exit 2 "render: no -o" "$raftsim" render "$trace"
expect_exit 2 "render: unknown output extension" "$raftsim" render "$trace" -o "$out/r.jpg"
grep -q "unknown picture format" "$out/stderr" || { echo "FAIL: render extension message"; failures=$((failures + 1)); }
head -2 "$trace" >"$out/bad.jsonl"; echo '{"n":2,"t_ns":' >>"$out/bad.jsonl"
expect_exit 2 "render: bad JSONL line" "$raftsim" render "$out/bad.jsonl" -o "$out/r.svg"
grep -q "bad.jsonl: line 3, column 15: unexpected end of input" "$out/stderr" || { echo "FAIL: render bad-line message"; cat "$out/stderr"; failures=$((failures + 1)); }
expect_exit 2 "render: bad --rows-max" "$raftsim" render "$trace" -o "$out/r.svg" --rows-max 0
expect_exit 0 "render: svg" "$raftsim" render "$trace" -o "$out/r.svg" --focus-ms 1500
for f in r.svg r.dot; do
  [ -s "$out/$f" ] || { echo "FAIL: render did not write $f"; failures=$((failures + 1)); }
done
grep -q "clients (n5+)" "$out/r.dot" || { echo "FAIL: render inferred no clients lane"; failures=$((failures + 1)); }
expect_exit 0 "render: png with highlight" "$raftsim" render "$trace" -o "$out/r.png" --highlight 'c0#3' 'c1#4' --no-fold-heartbeats
head -c 8 "$out/r.png" | grep -q PNG || { echo "FAIL: render png"; failures=$((failures + 1)); }
expect_exit 0 "render: dot only, twice" "$raftsim" render "$trace" -o "$out/d1.dot" --nodes 5 --show-timers
"$raftsim" render "$trace" -o "$out/d2.dot" --nodes 5 --show-timers >/dev/null
cmp -s "$out/d1.dot" "$out/d2.dot" || { echo "FAIL: render is not deterministic"; failures=$((failures + 1)); }
expect_exit 3 "render: Graphviz missing" env PATH=/nonexistent "$raftsim" render "$trace" -o "$out/g.svg"
grep -q "Graphviz 'dot' cannot be run" "$out/stderr" || { echo "FAIL: render Graphviz message"; failures=$((failures + 1)); }
[ -s "$out/g.dot" ] || { echo "FAIL: render without Graphviz kept no DOT"; failures=$((failures + 1)); }
# raftsim bench queue, very briefly: the JSON carries both measurements and every run passed.
expect_exit 0 "queue bench, short" "$raftsim" bench queue --seconds 0.2 --seeds 3 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r["throughput"]; v=r["recovery"]
assert r["all_runs_pass"] and [x["nodes"] for x in t]==[3,5] and [x["nodes"] for x in v]==[3,5], r
assert all(x["jobs_per_virtual_s"]>0 and x["jobs_per_wall_s"]>0 and "enqueues_per_virtual_s" in x and "operations_per_wall_s" in x for x in t), t
assert all(x["seeds"]==3 and x["failures"]==0 and "p99_ms" in x["to_stable_leader"] and "max_ms" in x["to_acknowledged_operation"] for x in v), v' "$out/stdout" \
  || { echo "FAIL: queue bench JSON"; failures=$((failures + 1)); }
# The bug catalogue, fuzz campaigns, shards, merging and shrinking.
expect_exit 0 "bugs" "$raftsim" bugs
[ "$(grep -c . "$out/stdout")" -eq 20 ] || { echo "FAIL: bugs lists 20 bugs"; failures=$((failures + 1)); }
expect_exit 2 "run: unknown --bug" "$raftsim" run --bug vote-ignore-log "$out/nope.json"
grep -q "did you mean 'vote-ignores-log'" "$out/stderr" || { echo "FAIL: --bug hint"; failures=$((failures + 1)); }
expect_exit 2 "fuzz: bad --shard" "$raftsim" fuzz --shard 3/2
expect_exit 2 "fuzz: --runs and --time" "$raftsim" fuzz --runs 3 --time 1
expect_exit 0 "fuzz: clean shard 0/2" "$raftsim" fuzz --runs 16 --shard 0/2 --out "$out/f0" --json
expect_exit 0 "fuzz: clean shard 1/2" "$raftsim" fuzz --runs 16 --shard 1/2 --out "$out/f1"
expect_exit 0 "fuzz: merge shards" "$raftsim" fuzz --merge "$out/f0" "$out/f1" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["runs"]==16 and r["failures"]==[] and r["coverage"]["faults_observed"]>0, r' "$out/stdout" \
  || { echo "FAIL: merged campaign JSON"; failures=$((failures + 1)); }
expect_exit 1 "fuzz: finds vote-ignores-log" "$raftsim" fuzz --runs 200 --bug vote-ignores-log --out "$out/fb" --shrink-runs-max 60
min=$(ls "$out"/fb/failure-*/min.json | head -1)
[ -s "$min" ] && [ -s "${min%.json}.dot" ] || { echo "FAIL: fuzz wrote no shrunk scenario or diagram"; failures=$((failures + 1)); }
expect_exit 0 "run: the shrunk failure meets its expectation" "$raftsim" run "$min"
expect_exit 1 "run: with --bug none it no longer fails" "$raftsim" run "$min" --bug none
expect_exit 0 "shrink: a failing replay" "$raftsim" shrink "$(dirname "$min")/replay.json" --out "$out/min2.json" --runs-max 60 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["faults"][1]<=r["faults"][0], r' "$out/stdout" \
  || { echo "FAIL: shrink JSON"; failures=$((failures + 1)); }
expect_exit 2 "shrink: a passing scenario" "$raftsim" shrink "$out/min2.json" --bug none --out "$out/min3.json"
# The usage text comes from the command table: each command it lists answers --help with exit 0.
"$raftsim" --help >"$out/usage" || { echo "FAIL: raftsim --help"; failures=$((failures + 1)); }
listed=$(grep -oE '^  [a-z]+ ' "$out/usage" | tr -d ' ')
[ "$(echo "$listed" | wc -l)" -ge 10 ] || { echo "FAIL: usage lists $(echo $listed)"; failures=$((failures + 1)); }
for name in $listed; do
  "$raftsim" "$name" --help >/dev/null 2>&1 || { echo "FAIL: raftsim $name --help"; failures=$((failures + 1)); }
  "$raftsim" help "$name" >/dev/null 2>&1 || { echo "FAIL: raftsim help $name"; failures=$((failures + 1)); }
done
echo "cli checks: $failures failures"
[ "$failures" -eq 0 ]
