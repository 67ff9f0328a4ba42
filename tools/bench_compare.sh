#!/usr/bin/env bash
# Compares two raftsim builds on the kernel, raft, queue and explore benchmarks in one sitting,
# alternating the two binaries run by run (A B, B A, A B, ...) so drift of the machine's speed
# falls on both. Prints a markdown table of each headline rate: the median of ROUNDS runs each.
#   bash tools/bench_compare.sh OLD_RAFTSIM NEW_RAFTSIM [ROUNDS] > results/x.md
# Needs python3 (for the JSON) and the repository's scenarios/ (bench explore reads them).
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
rounds=${3:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# bench explore reads scenarios/ and writes results/ under the working directory.
ln -s "$repo/scenarios" "$work/scenarios"
mkdir -p "$work/results"

run() {  # run LABEL BINARY ROUND
  local label=$1 binary=$2 round=$3
  (cd "$work" && "$binary" bench kernel --json >"$work/$label-kernel-$round.json" 2>/dev/null)
  (cd "$work" && "$binary" bench raft --json >"$work/$label-raft-$round.json" 2>/dev/null)
  (cd "$work" && "$binary" bench queue --seeds 20 --json >"$work/$label-queue-$round.json" \
    2>/dev/null)
  (cd "$work" && "$binary" bench explore --json >"$work/$label-explore-$round.json" 2>/dev/null)
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    run old "$old" "$round"; run new "$new" "$round"
  else
    run new "$new" "$round"; run old "$old" "$round"
  fi
  echo "bench_compare: round $round of $rounds done" >&2
done

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])

def load(label, suite, r):
    return json.load(open(f"{work}/{label}-{suite}-{r}.json"))

figures = [
    ("kernel", "timer events/s", lambda j: j["timer_events_per_s"]),
    ("kernel", "delivery events/s", lambda j: j["delivery_events_per_s"]),
    ("kernel", "messages/s", lambda j: j["messages_per_s"]),
    ("raft", "messages/s (5 nodes)", lambda j: j["messages_per_s"]),
    ("raft", "events/s (5 nodes)", lambda j: j["events_per_s"]),
    ("queue", "operations/wall s (3 nodes)", lambda j: j["throughput"][0]["operations_per_wall_s"]),
    ("queue", "operations/wall s (5 nodes)", lambda j: j["throughput"][1]["operations_per_wall_s"]),
]
def explore_rows(j):
    rows = j["runs"] if isinstance(j, dict) and "runs" in j else j
    return rows
print("| suite | figure | before (median) | after (median) | after/before |")
print("|---|---|---|---|---|")
for suite, name, get in figures:
    before = statistics.median(get(load("old", suite, r)) for r in range(1, rounds + 1))
    after = statistics.median(get(load("new", suite, r)) for r in range(1, rounds + 1))
    print(f"| {suite} | {name} | {before:,.0f} | {after:,.0f} | {after / before:.3f} |")
# explore: distinct states per second of each run in the bench
sample = load("old", "explore", 1)
runs = sample["runs"] if isinstance(sample, dict) else sample
for i, run in enumerate(runs):
    key = "distinct_states_per_s"
    before = statistics.median(
        (load("old", "explore", r)["runs"] if isinstance(sample, dict) else load("old", "explore", r))[i][key]
        for r in range(1, rounds + 1))
    after = statistics.median(
        (load("new", "explore", r)["runs"] if isinstance(sample, dict) else load("new", "explore", r))[i][key]
        for r in range(1, rounds + 1))
    label = run.get("run", run.get("scenario", str(i)))
    print(f"| explore | distinct states/s: {label} | {before:,.0f} | {after:,.0f} | {after / before:.3f} |")
PY
