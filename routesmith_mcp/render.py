"""Plain-text tables for the CLI (no dependency, fits the terminal)."""

from __future__ import annotations

import csv
import io
import shutil
import textwrap
from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, wrap_last: bool = True) -> str:
    """Render rows as an aligned table; the last column wraps to the terminal width."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    if wrap_last and headers:
        budget = shutil.get_terminal_size((120, 24)).columns - sum(widths[:-1]) - 2 * (len(headers) - 1)
        widths[-1] = max(20, min(widths[-1], budget))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        head = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(row[:-1], widths)]
        tail = textwrap.wrap(row[-1], widths[-1]) if wrap_last else [row[-1]]
        for i, piece in enumerate(tail or [""]):
            lead = head if i == 0 else [""] * len(head)
            lines.append("  ".join([*(c.ljust(w) for c, w in zip(lead, widths)), piece]).rstrip())
    return "\n".join(lines)


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "-"
    return " ".join(str(value).split())
