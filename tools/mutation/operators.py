"""The fixed mutation operators: each finds every site of its kind in a CodeView.

A site is (operator, start offset, original text, replacement text). Operators see only code
(comments, literals and preprocessor lines are blanked) and never a span the view skips
(assertions, logging, bug-catalogue queries, invariant checkers). The rules lean on
clang-format's spacing: a binary operator has a space on both sides, a template bracket never.
"""
import re

from cxx_scan import matching_paren

OPERATORS = ("cmp_flip", "eq_flip", "off_by_one", "minmax_swap", "negate_if", "and_or_swap",
             "bool_return_flip", "delete_statement")

# Functions that handle a received message or a client command (for delete_statement).
MESSAGE_HANDLERS = re.compile(
    r"((^|::)(handle_\w+|on_\w+|step)|^JobQueue::(apply|execute|enqueue|lease|complete|fail|"
    r"heartbeat|cancel))$")

CMP_FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
EQ_FLIP = {"==": "!=", "!=": "=="}
AND_OR = {"&&": "||", "||": "&&"}
STATEMENT_KEYWORDS = ("return", "if", "else", "for", "while", "do", "switch", "case", "default",
                      "break", "continue", "goto", "throw", "co_return", "using", "typedef",
                      "static_assert", "const", "constexpr", "auto", "static", "struct", "class")


def _spaced_binary(view, table, operator):
    """Sites of spaced binary operators from `table` (e.g. ' < ' but never '<<' or '<=>')."""
    alternatives = "|".join(re.escape(op) for op in sorted(table, key=len, reverse=True))
    for m in re.finditer(r"(?<= )(" + alternatives + r")(?= )", view.code):
        before = view.code[m.start() - 2] if m.start() >= 2 else " "
        if before in "<>=!&|":  # part of a longer operator such as '<<=' (defensive)
            continue
        yield operator, m.start(), m.group(1), table[m.group(1)]


def off_by_one(view):
    """'x + 1' -> 'x' and 'x - 1' -> 'x': an index one off (the +/- 1 forgotten)."""
    for m in re.finditer(r" [+-] 1(?![\w.'])", view.code):
        if view.code[m.start() - 1] in "(,=<>!&|?:+-*/":  # not a binary +/- after an operand
            continue
        yield "off_by_one", m.start(), m.group(0), ""


def minmax_swap(view):
    for m in re.finditer(r"\bstd::(min|max)\b(?=\s*[(<])", view.code):
        swapped = "std::max" if m.group(1) == "min" else "std::min"
        yield "minmax_swap", m.start(), m.group(0), swapped


def negate_if(view):
    """'if (c)' -> 'if (!(c))'; with an init-statement only the condition after ';' is negated.
    A declaration condition ('if (auto x = f())') has no negation that compiles: not a site."""
    for m in re.finditer(r"\bif\s*(constexpr\s*)?\(", view.code):
        if m.group(1):
            continue
        open_at = m.end() - 1
        close_at = matching_paren(view.code, open_at)
        if close_at < 0:
            continue
        inner = view.code[open_at + 1:close_at]
        start = open_at + 1
        depth = 0
        for k, c in enumerate(inner):  # an init-statement ends at a top-level ';'
            depth += c in "([{"
            depth -= c in ")]}"
            if c == ";" and depth == 0:
                start = open_at + 1 + k + 1
                while view.code[start] == " ":
                    start += 1
        condition = view.text[start:close_at]
        if re.search(r"(?<![=!<>])=(?!=)", view.code[start:close_at]):
            continue  # a declaration (or an assignment) as condition
        yield "negate_if", start, condition, "!(" + condition + ")"


def bool_return_flip(view):
    for m in re.finditer(r"\breturn (true|false);", view.code):
        flipped = "false" if m.group(1) == "true" else "true"
        yield "bool_return_flip", m.start() + len("return "), m.group(1), flipped


def delete_statement(view):
    """A one-line expression statement (a call, an assignment, '++x', 'return;') inside a
    message or command handler, replaced by '{}' (valid wherever a statement is)."""
    for line_number in range(1, len(view.line_starts) + 1):
        start = view.line_starts[line_number - 1]
        line_code = view.line_text(line_number)
        code = view.code[start:start + len(line_code)]
        stripped = code.strip()
        if not stripped.endswith(";") or stripped.count("(") != stripped.count(")"):
            continue
        first_word = re.match(r"[A-Za-z_]\w*", stripped)
        if stripped != "return;":
            if not first_word or first_word.group(0) in STATEMENT_KEYWORDS:
                if not stripped.startswith(("++", "--")):
                    continue
            elif not re.match(r"[A-Za-z_][\w:]*(\s*(\.|->)\s*\w+|\[[^\]]*\])*\s*"
                              r"(\(|[-+*/|&^]?=(?!=)|\+\+|--)", stripped):
                continue  # a declaration ('Type name = ...;') or something else
        if not _follows_statement_boundary(view, start):
            continue  # a continuation line ('x =\n    f(y);'): deleting it is no deletion
        column = len(code) - len(code.lstrip())
        offset = start + column
        name = view.function_at(offset)
        if name is None or not MESSAGE_HANDLERS.search(name):
            continue
        statement = view.text[offset:offset + len(stripped)]
        yield "delete_statement", offset, statement, "{}"


def _follows_statement_boundary(view, line_start):
    """True if the last code before line_start ends a statement, a block, a label or a
    control header (';', '{', '}', ':', ')', 'else')."""
    before = view.code[:line_start].rstrip()
    return before == "" or before.endswith((";", "{", "}", ":", ")")) or \
        re.search(r"\belse$", before) is not None


def all_sites(view):
    """Every site of every operator in the view, skipped spans removed, in file order."""
    finders = [
        lambda v: _spaced_binary(v, CMP_FLIP, "cmp_flip"),
        lambda v: _spaced_binary(v, EQ_FLIP, "eq_flip"),
        off_by_one, minmax_swap, negate_if,
        lambda v: _spaced_binary(v, AND_OR, "and_or_swap"),
        bool_return_flip, delete_statement,
    ]
    sites = []
    for finder in finders:
        for operator, start, original, replacement in finder(view):
            if view.function_at(start) is None:
                continue  # outside any function body: a constant or a declaration
            if operator != "negate_if" and view.is_skipped(start, start + max(len(original), 1)):
                continue
            if operator == "negate_if" and view.is_skipped(start, start + len(original)) and \
                    _entirely_skipped(view, start, start + len(original)):
                continue
            sites.append((operator, start, original, replacement))
    return sorted(sites, key=lambda s: (s[1], s[0]))


def _entirely_skipped(view, start, end):
    """True if every code character of [start, end) lies in a skipped span."""
    for k in range(start, end):
        if view.code[k] in " \n!()":
            continue
        if not any(a <= k < b for a, b in view.skipped):
            return False
    return True
