"""A small lexical view of a clang-formatted C++ source file, enough to place mutants safely.

`CodeView` keeps the text and a same-length copy in which comments, string and character
literals and preprocessor lines are blanked (newlines kept), so every offset in the copy is an
offset in the text. It also knows, for every offset, the enclosing top-level function (by
qualified name) and the spans that must never be mutated (assertion and logging macros: mutating
an assertion only weakens a checker). No parser: the rules lean on clang-format's layout.
"""
import bisect
import re

# Calls whose arguments are checks or output, never behaviour under test.
SKIPPED_CALLS = re.compile(
    r"\b(RAFTSIM_CHECK\w*|RAFTSIM_UNREACHABLE|assert|static_assert|std::s?n?printf|"
    r"std::fprintf|std::fputs|fprintf|printf)\s*\(")
# A catalogued-bug query: a mutation inside it only toggles an injected bug (test instrumentation).
BUG_QUERY = re.compile(r"\b(?:\w+(?:\.|->))*bugs_?\s*\.\s*has\s*\(")
# Function bodies that are checkers themselves (invariant checks), skipped like assertions.
CHECKER_FUNCTIONS = re.compile(r"(^|::)check_invariants$")


def blank_comments_and_literals(text):
    """The text with comments, string/char literals and preprocessor lines replaced by spaces."""
    out = list(text)
    i, n = 0, len(text)
    at_line_start = True

    def blank(start, end):
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if at_line_start and c == "#":
            end = i
            while end < n and not (text[end] == "\n" and text[end - 1] != "\\"):
                end += 1
            blank(i, end)
            i = end
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
            i = end
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            # A ' right after a digit or letter is a digit separator (1'000'000), not a literal.
            end = i + 1
            while end < n and text[end] != c:
                end += 2 if text[end] == "\\" else 1
            blank(i + 1, end)  # keep the quotes, so "a" stays an operand-like token
            i = end + 1
        else:
            i += 1
    return "".join(out)


def matching_paren(code, open_at):
    """Offset of the parenthesis closing the one at open_at (in blanked code), or -1."""
    depth = 0
    for k in range(open_at, len(code)):
        if code[k] == "(":
            depth += 1
        elif code[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


class CodeView:
    def __init__(self, text):
        self.text = text
        self.code = blank_comments_and_literals(text)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.functions = self._find_functions()  # (open, close, qualified name)
        self.skipped = self._find_skipped_spans()

    # --- positions ---
    def line_col(self, offset):
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line]

    def offset(self, line, col):
        return self.line_starts[line - 1] + col

    def line_text(self, line):
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    # --- structure ---
    def _find_functions(self):
        """Top-level function bodies: a '{' at namespace level whose header has a '('."""
        code = self.code
        stack = []  # kinds of open braces: "namespace", "type", "function", "block"
        header_start = 0
        functions = []
        for k, c in enumerate(code):
            if c == "{":
                header = code[header_start:k]
                if any(kind == "function" for kind, _, _ in stack):
                    stack.append(("block", k, None))
                elif re.search(r"\bnamespace\b", header) or re.search(r"\bextern\b", header):
                    stack.append(("namespace", k, None))
                elif "(" in header and not re.search(r"\b(class|struct|enum|union)\b", header):
                    name = re.search(r"([A-Za-z_][\w:~]*)\s*\(", header)
                    stack.append(("function", k, name.group(1) if name else "?"))
                else:
                    stack.append(("type", k, None))
                header_start = k + 1
            elif c == "}":
                if stack:
                    kind, open_at, name = stack.pop()
                    if kind == "function":
                        functions.append((open_at, k, name))
                header_start = k + 1
            elif c == ";" and not any(kind == "function" for kind, _, _ in stack):
                header_start = k + 1
        return functions

    def function_at(self, offset):
        for open_at, close_at, name in self.functions:
            if open_at < offset < close_at:
                return name
        return None

    def _find_skipped_spans(self):
        spans = []
        for pattern in (SKIPPED_CALLS, BUG_QUERY):
            for m in pattern.finditer(self.code):
                close = matching_paren(self.code, m.end() - 1)
                spans.append((m.start(), close + 1 if close >= 0 else len(self.code)))
        for open_at, close_at, name in self.functions:
            if CHECKER_FUNCTIONS.search(name):
                spans.append((open_at, close_at + 1))
        return sorted(spans)

    def is_skipped(self, start, end):
        """True if [start, end) overlaps an assertion, logging call, bug query or checker."""
        for span_start, span_end in self.skipped:
            if span_start < end and start < span_end:
                return True
        return False
