#!/usr/bin/env python3
"""Fingerprints every scenario: verdict, trace hash and a digest of every figure in the result.

A refactor that claims to keep behaviour runs this before and after and diffs the two tables:
    python3 tools/scenario_fingerprints.py ./build/tools/raftsim > before.tsv
Run scenarios go through `raftsim run --json`, model-checker scenarios (an "explore" section)
through `raftsim explore --json`. Figures that measure the machine rather than the run (wall
times, rates, memory) are left out of the digest; everything else is in it.
"""
import hashlib
import json
import pathlib
import subprocess
import sys

MACHINE_KEYS = ("wall", "per_s", "_bytes", "memory", "rss", "elapsed", "seconds")


def machine_figure(key):
    return any(part in key for part in MACHINE_KEYS)


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if not machine_figure(k)}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def main():
    raftsim = sys.argv[1]
    root = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "scenarios")
    print("file\tverdict\ttrace_hash\tfigures_digest\texit")
    for path in sorted(root.rglob("*.json")):
        scenario = json.loads(path.read_text())
        command = "explore" if "explore" in scenario else "run"
        done = subprocess.run([raftsim, command, str(path), "--json"], capture_output=True,
                              text=True)
        try:
            result = json.loads(done.stdout)
        except json.JSONDecodeError:
            print(f"{path}\t(no json)\t-\t-\t{done.returncode}")
            continue
        figures = json.dumps(strip(result), sort_keys=True)
        digest = hashlib.sha256(figures.encode()).hexdigest()[:16]
        verdict = result.get("verdict", result.get("result", "-"))
        trace_hash = result.get("trace_hash", result.get("state_hash", "-"))
        print(f"{path}\t{verdict}\t{trace_hash}\t{digest}\t{done.returncode}")


if __name__ == "__main__":
    main()
