#!/usr/bin/env python3
"""Turns `raftsim run scenarios/*.json --json` output into the Markdown table of
results/scenario-library.md:  ./build/tools/raftsim run scenarios/*.json --json | python3 tools/scenario_table.py"""
import json
import sys

results = json.load(sys.stdin)
if isinstance(results, dict):
    results = [results]
print("| scenario | expected | verdict | ops ok | faults | recovery max / p50 / p99 (ms) | final term | simulated s | wall ms |")
print("|---|---|---|---|---|---|---|---|---|")
for r in results:
    rec = r["recovery"]
    faults = sum(1 for f in r["faults"] if not f.get("skipped") and f["origin"] != "final recovery")
    print(f"| {r['scenario']} | {r['expected']} | {r['verdict']} | {r['counts']['operations_ok']} | {faults} "
          f"| {rec['max_ms']:.0f} / {rec['p50_ms']:.0f} / {rec['p99_ms']:.0f} | {r['counts']['final_term']} "
          f"| {r['simulated_ms'] / 1000:.1f} | {r['wall_ms']:.0f} |")
