#!/usr/bin/env python3
"""Runs mutants: applies one at a time to a private copy of the tree at a commit, builds the
raftsim binary there, and runs the kill stages (scenario library, fuzz campaign, explore),
stopping at the first kill. One JSON line per mutant is appended to --results; a rerun skips the
mutants already there (resume).

    nice -n 15 python3 tools/mutation/run_mutants.py --mutants tools/mutation/mutants.json \
        --results results/mutation-results.jsonl [--sample 10 --sample-seed 1] [--ids M001 ...]

The work directory (default build-mutation/) holds tree/ (git archive of --commit, default
HEAD) with tree/build/ (its own cmake build dir, ccache on) and baseline-SIGNATURE.json (the
unmutated binary's outcome and time per run, measured once per commit and plan). Budgets: see --help/README.md.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stages  # noqa: E402
from mutant import SiteMovedError, applied, locate  # noqa: E402

CMAKE_FLAGS = ["-G", "Ninja", "-DRAFTSIM_WERROR=ON", "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache",
               "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
               "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG"]
SCENARIO_FOLDERS = ("scenarios", "scenarios/bugs", "scenarios/membership", "scenarios/regressions")
# The unit stage (not part of the benchmark's score; for answering survivors): the gtest binaries
# that exercise a mutated folder directly, each run whole; a mutant builds and runs its folder's.
UNIT_TARGETS_BY_FOLDER = {
    "raft/core": ("raft_unit_tests", "raft_tests"),
    "raft/storage": ("wal_tests", "wal_fault_tests", "raft_tests"),
    "raft/node": ("raft_sim_tests", "wire_tests", "kv_store_tests"),
    "jobqueue/queue": ("job_queue_tests",),
}
UNIT_TARGETS = tuple(sorted({t for ts in UNIT_TARGETS_BY_FOLDER.values() for t in ts}))


def unit_targets_for(path):
    return next((ts for folder, ts in UNIT_TARGETS_BY_FOLDER.items()
                 if path.startswith(folder + "/")), UNIT_TARGETS)
EXPLORE_CLEAN = ("scenarios/explore-correct-3-nodes.json", "scenarios/explore-membership-correct.json",
                 "scenarios/explore-throughput-3-nodes.json")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git(root, *args):
    return subprocess.run(["git", "-C", root, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def prepare_tree(root, commit, work):
    """work/tree = git archive of commit (recreated if it holds another commit)."""
    tree = os.path.join(work, "tree")
    stamp = os.path.join(work, "tree.commit")
    if os.path.exists(stamp) and open(stamp).read().strip() == commit and os.path.isdir(tree):
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    archive = subprocess.Popen(["git", "-C", root, "archive", commit], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", tree], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {commit} failed")
    with open(stamp, "w") as handle:
        handle.write(commit + "\n")
    return tree


def require_clean_checkout(tree, commit, mutants):
    """In-place mode: the checkout must be at commit with every mutated file unmodified, so a
    run that was killed hard (SIGKILL: no restore) is noticed before it corrupts results."""
    if git(tree, "rev-parse", "HEAD") != commit:
        raise SystemExit(f"--tree {tree} is not at {commit}")
    files = sorted({m["file"] for m in mutants})
    dirty = git(tree, "status", "--porcelain", "--", *files)
    if dirty:
        raise SystemExit(f"--tree {tree} has modified sources (a mutant left behind?); restore "
                         f"them with 'git -C {tree} checkout -- FILE':\n{dirty}")


def build(tree, build_dir, jobs, timeout_s, targets=("raftsim",)):
    """Configures once, builds the targets; returns (ok, seconds, first error line)."""
    start = time.monotonic()
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["cmake", "-S", tree, "-B", build_dir, *CMAKE_FLAGS], check=True,
                       capture_output=True, env=dict(os.environ, CCACHE_BASEDIR=tree))
    # CCACHE_BASEDIR makes the cache keys relative, so a build of the same sources in another
    # checkout (tree/build mirrors REPO/build) shares the cache.
    code, stdout, stderr, timed_out, _ = stages.run_bounded(
        ["ninja", "-C", build_dir, f"-j{jobs}", *targets], timeout_s, cwd=tree,
        env=dict(os.environ, CCACHE_BASEDIR=tree))
    seconds = time.monotonic() - start
    if code == 0:
        return True, seconds, ""
    text = stdout + stderr
    errors = [line for line in text.splitlines() if "error" in line]
    return False, seconds, ("build timed out" if timed_out else (errors or ["?"])[0])[:240]


def binary_hash(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def scenario_files(tree):
    files = []
    for folder in SCENARIO_FOLDERS:
        directory = os.path.join(tree, folder)
        for name in sorted(os.listdir(directory)):
            path = f"{folder}/{name}"
            if not name.endswith(".json"):
                continue
            with open(os.path.join(tree, path)) as handle:
                if "explore" in json.load(handle):
                    continue
            files.append(path)
    return files


def bounded_explore_file(tree, work, path, states_max):
    """A copy of an explore scenario with states_max capped (the bounded explore)."""
    with open(os.path.join(tree, path)) as handle:
        scenario = json.load(handle)
    scenario["explore"]["states_max"] = min(scenario["explore"].get("states_max", 4000000),
                                           states_max)
    out = os.path.join(work, "explore", os.path.basename(path))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as handle:
        json.dump(scenario, handle, indent=1)
    return out


def plan(args, tree, work):
    """The ordered list of runs: (stage, name, command, timeout)."""
    raftsim = os.path.join(tree, "build", "tools", "raftsim")
    runs = []
    files = scenario_files(tree)
    if args.scenario_subset:
        files = [f for f in files if any(f.startswith(p) or f == p for p in args.scenario_subset)]
    if "scenarios" not in args.stages:
        files = []
    for path in files:
        runs.append(("scenarios", path, [raftsim, "run", path, "--json"], args.scenario_timeout))
    for seed in args.fuzz_seeds if "fuzz" in args.stages else []:
        runs.append(("fuzz", f"fuzz --seed {seed} --runs {args.fuzz_runs}",
                     [raftsim, "fuzz", "--seed", str(seed), "--runs", str(args.fuzz_runs),
                      "--run-seconds-max", str(args.fuzz_run_seconds_max),
                      "--no-shrink", "--json", "--out", os.path.join(work, "fuzz-out")],
                     args.fuzz_timeout))
    for path in EXPLORE_CLEAN if "explore" in args.stages else []:
        if not os.path.exists(os.path.join(tree, path)):
            continue
        bounded = bounded_explore_file(tree, work, path, args.explore_states_max)
        runs.append(("explore", path, [raftsim, "explore", bounded, "--json", "--out",
                                       os.path.join(work, "explore-out")],
                     args.explore_timeout))
    for target in UNIT_TARGETS if "unit" in args.stages else []:
        runs.append(("unit", target, [os.path.join(tree, "build", "tests", target),
                                      "--gtest_brief=1"], args.unit_timeout))
    return runs


def build_targets(args, path=None):
    if "unit" not in args.stages:
        return ("raftsim",)
    return ("raftsim", *(unit_targets_for(path) if path else UNIT_TARGETS))


def judge(stage, result, baseline_code):
    code, stdout, stderr, timed_out, wall_s = result
    if stage == "scenarios":
        return stages.judge_scenario(code, stdout, stderr, timed_out, wall_s)
    if stage == "fuzz":
        return stages.judge_fuzz(code, stdout, stderr, timed_out, wall_s)
    if stage == "unit":
        return stages.judge_unit(code, stdout, stderr, timed_out, wall_s)
    return stages.judge_explore(code, stdout, stderr, timed_out, wall_s, baseline_code)


def measure_baseline(args, tree, work, runs, commit):
    """The unmutated binary's exit code and time per run (cached per commit and plan)."""
    signature = hashlib.sha256(json.dumps([commit, [r[:3] for r in runs]]).encode()).hexdigest()
    path = os.path.join(work, f"baseline-{signature[:12]}.json")
    if os.path.exists(path):
        with open(path) as handle:
            cached = json.load(handle)
        if cached.get("signature") == signature:
            return cached
    log(f"baseline: {len(runs)} runs with the unmutated binary")
    entries = {}
    for stage, name, command, timeout in runs:
        result = stages.run_bounded(command, timeout, cwd=tree)
        outcome = judge(stage, result, baseline_code=None)
        entries[name] = {"stage": stage, "code": result[0], "wall_s": round(result[4], 2),
                         "fails_unmutated": outcome.kill or outcome.timeout,
                         "detail": outcome.detail}
        log(f"  {name}: exit {result[0]}, {result[4]:.1f} s"
            + (f"  FAILS UNMUTATED ({outcome.checker}: {outcome.detail})"
               if outcome.kill or outcome.timeout else ""))
    baseline = {"signature": signature, "commit": commit, "runs": entries,
                "binary_sha256": binary_hash(os.path.join(tree, "build", "tools", "raftsim"))}
    with open(path, "w") as handle:
        json.dump(baseline, handle, indent=1)
    log(f"baseline written to {path}")
    return baseline


