#!/usr/bin/env bash
# The hard single-key linearizability family of issue 19, over 20 seeds: runs
# scenarios/lease-reads-16-sessions-one-key.json at 5,500 to 17,850 ms simulated (faults scaled to
# the length), then checks each run's history whole with `raftsim check`, and prints a table row
# per seed: operations, pending puts dropped and bounded, verdict, search steps, check ms, wall
# seconds and max RSS (GNU time). Results: results/linearizability.md.
#   bash tools/bench_hard_key.sh RAFTSIM OUT_DIR [SEEDS]
set -euo pipefail
raftsim=${1:?usage: bench_hard_key.sh RAFTSIM OUT_DIR [SEEDS]}
out=${2:?usage: bench_hard_key.sh RAFTSIM OUT_DIR [SEEDS]}
seeds=${3:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
echo "| seed | operations | info puts dropped | bounded | verdict | search steps | check ms | wall s | max RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for seed in $(seq 1 "$seeds"); do
  duration=$((5500 + (seed - 1) * 650))
  python3 - "$here/scenarios/lease-reads-16-sessions-one-key.json" "$seed" "$duration" \
    "$out/scenario-$seed.json" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
seed, duration = int(sys.argv[2]), int(sys.argv[3])
scale = duration / scenario["duration_ms"]
scenario.update(seed=seed, duration_ms=duration, name=f"hard-key-{seed}")
for fault in scenario["faults"]:
    fault["at_ms"] = round(fault["at_ms"] * scale)
json.dump(scenario, open(sys.argv[4], "w"), indent=1)
PY
  "$raftsim" run "$out/scenario-$seed.json" --out "$out/run-$seed" > "$out/run-$seed.log" 2>&1 || true
  /usr/bin/time -f "%e %M" -o "$out/time-$seed.txt" \
    "$raftsim" check "$out/run-$seed/history.json" --json > "$out/check-$seed.json" 2>/dev/null || true
  python3 - "$seed" "$out/check-$seed.json" "$out/time-$seed.txt" <<'PY'
import json, sys
seed, check, timing = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read().split()
partition = check["partitions"][0]
print(f"| {seed} | {check['operations']:,} | {partition['info_writes_dropped']} | "
      f"{partition['info_writes_bounded']} | {check['verdict']} | {check['search_steps']:,} | "
      f"{check['check_ms']:.1f} | {float(timing[-2]):.2f} | {int(timing[-1]) / 1024:.1f} |")
PY
done
