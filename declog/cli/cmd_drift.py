from __future__ import annotations

from typing import Any

import click

from declog.cli.common import format_option, here_in, open_log, out


@click.command(epilog="Examples:\n\n\b\n  declog drift\n  declog drift --format json | jq '.adoption[:5]'\n"
               "  declog drift || echo 'the code cites retired decisions or scopes point at nothing'")
@format_option(("text", "json"), "text")
def drift(fmt: str) -> int:
    """Where the log and the code have drifted apart: (a) references in tracked files to decision
    IDs or aliases (D-7k3m9q, ADR-0012, `reference_patterns` in .declog.yaml) that name no
    decision, or a superseded, rejected or deprecated one (with its replacement); (b) `scope`
    globs that match no tracked file; (c) per accepted decision with a scope, the commits since
    it was accepted that touched its scope and the share that carry its `Decision:` trailer
    (adoption), worst first. Exits 1 when (a) or (b) finds something, so CI can gate on it."""
    from declog.core.drift import drift as find
    from declog.render import context as render_context

    log = open_log()
    found = find(log)
    if fmt == "json":
        render_context.drift_json(found, out())
    else:
        render_context.drift_text(drift_here(log, found), out())
    return 1 if found.failed else 0


def drift_here(log: Any, found: Any) -> Any:
    """``found`` (a declog.core.drift.Drift) with its paths relative to the current folder, as git
    prints them, for the text that people read (`drift`, the Drift section of `review`); the JSON
    keeps the repository's."""
    import dataclasses

    return dataclasses.replace(found, references=[here_in(log, r) for r in found.references],
                               dead_scopes=[here_in(log, s) for s in found.dead_scopes])
