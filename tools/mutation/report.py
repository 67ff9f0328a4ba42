#!/usr/bin/env python3
"""Writes the mutation report (markdown + a small JSON) from the runner's results JSONL.

    python3 tools/mutation/report.py --results results/mutation-results.jsonl \
        --mutants tools/mutation/mutants.json --equivalent tools/mutation/equivalent.json \
        --baseline build-mutation/baseline-SIGNATURE.json --command "..." --out results/mutation.md

Score = killed / (mutants run - stillborn - equivalent), where equivalent = byte-identical
binary (mechanical) or argued in --equivalent. Timeouts and survivors count against the score.

--equivalent maps an id to {"site": "FILE:LINE", "class": "equivalent" | "performance",
"argument": "..."}; the site must be the mutant's (a regenerated list fails loudly). "equivalent":
no input the system can produce tells the mutant apart; "performance": it changes only cost
(messages, round trips), never a property a checker judges. The score is given with the
performance class excluded and, beside it, with it counted as survivors.

--answers: the runner's JSONL of the survivors rerun later (at a commit with new scenarios,
checkers or profiles; the unit stage may be on). The report lists how each survivor was answered
and gives the score again with the answers' kills by the benchmark's own stages (the unit stage's
kills are listed, not scored).
"""
import argparse
import collections
import json
import os
import subprocess


def cpu_model():
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    model = fields.get("Model name", "unknown").strip()
    return f"{model}, {fields.get('CPU(s)', '?').strip()} CPUs"


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * (len(ordered) - 1) + 0.5))]


def load_results(paths):
    """Every mutant's last entry: a later line (or a later file) for the same id wins, so a
    rerun of some mutants with another budget replaces their first outcome."""
    entries = {}
    for path in paths:
        with open(path) as handle:
            for line in handle:
                if line.strip():
                    entry = json.loads(line)
                    entries[entry["id"]] = entry
    return [entries[k] for k in sorted(entries)]


def load_equivalent(path, results):
    """id -> entry; fails if an entry's site is not its mutant's (the list was regenerated)."""
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        equivalent = json.load(handle)
    sites = {r["id"]: f"{r['file']}:{r['line']}" for r in results}
    for mutant_id, entry in equivalent.items():
        if not isinstance(entry, dict) or entry.get("class") not in ("equivalent", "performance"):
            raise SystemExit(f"{path}: {mutant_id}: expected {{site, class, argument}} with class "
                             "equivalent or performance")
        if mutant_id in sites and sites[mutant_id] != entry.get("site"):
            raise SystemExit(f"{path}: {mutant_id} argues about {entry.get('site')} but the mutant "
                             f"is at {sites[mutant_id]}: the mutant list changed, argue again")
    return equivalent


def with_answers(results, answers):
    """Results where a survivor the answer run killed by a benchmark stage counts as killed."""
    by_id = {a["id"]: a for a in answers}
    merged = []
    for r in results:
        a = by_id.get(r["id"])
        if r["status"] in ("survived", "timeout") and a and a["status"] == "killed" and \
                a.get("stage") != "unit":
            merged.append(a)
        else:
            merged.append(r)
    return merged


def summarise(results, equivalent, excluded_classes=("equivalent", "performance")):
    counts = collections.Counter(r["status"] for r in results)
    argued = [r for r in results if r["status"] in ("survived", "timeout") and
              r["id"] in equivalent and equivalent[r["id"]]["class"] in excluded_classes]
    killed = [r for r in results if r["status"] == "killed"]
    denominator = (len(results) - counts["stillborn"] - counts["equivalent_binary"] -
                   counts["site_moved"] - len(argued))
    times = [r["time_to_kill_s"] for r in killed]
    return {
        "mutants_run": len(results),
        "killed": len(killed),
        "survived": counts["survived"],
        "timeout": counts["timeout"],
        "stillborn": counts["stillborn"],
        "equivalent_binary": counts["equivalent_binary"],
        "argued_equivalent": len(argued),
        "argued_performance_only": sum(1 for r in argued
                                       if equivalent[r["id"]]["class"] == "performance"),
        "site_moved": counts["site_moved"],
        "non_equivalent": denominator,
        "score": round(len(killed) / denominator, 4) if denominator else None,
        "killed_within_300_s": sum(1 for t in times if t <= 300),
        "time_to_kill_s": {"min": min(times, default=None), "p50": percentile(times, 0.5),
                           "p90": percentile(times, 0.9), "max": max(times, default=None)},
        "by_stage": dict(collections.Counter(r.get("stage") for r in killed)),
        "by_checker": dict(collections.Counter(r.get("checker") for r in killed)),
        "build_s": {"p50": percentile([r["build_s"] for r in results if "build_s" in r], 0.5),
                    "max": max((r["build_s"] for r in results if "build_s" in r), default=None)},
        "wall_s_total": round(sum(r.get("wall_s", 0) for r in results), 1),
    }


