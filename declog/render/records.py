"""Turning records and reports into text for people or JSON for scripts. Every function writes
to the stream it is given; nothing here reads files."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, TextIO

from declog.domain.controls import one_line
from declog.storage.store import Record

LIST_FORMATS = ("table", "json", "csv", "markdown", "ids")
COLUMNS = {
    "decision": ("id", "status", "door", "owner", "decided_on", "title"),
    "owner": ("id", "kind", "name", "team", "active"),
    "mechanism": ("id", "status", "owner", "cadence", "name"),
    "inspection": ("id", "on", "mechanism", "verdict", "inspector"),
    "correction": ("id", "status", "owner", "open_items", "title"),
    "narrative": ("id", "status", "owner", "decisions", "title"),
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _rows(records: Sequence[Record]) -> tuple[list[str], list[list[str]]]:
    kinds = {r.kind.name for r in records}
    if len(kinds) == 1:
        cols = list(COLUMNS.get(next(iter(kinds)), ("id", "title")))
    else:
        cols = ["id", "kind", "status", "owner", "title"]
    rows = []
    for r in records:
        row = []
        for c in cols:
            if c == "id":
                row.append(r.id or "")
            elif c == "kind" and len(kinds) > 1:  # mixed kinds: the record kind; owners alone: person/team
                row.append(r.kind.name)
            elif c == r.kind.title_field or (c == "title" and len(kinds) > 1):  # mixed kinds: an owner's name
                row.append(r.title)
            elif c == "cadence":
                plan = (r.data or {}).get("inspection")
                row.append(_cell(plan.get("cadence")) if isinstance(plan, dict) else "")
            elif c == "open_items":
                items = (r.data or {}).get("action_items")
                row.append(str(sum(1 for i in items if isinstance(i, dict) and i.get("status", "open") == "open"))
                           if isinstance(items, list) else "0")
            else:
                row.append(_cell((r.data or {}).get(c)))
        rows.append(row)
    return cols, rows


def records_list(records: Sequence[Record], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        # one write: json.dump would call out.write once per token (over a million for 10,000 records)
        out.write(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "ids":
        for r in records:
            out.write(f"{r.id}\n")
        return
    cols, rows = _rows(records)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows(rows)
        return
    if fmt == "markdown":
        from declog.render.markdown import cell, table

        out.write(table(cols, ([cell(c) for c in row] for row in rows)))
        return
    from tabulate import tabulate

    # each cell one line, its controls spelled out before tabulate measures it: an escape
    # sequence (which tabulate counts as zero width) or a newline cannot shift or split a row
    rows = [[one_line(c) for c in row] for row in rows]
    out.write(tabulate(rows, headers=cols, tablefmt="simple", disable_numparse=True) + "\n")


def _sections(value: Any, out: TextIO) -> None:
    """An imported ADR's other sections: each heading, then its markdown, indented."""
    out.write("sections:\n")
    for section in value:
        if not isinstance(section, dict):
            continue
        out.write(f"  ## {_cell(section.get('heading'))}\n")
        for line in str(section.get("text") or "").rstrip().splitlines():
            out.write(f"    {line}\n" if line.strip() else "\n")


def _block(label: str, value: Any, out: TextIO, indent: str = "") -> None:
    if value is None or value == [] or value == "":
        return
    if label == "sections" and not indent and isinstance(value, list):
        _sections(value, out)
        return
    if isinstance(value, str) and "\n" in value.strip():
        out.write(f"{indent}{label}:\n")
        for line in value.rstrip().splitlines():
            out.write(f"{indent}  {line}\n")
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out.write(f"{indent}{label}:\n")
        for item in value:
            first = True
            for k, v in item.items():
                prefix = "  - " if first else "    "
                out.write(f"{indent}{prefix}{k}: {_cell(v)}\n")
                first = False
    elif isinstance(value, dict):
        out.write(f"{indent}{label}:\n")
        for k, v in value.items():
            _block(str(k), v, out, indent + "  ")
    else:
        out.write(f"{indent}{label}: {_cell(value)}\n")


def record_text(record: Record, out: TextIO, git: dict[str, Any] | None = None) -> None:
    """A record for a person: title line, then every field, then what git knows."""
    data = record.data or {}
    out.write(f"{record.id}  {one_line(record.title)}\n")
    out.write(f"  {record.kind.name} · {one_line(record.path)}\n")
    fields = [(k, v) for k, v in data.items() if k not in (record.kind.id_field, record.kind.title_field)]
    if fields:
        out.write("\n")
    for key, value in fields:
        _block(key, value, out)
    if git:
        out.write("\n")
        for key, value in git.items():
            _block(key, value, out)


def record_json(record: Record, out: TextIO, git: dict[str, Any] | None = None) -> None:
    body = record.as_json()
    if git is not None:
        body["git"] = git
    json.dump(body, out, ensure_ascii=False, indent=2)
    out.write("\n")


def report_text(report: Any, out: TextIO) -> None:
    for issue in report.issues:
        out.write(one_line(issue.format()) + "\n")  # a file name or value with a newline stays on its line


def report_json(report: Any, out: TextIO) -> None:
    out.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")


def change_json(change: Any, out: TextIO) -> None:
    """A change made (or previewed) by one of the weekly loops (``declog.core.loops.Change``)."""
    body = {"id": change.record.id, "path": change.path, "written": change.written, "diff": change.diff,
            "record": change.record.as_json()}
    json.dump(body, out, ensure_ascii=False, indent=2)
    out.write("\n")
