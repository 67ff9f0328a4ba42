#!/usr/bin/env python3
"""Measures what bounds each command's memory on the inputs that push it hardest, as a table.

    python3 tools/bench_memory_bounds.py RAFTSIM [--out results/memory-bounds.md]

1. `run` on a valid scenario that would grow without end (an hour, 32 clients, 8 sessions each,
   no think time) under the default budgets: it must stop as budget_exceeded (exit 4), never 3.
2. `render` on a trace just under the 256 MiB input cap, cut from that run's trace.jsonl.
3. `check` on that run's history (hundreds of thousands of operations).
4. `validate` on a scenario just under the 16 MiB input cap.
Peak memory is each process's own max RSS (wait4). Takes a few minutes on two cores.
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_check_scale import cpu_model, measure_command  # noqa: E402

TRACE_BYTES = 250_000_000  # under the 256 MiB (268,435,456 bytes) cap for traces
SCENARIO_BYTES = 16_000_000  # under the 16 MiB cap for scenarios

GROWING = {"version": 1, "name": "busy-for-an-hour", "duration_ms": 3600000,
           "workload": {"clients": 32, "sessions": 8, "think_ms": 0}}


def cut_trace(source, target):
    """The first whole lines of `source` that fit in TRACE_BYTES."""
    written = 0
    with open(source, "rb") as lines, open(target, "wb") as out:
        for line in lines:
            if written + len(line) > TRACE_BYTES:
                break
            out.write(line)
            written += len(line)
    return written


def big_scenario(path):
    """A valid scenario padded to SCENARIO_BYTES by its description."""
    scenario = dict(GROWING, name="big", duration_ms=1000,
                    description="x" * (SCENARIO_BYTES - 200))
    pathlib.Path(path).write_text(json.dumps(scenario))
    return os.path.getsize(path)


def row(command, input_text, bound, done, outcome):
    return (f"| `{command}` | {input_text} | {bound} | {done['exit']} | {outcome} | "
            f"{done['wall_s']} | {done['max_rss_mb']:,.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raftsim")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    raftsim = os.path.abspath(args.raftsim)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        scenario = os.path.join(work, "busy-for-an-hour.json")
        pathlib.Path(scenario).write_text(json.dumps(GROWING))
        out = os.path.join(work, "run")
        print("run: an hour of busy clients under the default budgets", file=sys.stderr)
        done = measure_command([raftsim, "run", scenario, "--out", out, "--json"])
        result = json.loads(done["stdout"]) if done["stdout"].strip() else {}
        counts = result.get("counts", {})
        trace_size = os.path.getsize(os.path.join(out, "trace.jsonl"))
        history_size = os.path.getsize(os.path.join(out, "history.json"))
        rows.append(row("run", "busy-for-an-hour.json (valid, grows without end)",
                        "memory_mb 1024 (default), events_max 100,000,000 (default)", done,
                        f"{result.get('verdict')}: {result.get('budget_exceeded')}; "
                        f"{counts.get('events', 0):,} trace events, "
                        f"{counts.get('operations_ok', 0):,} ops ok; wrote a "
                        f"{trace_size / 1e6:,.0f} MB trace.jsonl and a "
                        f"{history_size / 1e6:,.0f} MB history.json"))

        trace = os.path.join(work, "trace.jsonl")
        size = cut_trace(os.path.join(out, "trace.jsonl"), trace)
        print("render: a trace just under the cap", file=sys.stderr)
        done = measure_command([raftsim, "render", trace, "-o", os.path.join(work, "t.svg")])
        rows.append(row("render", f"{size / 1e6:,.0f} MB trace.jsonl (cut from the run's)",
                        "input cap 256 MiB, 64 node lanes, Graphviz stopped after 120 s", done,
                        (done["stdout"] + done["stderr"]).strip().splitlines()[-1][:120]))

        print("check: the run's history", file=sys.stderr)
        done = measure_command([raftsim, "check", os.path.join(out, "history.json"), "--json"])
        checked = json.loads(done["stdout"]) if done["stdout"].strip() else {}
        rows.append(row("check", f"the run's {history_size / 1e6:,.0f} MB history.json",
                        "input cap 256 MiB; memory_mb 4096 (default) counts the parsed history "
                        "and the search", done,
                        f"{checked.get('verdict')} ({checked.get('operations', '?')} operations)"))

        big = os.path.join(work, "big.json")
        size = big_scenario(big)
        print("validate: a scenario just under the cap", file=sys.stderr)
        done = measure_command([raftsim, "validate", big])
        rows.append(row("validate", f"{size / 1e6:,.1f} MB scenario", "input cap 16 MiB", done,
                        done["stdout"].strip()[:80]))

    lines = [
        "# Memory bounds of the commands (issue 18)",
        "",
        f"`python3 tools/bench_memory_bounds.py build/tools/raftsim` on {cpu_model()}, "
        f"{os.cpu_count()} cores (RelWithDebInfo -O2). Peak memory is each process's max RSS.",
        "",
        "| command | input | what bounds it | exit | outcome | wall s | max RSS MB |",
        "|---|---|---|---|---|---|---|",
    ] + rows
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        pathlib.Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
