#!/usr/bin/env bash
# After `raftsim bench bugs`: copies the shrunk failures it wrote (results/bugs/<bug>.json) into
# scenarios/bugs/ (each names its bug and expects its checker to fail), and writes for each one
# scenarios/regressions/<bug>-fixed.json: the same scenario with the bug off, expected to pass.
#   bash tools/update_bug_scenarios.sh [RESULTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-results}
mkdir -p scenarios/bugs scenarios/regressions
for file in "$results"/bugs/*.json; do
  name=$(basename "$file" .json)
  cp "$file" "scenarios/bugs/$name.json"
  python3 - "$file" "scenarios/regressions/$name-fixed.json" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
bug = scenario.pop("bug")
scenario["name"] = bug + "-fixed"
scenario["description"] = ("Regression: the shrunk failure of bug " + bug + " (scenarios/bugs/" +
                           bug + ".json) with the bug off. Every check must pass.")
scenario["expect"] = {"verdict": "pass"}
json.dump(scenario, open(sys.argv[2], "w"), indent=2)
open(sys.argv[2], "a").write("\n")
PY
  echo "scenarios/bugs/$name.json, scenarios/regressions/$name-fixed.json"
done
