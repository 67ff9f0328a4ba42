#!/usr/bin/env bash
# raftsim run / validate end to end: exit codes (0 expectation met, 1 a check failed or an
# expected failure did not happen, 2 bad scenario, nothing run), result.json, the files written on
# failure, a replay of the exported timeline, and JUnit XML.
set -uo pipefail
raftsim=${1:?usage: run_cli_test.sh PATH/TO/raftsim SCENARIOS_DIR}
scenarios=${2:?usage: run_cli_test.sh PATH/TO/raftsim SCENARIOS_DIR}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() {  # expected-code description command...
  local expected=$1 description=$2
  shift 2
  "$@" >"$out/stdout" 2>"$out/stderr"
  local code=$?
  if [ "$code" -ne "$expected" ]; then
    fail "$description: exit $code, expected $expected"; cat "$out/stdout" "$out/stderr"
  else
    echo "ok: $description"
  fi
}

expect_exit 0 "validate the library" "$raftsim" validate "$scenarios"/*.json
expect_exit 2 "run without a file" "$raftsim" run
expect_exit 2 "validate a missing file" "$raftsim" validate "$out/none.json"
grep -q "cannot open" "$out/stderr" || fail "missing file message"

printf '{\n  "version": 1,\n  "name": "x",\n  "duration_ms": 100,\n}\n' >"$out/syntax.json"
expect_exit 2 "syntax error" "$raftsim" validate "$out/syntax.json"
grep -q "syntax.json:5:1" "$out/stderr" || fail "syntax error line:column: $(cat "$out/stderr")"

cat >"$out/schema.json" <<'JSON'
{"version": 1, "name": "x", "duration_ms": 1000, "cluster": {"nodes": 3},
 "faults": [{"at_ms": 10, "action": "crash", "target": "n3"}], "colour": "red"}
JSON
expect_exit 2 "schema errors" "$raftsim" validate "$out/schema.json"
grep -q '/faults/0/target: expected a node name from "n0" to "n2"' "$out/stderr" || fail "node error"
grep -q '/colour: unknown field' "$out/stderr" || fail "unknown field error"
expect_exit 2 "run refuses to start with a bad file among good ones" \
  "$raftsim" run "$scenarios/leader-isolated.json" "$out/schema.json" --out "$out/none"
[ ! -e "$out/none" ] || fail "run wrote output although a scenario was invalid"

expect_exit 0 "run a passing scenario" "$raftsim" run "$scenarios/leader-isolated.json" \
  --out "$out/pass" --check-determinism --junit "$out/junit.xml"
grep -q "^PASS leader-isolated seed 1" "$out/stdout" || fail "summary line: $(cat "$out/stdout")"
python3 - "$out/pass/result.json" <<'PY' || fail "result.json of a passing run"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "pass" and r["expectation_met"] and r["deterministic"], r
for key in ("safety", "durability", "linearizability", "recovery", "liveness"):
    assert r["checkers"][key]["status"] == "pass", key
assert r["recovery"]["per_fault"] and r["recovery"]["max_ms"] >= r["recovery"]["p50_ms"]
assert r["counts"]["operations_ok"] > 0 and isinstance(r["trace_hash"], int) and r["trace_hash_string"] == str(r["trace_hash"])
PY
[ ! -e "$out/pass/trace.jsonl" ] || fail "trace written for a passing run without --trace"
grep -q '<testsuite name="raftsim" tests="1" failures="0"' "$out/junit.xml" || fail "junit"

expect_exit 0 "an expected failure is met" "$raftsim" run \
  "$scenarios/lease-read-with-slow-leader-clock.json" --out "$out/lease"
for f in result.json trace.jsonl history.json replay.json diagram.dot; do
  [ -s "$out/lease/$f" ] || fail "failing run did not write $f"
done
expect_exit 0 "the exported timeline replays the failure" "$raftsim" run "$out/lease/replay.json"

# The same scenario with lease reads off must pass its checks, so its expectation (fail) is not met.
python3 - "$scenarios/lease-read-with-slow-leader-clock.json" "$out/no-lease.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["cluster"]["lease_read"] = False
json.dump(d, open(sys.argv[2], "w"))
PY
expect_exit 1 "an expected failure that does not happen" "$raftsim" run "$out/no-lease.json" \
  --junit "$out/junit-fail.xml" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verdict"]=="pass" and not r["expectation_met"] and r["exit_code"]==1, r' "$out/stdout" \
  || fail "JSON of an unmet expectation"
grep -q 'failures="1"' "$out/junit-fail.xml" || fail "junit failure count"

# Outputs that cannot be written: exit 2 naming the path and the reason, and no half-written file
# (a file-size limit makes write() fail part way, as a full disk does).
touch "$out/plain-file"
expect_exit 2 "--out below a plain file" "$raftsim" run "$scenarios/leader-isolated.json" \
  --out "$out/plain-file/sub"
grep -q "plain-file/sub: cannot create: Not a directory" "$out/stderr" || fail "--out reason"
mkdir -p "$out/small"
expect_exit 2 "a write cut short by a file-size limit" bash -c \
  'ulimit -f 20; trap "" XFSZ; exec "$0" run "$1" --trace --out "$2"' \
  "$raftsim" "$scenarios/leader-isolated.json" "$out/small"
grep -q "trace.jsonl: write: File too large" "$out/stderr" || fail "cut write: reason"
[ -z "$(ls -A "$out/small")" ] || fail "cut write left files: $(ls -A "$out/small")"

# Scenario names become one safe path component under --out; two that would share one are
# refused before anything runs, naming both files.
python3 - "$scenarios/leader-isolated.json" "$out" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
for file, name in (("escape.json", "../../escape"), ("twin-a.json", "twin"), ("twin-b.json", "twin")):
    base["name"] = name
    json.dump(base, open(sys.argv[2] + "/" + file, "w"))
PY
expect_exit 0 "a name with dot-dots stays under --out" "$raftsim" run "$out/escape.json" \
  "$scenarios/leader-isolated.json" --out "$out/names"
[ -f "$out/names/_._.._escape/result.json" ] || fail "sanitized directory: $(ls "$out/names")"
# ("$out/names/../../escape" is beside $out: an unsanitized name writes there.)
escaped="$(dirname "$out")/escape"
[ ! -e "$escaped" ] || { fail "a scenario name escaped --out: $escaped"; rm -rf "$escaped"; }
expect_exit 2 "two scenarios writing to one directory" "$raftsim" run "$out/twin-a.json" \
  "$out/twin-b.json" --out "$out/twins"
grep -q "twin-a.json' and '.*twin-b.json' would both write to" "$out/stderr" \
  || fail "collision message"
[ ! -e "$out/twins/twin" ] || fail "a run started before the collision was refused"

echo "run/validate checks: $failures failures"
[ "$failures" -eq 0 ]
