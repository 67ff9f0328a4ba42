#!/usr/bin/env python3
"""ctest for the mutation generator: the operators find exactly the expected sites of a fixture
(testdata/fixture.cc vs testdata/fixture.expected), sampling is deterministic and stratified,
applying and restoring a mutant leaves the file byte-identical, and a moved site fails loudly.
Usage: test_generator.py [REPO_ROOT]"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cxx_scan import CodeView  # noqa: E402
from generate import all_mutants, sample, source_files  # noqa: E402
from mutant import SiteMovedError, applied, make_record, mutated_text  # noqa: E402
from operators import all_sites  # noqa: E402

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


def fixture_lines(text):
    view = CodeView(text)
    lines = []
    for operator, start, original, replacement in all_sites(view):
        line, _ = view.line_col(start)
        lines.append(f"{line} {operator} {original!r} -> {replacement!r}")
    return view, lines


def test_operators():
    with open(os.path.join(HERE, "testdata", "fixture.cc")) as handle:
        text = handle.read()
    with open(os.path.join(HERE, "testdata", "fixture.expected")) as handle:
        expected = [line.rstrip("\n") for line in handle if line.strip()]
    _, found = fixture_lines(text)
    expect(sorted(found) == sorted(expected),
           "fixture sites differ:\n  found:    " + "\n            ".join(sorted(found)) +
           "\n  expected: " + "\n            ".join(sorted(expected)))


def test_apply_restore(root):
    with open(os.path.join(HERE, "testdata", "fixture.cc"), "rb") as handle:
        original_bytes = handle.read()
    view = CodeView(original_bytes.decode())
    scratch = tempfile.mkdtemp()
    try:
        path = os.path.join(scratch, "fixture.cc")
        for number, site in enumerate(all_sites(view)):
            with open(path, "wb") as handle:
                handle.write(original_bytes)
            record = make_record(view, "fixture.cc", *site)
            record["id"] = f"T{number}"
            with applied(scratch, record):
                with open(path, "rb") as handle:
                    mutated = handle.read()
                expect(mutated != original_bytes, f"{record['id']}: mutant changed nothing")
                expect(mutated.decode() == mutated_text(original_bytes.decode(), record),
                       f"{record['id']}: applied text differs from mutated_text")
            with open(path, "rb") as handle:
                expect(handle.read() == original_bytes, f"{record['id']}: restore not identical")
        # A failure inside the block restores too.
        record = make_record(view, "fixture.cc", *all_sites(view)[0])
        try:
            with applied(scratch, record):
                raise RuntimeError("build failed")
        except RuntimeError:
            pass
        with open(path, "rb") as handle:
            expect(handle.read() == original_bytes, "restore after an exception not identical")
        # Moved by two lines: re-found. Gone: SiteMovedError.
        moved = "// one\n// two\n" + original_bytes.decode()
        expect(mutated_text(moved, record).startswith("// one\n// two\n"), "moved site not re-found")
        gone = original_bytes.decode().replace(record["original"], "something_else", 1)
        try:
            mutated_text(gone.replace(record["original"], "other"), record)
            failures.append("a vanished site did not raise SiteMovedError")
        except SiteMovedError:
            pass
    finally:
        shutil.rmtree(scratch)


def test_sampling(root):
    files = source_files(root, ("raft/core", "raft/storage", "raft/node", "jobqueue/queue"))
    records = all_mutants(root, files)
    first, strata = sample([dict(r) for r in records], 17, 88)
    second, _ = sample([dict(r) for r in records], 17, 88)
    other, _ = sample([dict(r) for r in records], 18, 88)
    expect(len(first) == min(88, len(records)), f"sample size {len(first)}")
    expect(json.dumps(first) == json.dumps(second), "same seed, different sample")
    expect(json.dumps(first) != json.dumps(other), "another seed gives the same sample")
    for name, (size, quota) in strata.items():
        chosen = sum(1 for r in first if f"{os.path.dirname(r['file'])}|{r['operator']}" == name)
        expect(chosen == quota, f"stratum {name}: {chosen} chosen, quota {quota}")
        expect(quota >= min(2, size), f"stratum {name}: quota {quota} below its minimum")
    # Every mutant applies to the tree it was generated from.
    for record in first:
        with open(os.path.join(root, record["file"])) as handle:
            mutated_text(handle.read(), record)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..")
    test_operators()
    test_apply_restore(root)
    test_sampling(root)
    for failure in failures:
        print("FAIL:", failure)
    print("ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
