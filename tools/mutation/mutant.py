"""A mutant as a record (file, line, column, original, replacement, context) and its application.

A record re-finds its site in the current text: first at (line, column), then -- if the file
moved -- as the unique occurrence of the site's line prefix + original + line suffix. Anything
else is a SiteMovedError naming the mutant, so a stale mutant list fails loudly instead of
mutating the wrong code. `applied()` is a context manager that restores the file byte for byte
on exit, exception or Ctrl-C.
"""
import contextlib
import hashlib
import os
import signal


class SiteMovedError(Exception):
    pass


def make_record(view, path, operator, start, original, replacement):
    line, col = view.line_col(start)
    end_line, end_col = view.line_col(start + len(original))
    return {
        "file": path,
        "line": line,
        "col": col,
        "operator": operator,
        "original": original,
        "replacement": replacement,
        "context_before": view.line_text(line)[:col],
        "context_after": view.line_text(end_line)[end_col:],
        "function": view.function_at(start) or "",
    }


def locate(text, record):
    """Offset of the record's site in text, or SiteMovedError."""
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    original, before, after = record["original"], record["context_before"], record["context_after"]
    if record["line"] <= len(line_starts):
        at = line_starts[record["line"] - 1] + record["col"]
        line_start = line_starts[record["line"] - 1]
        if text[line_start:at] == before and text.startswith(original + after, at):
            return at
    needle = before + original + after
    hits = []
    search_from = 0
    while True:
        found = text.find(needle, search_from)
        if found < 0:
            break
        if found == 0 or text[found - 1] == "\n":  # the prefix is a whole line prefix
            hits.append(found + len(before))
        search_from = found + 1
    if len(hits) == 1:
        return hits[0]
    raise SiteMovedError(
        f"mutant {record.get('id', '?')}: {record['file']}:{record['line']} -- "
        f"{'not found' if not hits else str(len(hits)) + ' candidate sites'} for "
        f"{original!r} (the source changed since the list was generated; regenerate it)")


def mutated_text(text, record):
    at = locate(text, record)
    return text[:at] + record["replacement"] + text[at + len(record["original"]):]


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def applied(root, record):
    """Writes the mutant into root/record['file'] for the duration of the block; restores the
    original bytes afterwards, even on an exception or SIGINT/SIGTERM, and checks they match."""
    path = os.path.join(root, record["file"])
    with open(path, "rb") as handle:
        original_bytes = handle.read()
    text = original_bytes.decode("utf-8")
    new_text = mutated_text(text, record)

    def restore():
        with open(path, "wb") as handle:
            handle.write(original_bytes)
        with open(path, "rb") as handle:
            if sha256_bytes(handle.read()) != sha256_bytes(original_bytes):
                raise RuntimeError(f"restore of {path} is not byte-identical")

    def on_signal(number, _frame):
        restore()
        raise KeyboardInterrupt(f"signal {number}")

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with open(path, "wb") as handle:
            handle.write(new_text.encode("utf-8"))
        yield path
    finally:
        restore()
        for number, handler in previous.items():
            signal.signal(number, handler)
