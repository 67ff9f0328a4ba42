#!/usr/bin/env python3
"""Scale benchmark of `raftsim check` (issue 18's targets): wall time and peak memory (max RSS)
of the whole command, parsing included, on two generated histories:
  - many keys: OPS operations over KEYS keys, CLIENTS clients issuing one operation at a time
    with overlapping (concurrent) invocations, every read returning the latest write;
  - one key, sequential: OPS_SEQ operations on one key, none overlapping.
Both are linearizable; the command must say so (exit 0).

    bench_check_scale.py RAFTSIM [--ops N] [--keys K] [--seq-ops N] [--out results/check-scale.md]
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time


def cpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_many_keys(path, ops, keys, clients):
    """Clients take turns; each operation overlaps the next client's (10 ns apart, 25 ns long)."""
    latest = {}
    with open(path, "w") as f:
        f.write('{"version": 1, "model": "kv", "operations": [\n')
        for i in range(ops):
            key = f"k{(i * 7919) % keys}"
            invoke, ret = i * 10, i * 10 + 25
            client = i % clients
            if i % 3 == 0:
                value = f"v{i}"
                latest[key] = value
                op = {"client": client, "op": "put", "key": key, "value": value}
            else:
                op = {"client": client, "op": "get", "key": key, "output": latest.get(key)}
            op.update({"invoke_ns": invoke, "return_ns": ret, "status": "ok"})
            # A get overlapping a put of its key could see either value; keep outputs exact by
            # giving reads the value of the last put that returned before they were invoked.
            f.write(json.dumps(op) + (",\n" if i + 1 < ops else "\n"))
        f.write("]}\n")


def write_sequential(path, ops):
    with open(path, "w") as f:
        f.write('{"version": 1, "model": "register", "operations": [\n')
        value = None
        for i in range(ops):
            if i % 2 == 0:
                value = i
                op = {"client": 0, "op": "write", "value": value}
            else:
                op = {"client": 0, "op": "read", "output": value}
            op.update({"invoke_ns": i * 10, "return_ns": i * 10 + 5, "status": "ok"})
            f.write(json.dumps(op) + (",\n" if i + 1 < ops else "\n"))
        f.write("]}\n")


def measure_command(argv):
    """Runs one command; its own peak RSS comes from wait4, so runs do not mix. Returns the exit
    code, wall seconds, peak RSS in MB, stdout and stderr."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return {"exit": os.waitstatus_to_exitcode(status), "wall_s": round(wall, 2),
                "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def measure(raftsim, history, extra):
    done = measure_command([raftsim, "check", history, "--json", "--input-limit-mb", "1024"] + extra)
    result = json.loads(done["stdout"]) if done["stdout"].strip() else {}
    return {"exit": done["exit"], "wall_s": done["wall_s"], "max_rss_mb": done["max_rss_mb"],
            "verdict": result.get("verdict", done["stderr"].strip()[:200]),
            "check_ms": round(result["check_ms"]) if "check_ms" in result else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raftsim")
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seq-ops", type=int, default=500_000)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        many = os.path.join(tmp, "many-keys.json")
        write_many_keys(many, args.ops, args.keys, args.clients)
        row = measure(args.raftsim, many, [])
        row["history"] = f"{args.ops:,} operations, {args.keys:,} keys, {args.clients} clients"
        row["bytes"] = os.path.getsize(many)
        rows.append(row)
        seq = os.path.join(tmp, "sequential.json")
        write_sequential(seq, args.seq_ops)
        row = measure(args.raftsim, seq, [])
        row["history"] = f"{args.seq_ops:,} sequential operations, one key"
        row["bytes"] = os.path.getsize(seq)
        rows.append(row)
    command = "python3 tools/bench_check_scale.py " + " ".join(
        a if a != args.raftsim else "build/tools/raftsim" for a in sys.argv[1:])
    lines = [f"Machine: {cpu_model()}, {os.cpu_count()} cores. Command: `{command}`", "",
             "| history | file MB | exit | verdict | wall s (whole command) | check ms | max RSS MB |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['history']} | {row['bytes'] / 1e6:.0f} | {row['exit']} | "
                     f"{row['verdict']} | {row['wall_s']} | {row['check_ms']} | {row['max_rss_mb']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0 if all(row["exit"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
