from __future__ import annotations

from typing import Any

import click

from declog.cli.common import complete_ids, format_option, here, open_log, out


@click.command(epilog="Examples:\n\n\b\n  declog history D-7k3m9q\n  declog history 7k3 --format json")
@click.argument("record_id", metavar="ID", shell_complete=complete_ids())
@format_option(("text", "json"), "text")
def history(record_id: str, fmt: str) -> int:
    """Every commit that changed a record, newest first, field by field (status: proposed →
    accepted), following the record by its ID through renames and moves; staged and uncommitted
    changes first; then the commits whose message carries a `Decision: ID` trailer. An imported
    decision goes on into the history of its markdown file (marked `[path]`), renames followed."""
    from declog.history import History
    from declog.history.timeline import resolve_any, source_path, timeline
    from declog.render import history as render_history

    log = open_log()
    hist = History(log)
    try:
        rid, record = resolve_any(log, record_id, hist)
        rh = hist.record(rid, work=True)
        source = source_path(record.data) if record is not None else None
        if record is None:  # a deleted record: the source its last version named
            last = hist.data_of([next((e.new_oid or e.old_oid for e in rh.events), None)])
            source = source_path(next(iter(last.values()), None))
        entries = timeline(hist, rh, source)
        title = record.title if record is not None else next((e.title for e in entries if e.title), "")
        path = record.path if record is not None else None
        if fmt == "json":
            render_history.history_json(rid, title, path, entries, rh.linked, out(), partial=rh.partial)
        else:
            import dataclasses

            def shown(e: Any) -> Any:  # the paths of an entry as the user sees them (JSON keeps the repository's)
                return dataclasses.replace(e, path=e.path and here(log, e.path),
                                           old_path=e.old_path and here(log, e.old_path))

            render_history.history_text(rid, title, path and here(log, path), [shown(e) for e in entries], rh.linked,
                                        log.config.trailer, out(), partial=rh.partial)
    finally:
        hist.close()
    return 0
