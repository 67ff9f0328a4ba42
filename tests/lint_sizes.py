#!/usr/bin/env python3
"""Size limits of the house style: no file over 600 lines and no function over 80 lines in
raft/, jobqueue/ and sim/ (tests excepted).

Functions are found in clang-formatted code: a line at indentation 0, 2 or 4 that ends with "{"
and is not a namespace, class, struct, enum or union opens one; the next line with a "}" at the
same indentation closes it. The count runs from the first line of the signature to the closing
brace. Usage: lint_sizes.py REPO_ROOT
"""
import pathlib
import re
import sys

FILE_LINES_MAX = 600
FUNCTION_LINES_MAX = int(sys.argv[2]) if len(sys.argv) > 2 else 80
FOLDERS = ("raft", "jobqueue", "sim")
NOT_FUNCTION = re.compile(r"^\s*(namespace|class|struct|enum|union|extern|template\s*<[^>]*>\s*(class|struct))\b")


def functions(lines):
    """(name line, first line, last line) of each function definition."""
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        if (indent in (0, 2, 4) and stripped.endswith("{") and not NOT_FUNCTION.match(line)
                and not stripped.startswith(("//", "}", "{", "case ", "default:"))
                and "=" not in stripped.split("(")[0]):
            # The signature may span lines: walk back to its first line.
            start = i
            if stripped.startswith(":"):
                # A constructor's initializer list (clang-format indents it by 4): the function
                # starts at the signature above it and closes at the signature's indentation.
                while start > 0:
                    p = lines[start - 1].strip()
                    if not p or p.endswith((";", "}", "{")) or p.startswith(("//", "#")):
                        break
                    start -= 1
                indent = len(lines[start]) - len(lines[start].lstrip(" "))
            while start > 0:
                previous = lines[start - 1]
                p_indent = len(previous) - len(previous.lstrip(" "))
                p = previous.strip()
                if not p or p.endswith((";", "}", "{")) or p.startswith(("//", "#")) or p_indent < indent:
                    break
                if p_indent == indent and not p.endswith((",", "(", "&&", "||")) and ")" not in p:
                    # a new statement at the same indentation that is not a signature part
                    if not re.search(r"[\w>]\s*$", p):
                        break
                start -= 1
            closing = " " * indent + "}"
            j = i + 1
            while j < len(lines) and not (lines[j].startswith(closing)
                                          and (len(lines[j]) == indent + 1
                                               or lines[j][indent + 1] in ";) ")):
                j += 1
            if j < len(lines):
                found.append((start + 1, j + 1, stripped))
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