def ordered_runs(runs, baseline):
    """Runs that pass unmutated, in stage order, the cheapest first within a stage."""
    stage_rank = {"scenarios": 0, "fuzz": 1, "explore": 2, "unit": 3}
    usable = [r for r in runs if not baseline["runs"][r[1]]["fails_unmutated"]]
    return sorted(usable, key=lambda r: (stage_rank[r[0]], baseline["runs"][r[1]]["wall_s"], r[1]))


def run_stages(runs, baseline, tree, campaign_s_max, path):
    """Runs until the first kill (or until campaign_s_max of wall time). Returns a dict."""
    start = time.monotonic()
    timeouts = []
    done = 0
    for stage, name, command, timeout in runs:
        if stage == "unit" and name not in unit_targets_for(path):
            continue
        elapsed = time.monotonic() - start
        if elapsed >= campaign_s_max:
            return {"status": "survived", "runs_done": done, "campaign_s": round(elapsed, 1),
                    "timeouts": timeouts, "note": "campaign wall budget spent"}
        result = stages.run_bounded(command, min(timeout, campaign_s_max - elapsed + 5), cwd=tree)
        outcome = judge(stage, result, baseline["runs"][name]["code"])
        done += 1
        if outcome.kill:
            killed_at = time.monotonic() - start
            return {"status": "killed", "stage": stage, "killer": name, "checker": outcome.checker,
                    "detail": outcome.detail, "time_to_kill_s": round(killed_at, 1),
                    "runs_done": done, "campaign_s": round(killed_at, 1), "timeouts": timeouts}
        if outcome.timeout:
            timeouts.append(f"{name}: {outcome.detail}")
    elapsed = time.monotonic() - start
    return {"status": "timeout" if timeouts else "survived", "runs_done": done,
            "campaign_s": round(elapsed, 1), "timeouts": timeouts}


