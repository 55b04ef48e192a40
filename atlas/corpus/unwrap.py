"""Hard-wrapped lines joined back into paragraphs."""

from __future__ import annotations

import math

from atlas.corpus.clean import BULLET_RE, TERMINAL, normalise
from atlas.corpus.dateline import line_date

MIN_WRAP = 35  # lines shorter than this are headings/labels and never joined


def _joins(prev: str, nxt: str, width: float) -> bool:
    """Whether `nxt` continues the hard-wrapped line `prev`."""
    if len(prev) < MIN_WRAP or prev.endswith(TERMINAL) or prev.startswith("#"):
        return False
    if BULLET_RE.match(nxt) or line_date(nxt) or line_date(prev):
        return False
    if nxt[0].islower() or nxt[0].isdigit() or nxt[0] in "($\u20ac\u00a3%&":
        return True
    # A capitalised next line still continues when `prev` runs to the wrap width.
    return len(prev) >= 0.6 * width


def unwrap_lines(text: str) -> str:
    """Join hard-wrapped prose into one line per paragraph.

    A line of 35+ characters that does not end in terminal punctuation is joined to the next
    line unless that one is blank, indented (Reuters paragraphs start with 4 spaces), a list
    item or a date line. When the next line starts with a capital the previous one must also
    reach about the text's wrap width, so a headline directly above a paragraph stays apart.
    Output: paragraphs one per line, at most one blank line between blocks.
    """
    lines = normalise(text).split("\n")
    long_lines = sorted(len(s) for s in (ln.strip() for ln in lines) if len(s) >= MIN_WRAP)
    # Wrap width: the upper quartile of line lengths, rounded up so two lines use the longer.
    width = float(long_lines[math.ceil(0.75 * (len(long_lines) - 1))]) if long_lines else 0.0
    out: list[str] = []
    current: str | None = None
    last = ""
    for raw in lines:
        s = raw.strip()
        if not s:
            if current is not None:
                out.append(current)
                current = None
            if out and out[-1]:
                out.append("")
            continue
        indented = len(raw) - len(raw.lstrip(" ")) >= 2
        if current is not None and not indented and _joins(last, s, width):
            current += " " + s
        else:
            if current is not None:
                out.append(current)
            current = s
        last = s
    if current is not None:
        out.append(current)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