def by_operator(results, equivalent):
    rows = collections.defaultdict(lambda: [0, 0])
    for r in results:
        if r["status"] in ("stillborn", "equivalent_binary", "site_moved") or \
                (r["status"] != "killed" and r["id"] in equivalent):
            continue
        rows[r["operator"]][1] += 1
        rows[r["operator"]][0] += r["status"] == "killed"
    return rows


def baseline_lines(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as handle:
        baseline = json.load(handle)
    per_stage = collections.defaultdict(lambda: [0, 0.0, 0])
    for name, run in baseline["runs"].items():
        per_stage[run["stage"]][0] += 1
        per_stage[run["stage"]][1] += run["wall_s"]
        per_stage[run["stage"]][2] += bool(run["fails_unmutated"])
    lines = ["| stage | runs | wall s (unmutated binary, all runs) | dropped: fail unmutated |",
             "|---|---|---|---|"]
    for stage, (runs, wall, dropped) in per_stage.items():
        lines.append(f"| {stage} | {runs} | {wall:.1f} | {dropped} |")
    slow = sorted(baseline["runs"].items(), key=lambda kv: -kv[1]["wall_s"])[:5]
    lines.append("")
    lines.append("Slowest runs: " + ", ".join(f"`{n}` {r['wall_s']:.1f} s" for n, r in slow))
    return lines


def answer_text(mutant_id, equivalent, answers):
    if mutant_id in equivalent:
        entry = equivalent[mutant_id]
        return f"**{entry['class']}**: {entry['argument']}"
    a = answers.get(mutant_id)
    if a and a["status"] == "killed":
        return (f"**answered**: killed at {a.get('commit', '?')[:7]} by {a.get('stage')} "
                f"`{a.get('killer')}` ({a.get('checker')}, {a.get('time_to_kill_s')} s)")
    if a:
        return f"**open**: still {a['status']} at {a.get('commit', '?')[:7]}"
    return "**open** (to argue, or answer with a test)"


def score_text(s):
    return (f"{s['killed']} killed / {s['non_equivalent']} non-equivalent = "
            f"{'n/a' if s['score'] is None else format(100 * s['score'], '.1f') + ' %'}")


def markdown(args, results, summary, equivalent, mutants_doc, answers, extra):
    title = args.title
    s = summary
    lines = [f"# {title}", ""]
    if args.preface:
        with open(args.preface) as handle:
            lines += [handle.read().rstrip("\n"), ""]
    if args.pilot:
        lines += ["**Pilot run**: a seeded subset of the mutant list, to measure build and stage "
                  "times and choose budgets. Not the benchmark's result.", ""]
    commits = sorted({r.get("commit", "?") for r in results})
    lines += [
        *[f"- command: `{command}`" for command in args.command],
        f"- report: `python3 tools/mutation/report.py {args.report_command}`" if args.report_command else "",
        f"- commit: {', '.join(commits)}",
        f"- mutant list: `{args.mutants}` ({mutants_doc['count']} mutants of "
        f"{mutants_doc['sites_total']} sites, generator seed {mutants_doc['seed']})",
        f"- CPU: {cpu_model()} (shared with other jobs: times are upper bounds)",
        f"- total wall time of the mutants: {s['wall_s_total']:.0f} s "
        f"({s['wall_s_total'] / 60:.1f} min); per-mutant build p50 {s['build_s']['p50']} s, "
        f"max {s['build_s']['max']} s",
        "",
        "## Score",
        "",
        f"**{score_text(s)}** "
        f"({s['mutants_run']} run: {s['stillborn']} stillborn, {s['equivalent_binary']} "
        f"equivalent by identical binary, {s['argued_equivalent']} argued equivalent of which "
        f"{s['argued_performance_only']} performance-only, "
        f"{s['survived']} survived, {s['timeout']} timeout, {s['site_moved']} site moved).",
        "",
        f"Counting the performance-only mutants as survivors: {score_text(extra['strict'])}.",
        "",
        *([f"With the answers (survivors rerun with the new scenarios, checkers and profiles; "
           f"kills by the benchmark's stages only): **{score_text(extra['answered'])}**; "
           f"performance-only counted as survivors: {score_text(extra['answered_strict'])}.",
           ""] if answers else []),
        f"Time to kill (stage wall time, build excluded): min {s['time_to_kill_s']['min']} s, "
        f"p50 {s['time_to_kill_s']['p50']} s, p90 {s['time_to_kill_s']['p90']} s, "
        f"max {s['time_to_kill_s']['max']} s; {s['killed_within_300_s']} of {s['killed']} "
        "within 5 minutes.",
        "",
        "Kills by stage: " + ", ".join(f"{k} {v}" for k, v in sorted(s["by_stage"].items())),
        "",
        "Kills by checker: " + ", ".join(f"{k} {v}" for k, v in
                                         sorted(s["by_checker"].items(), key=lambda kv: -kv[1])),
        "",
        "| operator | killed / non-equivalent |",
        "|---|---|",
    ]
    for operator, (killed, total) in sorted(by_operator(results, equivalent).items()):
        lines.append(f"| {operator} | {killed} / {total} |")
    lines += ["", "## Every mutant", "",
              "| id | operator | site | status | stage | killed by | checker | time to kill s | build s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['id']} | {r['operator']} | `{r['file']}:{r['line']}` | {r['status']} "
                     f"| {r.get('stage', '')} | {r.get('killer', '')} | {r.get('checker', '')} | "
                     f"{r.get('time_to_kill_s', '')} | {r.get('build_s', '')} |")
    survivors = [r for r in results if r["status"] in ("survived", "timeout")]
    lines += ["", "## Survivors", "",
              "Each needs an argument of equivalence or a new test, profile or checker.", "",
              "| id | site | mutation | runs done | equivalent? |", "|---|---|---|---|---|"]
    for r in survivors:
        mutation = f"`{r['original'].strip()[:60]}` -> `{r['replacement'][:60]}`"
        argument = answer_text(r["id"], equivalent, answers)
        note = "; timeouts: " + "; ".join(r["timeouts"]) if r.get("timeouts") else ""
        lines.append(f"| {r['id']} | `{r['file']}:{r['line']}` | {mutation} | "
                     f"{r.get('runs_done', '')}{note} | {argument} |")
    stillborn = [r for r in results if r["status"] == "stillborn"]
    if stillborn:
        lines += ["", "## Stillborn (did not compile)", ""]
        for r in stillborn:
            lines.append(f"- {r['id']} `{r['file']}:{r['line']}` {r['operator']}: "
                         f"{r.get('detail', '')[:160]}")
    base = baseline_lines(args.baseline)
    if base:
        lines += ["", "## The unmutated binary's runs (the per-mutant stage budget)", ""] + base
    return "\n".join(line for line in lines if line is not None) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, nargs="+",
                        help="runner JSONL files; a later file's entry for an id wins")
    parser.add_argument("--mutants", default="tools/mutation/mutants.json")
    parser.add_argument("--equivalent", default="tools/mutation/equivalent.json")
    parser.add_argument("--baseline", help="the runner's baseline-SIGNATURE.json (stage times)")
    parser.add_argument("--command", required=True, action="append",
                        help="the runner command(s) that wrote --results, for the report")
    parser.add_argument("--report-command", default="")
    parser.add_argument("--title", default="Mutation benchmark")
    parser.add_argument("--pilot", action="store_true")
    parser.add_argument("--preface", help="markdown put after the title (the reading of the run)")
    parser.add_argument("--answers", nargs="*", default=[],
                        help="runner JSONL of the survivors rerun at a later commit")
    parser.add_argument("--out", required=True, help="markdown path; the JSON goes beside it")
    args = parser.parse_args()
    results = load_results(args.results)
    equivalent = load_equivalent(args.equivalent, results)
    answers = {a["id"]: a for a in load_results(args.answers)} if args.answers else {}
    with open(args.mutants) as handle:
        mutants_doc = json.load(handle)
    summary = summarise(results, equivalent)
    answered = with_answers(results, list(answers.values()))
    extra = {"strict": summarise(results, equivalent, ("equivalent",)),
             "answered": summarise(answered, equivalent),
             "answered_strict": summarise(answered, equivalent, ("equivalent",))}
    with open(args.out, "w") as handle:
        handle.write(markdown(args, results, summary, equivalent, mutants_doc, answers, extra))
    for name, value in extra.items():
        summary[f"score_{name}"] = value["score"]
    summary["command"] = args.command
    summary["mutants"] = [{k: r.get(k) for k in ("id", "status", "stage", "killer", "checker",
                                                  "time_to_kill_s", "build_s")} for r in results]
    with open(os.path.splitext(args.out)[0] + ".json", "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