def run_one(args, record, tree, work, runs, baseline):
    build_dir = os.path.join(tree, "build")
    raftsim = os.path.join(build_dir, "tools", "raftsim")
    entry = {k: record[k] for k in ("id", "file", "line", "operator", "original", "replacement")}
    try:
        with applied(tree, record):
            ok, build_s, error = build(tree, build_dir, args.jobs, args.build_timeout,
                                       build_targets(args, record["file"]))
    except SiteMovedError as moved:
        entry.update(status="site_moved", detail=str(moved))
        return entry
    entry["build_s"] = round(build_s, 1)
    if not ok:
        entry.update(status="stillborn", detail=error)
        return entry
    if binary_hash(raftsim) == baseline["binary_sha256"]:
        entry.update(status="equivalent_binary",
                     detail="the mutated raftsim is byte-identical to the unmutated one")
        return entry
    for scratch in ("fuzz-out", "explore-out"):  # failures of the previous mutant
        shutil.rmtree(os.path.join(work, scratch), ignore_errors=True)
    entry.update(run_stages(runs, baseline, tree, args.campaign_s_max, record["file"]))
    return entry


def choose(mutants, args):
    if args.ids:
        wanted = set(args.ids)
        return [m for m in mutants if m["id"] in wanted]
    if args.sample:
        ranked = sorted(mutants, key=lambda m: hashlib.sha256(
            f"{args.sample_seed}|{m['id']}".encode()).hexdigest())
        return sorted(ranked[:args.sample], key=lambda m: m["id"])
    return mutants


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the git repository")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--mutants", default="tools/mutation/mutants.json")
    parser.add_argument("--results", default="results/mutation-results.jsonl")
    parser.add_argument("--work", default="build-mutation")
    parser.add_argument("--tree", help="mutate this checkout in place (restored after every "
                        "mutant) and build in TREE/build, instead of a private copy in --work")
    parser.add_argument("--ids", nargs="*")
    parser.add_argument("--sample", type=int, default=0, help="a seeded subset of this size")
    parser.add_argument("--sample-seed", type=int, default=1)
    parser.add_argument("--stages", nargs="*", default=["scenarios", "fuzz", "explore"],
                        choices=["scenarios", "fuzz", "explore", "unit"],
                        help="the benchmark is scenarios, fuzz and explore; unit (the gtest "
                        "binaries of UNIT_TARGETS) answers survivors and is not in the score")
    parser.add_argument("--jobs", type=int, default=2, help="ninja -j")
    parser.add_argument("--build-timeout", type=float, default=900)
    parser.add_argument("--scenario-timeout", type=float, default=60)
    parser.add_argument("--scenario-subset", nargs="*",
                        help="only scenario files with these path prefixes")
    parser.add_argument("--fuzz-seeds", type=int, nargs="*", default=[1])
    parser.add_argument("--fuzz-runs", type=int, default=500)
    parser.add_argument("--fuzz-timeout", type=float, default=240)
    parser.add_argument("--fuzz-run-seconds-max", type=float, default=60,
                        help="fuzz's wall guard per run (a run it stops is a timeout, not a kill)")
    parser.add_argument("--explore-states-max", type=int, default=200000)
    parser.add_argument("--explore-timeout", type=float, default=60)
    parser.add_argument("--unit-timeout", type=float, default=120)
    parser.add_argument("--campaign-s-max", type=float, default=300,
                        help="wall seconds of stages per mutant (the issue's 5 minutes)")
    return parser.parse_args()


