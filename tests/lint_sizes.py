#!/usr/bin/env python3
"""Size limits of the house style: no file over 600 lines and no function over 80 lines in
raft/, jobqueue/, sim/ and tools/ (tests excepted).

Functions are found in clang-formatted code: a line that ends with "{" opens one when the
declaration it closes (walked back to the end of the previous statement or comment, so a
signature wrapped over several lines counts from its first line) starts at indentation 0, 2 or 4
and is not a namespace, class, struct, enum or union; the next line with a "}" at the
declaration's indentation closes it. The count runs from the first line of the signature to the
closing brace. Usage: lint_sizes.py REPO_ROOT
"""
import pathlib
import re
import sys

FILE_LINES_MAX = 600
FUNCTION_LINES_MAX = int(sys.argv[2]) if len(sys.argv) > 2 else 80
FOLDERS = ("raft", "jobqueue", "sim", "tools")
NOT_FUNCTION = re.compile(r"^\s*(namespace|class|struct|enum|union|extern|template\s*<[^>]*>\s*(class|struct))\b")


TEMPLATE_HEAD = re.compile(r"^\s*template\s*<.*>\s*$")
ACCESS_LABEL = re.compile(r"^\s*(public|private|protected)\s*:\s*$")
NOT_OPENER = ("//", "}", "{", "case ", "default:")


def signature_start(lines, i):
    """First line of the declaration whose body opens at line i: walk back to the end of the
    previous statement, declaration or comment. Clang-format aligns a wrapped signature with its
    open parenthesis (or indents it by 4), so the line holding "{" may be indented deeper than
    the signature's first line."""
    start = i
    while start > 0:
        p = lines[start - 1].strip()
        if (not p or p.endswith((";", "}", "{", "*/")) or p.startswith(("//", "#", "/*"))
                or ACCESS_LABEL.match(p)):
            break
        start -= 1
    return start


def functions(lines):
    """(name line, first line, last line) of each function definition."""
    found = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped.endswith("{") or stripped.startswith(NOT_OPENER):
            i += 1
            continue
        start = signature_start(lines, i)
        first = lines[start]
        indent = len(first) - len(first.lstrip(" "))
        # A template's parameter list may stand on its own line above the declaration.
        declaration = start
        while declaration < i and TEMPLATE_HEAD.match(lines[declaration]):
            declaration += 1
        head = lines[declaration]
        if (indent not in (0, 2, 4) or NOT_FUNCTION.match(head)
                or head.strip().startswith(NOT_OPENER) or "=" in head.split("(")[0]):
            i += 1
            continue
        closing = " " * indent + "}"
        j = i + 1
        while j < len(lines) and not (lines[j].startswith(closing)
                                      and (len(lines[j]) == indent + 1
                                           or lines[j][indent + 1] in ";) ")):
            j += 1
        if j < len(lines):
            found.append((start + 1, j + 1, head.strip()))
            i = j
        i += 1
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    problems = []
    checked_files = 0
    checked_functions = 0
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            lines = path.read_text().splitlines()
            checked_files += 1
            relative = path.relative_to(root)
            if len(lines) > FILE_LINES_MAX:
                problems.append(f"{relative}: {len(lines)} lines (limit {FILE_LINES_MAX})")
            for first, last, text in functions(lines):
                checked_functions += 1
                length = last - first + 1
                if length > FUNCTION_LINES_MAX:
                    problems.append(f"{relative}:{first}: function of {length} lines "
                                    f"(limit {FUNCTION_LINES_MAX}): {text[:60]}")
    for problem in problems:
        print(problem)
    print(f"sizes: {checked_files} files, {checked_functions} functions checked, "
          f"{len(problems)} over the limits")
    if checked_files == 0:
        sys.exit(2)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
