#!/usr/bin/env python3
"""Generates the mutant list: every site of the fixed operators in the chosen folders, then a
seeded, stratified sample (per folder x operator) written to a JSON file.

    python3 tools/mutation/generate.py --root . --seed 17 --count 88 \
        --out tools/mutation/mutants.json

Sampling never looks at a mutant's effect: within a stratum, sites are ranked by
sha256(seed, file, line, column, operator, replacement) and taken in that order. Quotas: every
non-empty stratum gets min(2, its size), the rest of --count goes to strata in proportion to
their sizes (largest remainder, ties by name). Same tree + same seed = same list.
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxx_scan import CodeView  # noqa: E402
from mutant import make_record  # noqa: E402
from operators import OPERATORS, all_sites  # noqa: E402

FOLDERS = ("raft/core", "raft/storage", "raft/node", "jobqueue/queue")
# Pure serialisation and formatting: a mutant there is either killed by the first message or
# record decoded (a round trip breaks) or survives as a difference in bytes nobody else reads;
# neither says anything about the tools' power to find protocol bugs. See README.md.
SKIPPED_FILES = ("raft/core/codec.cc", "raft/core/messages.cc", "raft/node/wire.cc",
                 "jobqueue/queue/codec.cc", "raft/storage/crc32c.cc")
STRATUM_MIN = 2


def source_files(root, folders):
    files = []
    for folder in folders:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            path = f"{folder}/{name}"
            if name.endswith(".cc") and path not in SKIPPED_FILES:
                files.append(path)
    return files


def all_mutants(root, files):
    records = []
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8") as handle:
            view = CodeView(handle.read())
        for operator, start, original, replacement in all_sites(view):
            records.append(make_record(view, path, operator, start, original, replacement))
    return records


def rank_key(seed, record):
    key = f"{seed}|{record['file']}|{record['line']}|{record['col']}|{record['operator']}|" \
          f"{record['replacement']}"
    return hashlib.sha256(key.encode()).hexdigest()


def folder_of(record):
    return os.path.dirname(record["file"])


def quotas(strata, count):
    sizes = {name: len(items) for name, items in strata.items()}
    quota = {name: min(STRATUM_MIN, size) for name, size in sizes.items()}
    left = count - sum(quota.values())
    total = sum(sizes.values())
    if left <= 0 or total == 0:
        return quota
    shares = {name: left * size / total for name, size in sizes.items()}
    for name in sizes:
        quota[name] = min(sizes[name], quota[name] + int(shares[name]))
    order = sorted(sizes, key=lambda n: (-(shares[n] - int(shares[n])), n))
    while sum(quota.values()) < min(count, total):
        grew = False
        for name in order:
            if sum(quota.values()) >= min(count, total):
                break
            if quota[name] < sizes[name]:
                quota[name] += 1
                grew = True
        if not grew:
            break
    return quota


def sample(records, seed, count):
    strata = {}
    for record in records:
        strata.setdefault(f"{folder_of(record)}|{record['operator']}", []).append(record)
    quota = quotas(strata, count)
    chosen = []
    for name in sorted(strata):
        ranked = sorted(strata[name], key=lambda r: rank_key(seed, r))
        chosen.extend(ranked[:quota[name]])
    chosen.sort(key=lambda r: (r["file"], r["line"], r["col"], r["operator"]))
    for number, record in enumerate(chosen, 1):
        record["id"] = f"M{number:03d}"
    return chosen, {name: (len(items), quota[name]) for name, items in sorted(strata.items())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--count", type=int, default=88)
    parser.add_argument("--folders", nargs="*", default=list(FOLDERS))
    parser.add_argument("--out", default="tools/mutation/mutants.json")
    parser.add_argument("--all-sites", action="store_true", help="write every site, no sample")
    args = parser.parse_args()
    records = all_mutants(args.root, source_files(args.root, args.folders))
    if args.all_sites:
        chosen, strata = records, {}
        for number, record in enumerate(chosen, 1):
            record["id"] = f"S{number:04d}"
    else:
        chosen, strata = sample(records, args.seed, args.count)
    document = {
        "generator": "tools/mutation/generate.py",
        "seed": args.seed,
        "count": len(chosen),
        "folders": args.folders,
        "skipped_files": list(SKIPPED_FILES),
        "operators": list(OPERATORS),
        "sites_total": len(records),
        "strata": {name: {"sites": s, "chosen": q} for name, (s, q) in strata.items()},
        "mutants": [{k: r[k] for k in ("id", "file", "line", "col", "operator", "function",
                                       "original", "replacement", "context_before",
                                       "context_after")} for r in chosen],
    }
    text = json.dumps(document, indent=1) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"{len(records)} sites, {len(chosen)} mutants written to {args.out}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
