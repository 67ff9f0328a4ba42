#!/usr/bin/env python3
"""The bad-input corpus: every case runs one raftsim command on a malformed or hostile input and
must end with the exit code and the message fragment cases.tsv gives.

    run_cases.py RAFTSIM CORPUS_DIR [--only SUBSTRING]

Besides each case's own expectation, every case must
  - never exit 3 (an internal error) or die on a signal,
  - print only safe text: no control bytes but newlines and tabs, valid UTF-8, on stdout and
    stderr,
  - leave no temporary file (".NAME.tmp-...") behind in its scratch directory.
cases.tsv: one case per line, tab-separated: name, expected exit code, a fragment that stderr
must contain (or stdout, when it starts with "stdout:"), then the arguments. In the arguments, {in} is CORPUS_DIR/inputs and {tmp} a scratch
directory made for the run, which holds what setup() makes (files that cannot be committed).
Each command runs with a 60-second timeout and a 2 GiB address-space limit (not under ASan).
"""
import os
import resource
import shlex
import subprocess
import sys
import tempfile

TIMEOUT_S = 60
MEMORY_BYTES = 2 << 30


def setup(tmp, arguments):
    """Inputs too big, too odd or too dangerous to commit (the big ones only when used)."""
    os.mkdir(os.path.join(tmp, "a-directory"))
    os.mkdir(os.path.join(tmp, "out-exists"))
    with open(os.path.join(tmp, "plain-file"), "w") as f:
        f.write("not a directory\n")
    # 17 MiB of spaces and one valid scenario: over the 16 MiB scenario cap.
    if "big-scenario.json" in arguments:
        with open(os.path.join(tmp, "big-scenario.json"), "w") as f:
            f.write(" " * (17 << 20))
            f.write('{"version": 1, "name": "big", "duration_ms": 100}\n')
    # A 2 MiB history: over a 1 MiB --input-limit-mb.
    with open(os.path.join(tmp, "big-history.json"), "w") as f:
        f.write('{"version": 1, "operations": []}' + " " * (2 << 20))
    # A million nested '[' in a value: a recursive parser runs out of stack (the fuzzer's find).
    if "jepsen-nested-vectors.log" in arguments:
        with open(os.path.join(tmp, "jepsen-nested-vectors.log"), "w") as f:
            f.write("INFO  jepsen.util - 0\t:invoke\t:cas\t" + "[" * 1_000_000 + "\n")
    if "porcupine-nested-vectors.txt" in arguments:
        with open(os.path.join(tmp, "porcupine-nested-vectors.txt"), "w") as f:
            f.write('{:process 0, :type :invoke, :f :put, :key "1", :value ' + "[" * 1_000_000 +
                    "}\n")
    os.symlink("/dev/zero", os.path.join(tmp, "zeros.json"))
    os.mkfifo(os.path.join(tmp, "fifo.json"))


def limit_memory():
    # AddressSanitizer reserves terabytes of address space for its shadow memory: under it
    # (tools/test.sh --sanitize sets ASAN_OPTIONS) the limit would stop every run at start.
    if "ASAN_OPTIONS" not in os.environ:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def safe_text(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"invalid UTF-8 at byte {error.start}"
    for offset, char in enumerate(text):
        code = ord(char)
        if (code < 0x20 and char not in "\n\t") or 0x7F <= code < 0xA0:
            return f"control character U+{code:04X} at character {offset}"
    return None


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 4:
                sys.exit(f"{path}:{number}: expected name, exit, fragment and arguments")
            cases.append((number, fields[0], int(fields[1]), fields[2], fields[3:]))
    return cases


def run_case(raftsim, corpus, case):
    number, name, expected_exit, fragment, arguments = case
    problems = []
    with tempfile.TemporaryDirectory(prefix="raftsim-bad-input-") as tmp:
        setup(tmp, " ".join(arguments))
        words = []
        for argument in arguments:
            words.extend(shlex.split(argument.replace("{in}", shlex.quote(os.path.join(corpus, "inputs")))
                                     .replace("{tmp}", shlex.quote(tmp))))
        try:
            done = subprocess.run([raftsim] + words, capture_output=True, timeout=TIMEOUT_S,
                                  preexec_fn=limit_memory, cwd=tmp)
        except subprocess.TimeoutExpired:
            return [f"no exit within {TIMEOUT_S} s"]
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode < 0:
            problems.append(f"killed by signal {-done.returncode}")
        elif done.returncode == 3:
            problems.append("exit 3 (internal error)")
        if done.returncode != expected_exit:
            problems.append(f"exit {done.returncode}, expected {expected_exit}")
        if fragment.startswith("stdout:"):
            if fragment[len("stdout:"):] not in done.stdout.decode("utf-8", "replace"):
                problems.append(f"stdout lacks {fragment!r}")
        elif fragment not in stderr:
            problems.append(f"stderr lacks {fragment!r}")
        for stream, data in (("stdout", done.stdout), ("stderr", done.stderr)):
            unsafe = safe_text(data)
            if unsafe:
                problems.append(f"unsafe {stream}: {unsafe}")
        for root, _, files in os.walk(tmp):
            problems.extend(f"left behind {os.path.join(root, f)}" for f in files if ".tmp-" in f)
        if problems:
            problems.append("stderr: " + stderr.strip()[:600])
    return problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    raftsim, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--only" else ""
    cases = [c for c in read_cases(os.path.join(corpus, "cases.tsv")) if only in c[1]]
    names = [c[1] for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        sys.exit(f"duplicate case names: {sorted(duplicates)}")
    failed = 0
    for case in cases:
        problems = run_case(raftsim, corpus, case)
        if problems:
            failed += 1
            print(f"FAIL {case[1]} (cases.tsv:{case[0]}):")
            for problem in problems:
                print(f"  {problem}")
    print(f"{len(cases) - failed} of {len(cases)} bad-input cases handled as expected")
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