def main():
    args = parse_arguments()
    root = os.path.abspath(args.root)
    commit = git(root, "rev-parse", args.commit)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    with open(args.mutants) as handle:
        mutants = json.load(handle)["mutants"]
    if args.tree:
        tree = os.path.abspath(args.tree)
        require_clean_checkout(tree, commit, mutants)
    else:
        tree = prepare_tree(root, commit, work)
    for record in mutants:  # every site must still be where the list says, before any build
        with open(os.path.join(tree, record["file"]), encoding="utf-8") as handle:
            locate(handle.read(), record)
    log(f"commit {commit[:12]}, {len(mutants)} mutants in the list; building the unmutated binary")
    ok, build_s, error = build(tree, os.path.join(tree, "build"), args.jobs, args.build_timeout,
                               build_targets(args))
    if not ok:
        raise SystemExit(f"the unmutated tree does not build: {error}")
    runs = plan(args, tree, work)
    baseline = measure_baseline(args, tree, work, runs, commit)
    runs = ordered_runs(runs, baseline)
    done = set()
    if os.path.exists(args.results):
        with open(args.results) as handle:
            done = {json.loads(line).get("id") for line in handle if line.strip()}
    chosen = [m for m in choose(mutants, args) if m["id"] not in done]
    log(f"{len(runs)} usable runs; {len(chosen)} mutants to do ({len(done)} already done)")
    for number, record in enumerate(chosen, 1):
        start = time.monotonic()
        entry = run_one(args, record, tree, work, runs, baseline)
        entry["wall_s"] = round(time.monotonic() - start, 1)
        entry["commit"] = commit
        with open(args.results, "a") as handle:
            handle.write(json.dumps(entry) + "\n")
        log(f"{number}/{len(chosen)} {record['id']} {record['operator']} {record['file']}:"
            f"{record['line']}: {entry['status']} {entry.get('checker', '')} "
            f"{entry.get('killer', '')} (build {entry.get('build_s', 0)} s, "
            f"campaign {entry.get('campaign_s', 0)} s)")


if __name__ == "__main__":
    main()
