from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from declog.cli.common import format_option, here, open_log, out, settle_tracked


@click.command(epilog="Examples:\n\n\b\n  declog validate\n  declog validate decisions/D-7k3m9q-use-postgres.yaml\n"
               "  declog validate --format json | jq .problems\n"
               "  declog validate --against origin/main   # in CI or at pre-push")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False), metavar="[PATH...]")
@format_option(("text", "json"), "text")
@click.option("--against", "against", metavar="REF", default=None,
              help="Also check against the branch this one merges into: IDs it took since the fork, "
                   "records deleted here that it still has, rewritten accepted decisions.")
@click.option("--tracked", is_flag=True,
              help="Leave out record files git does not track (the pre-commit hook's view: what is being "
                   "committed, since pre-commit sets unstaged changes aside).")
def validate(paths: tuple[str, ...], fmt: str, against: str | None, tracked: bool) -> int:
    """Check records: YAML, schema, unknown fields, lifecycle, required fields, duplicate IDs,
    references and supersede links. Prints path:line:col: field: message per problem.

    With PATHs (as the pre-commit hook passes them) the whole log is still read, and problems in
    or pointing at those files are reported. Exits 1 when there are problems.
    """
    from declog.core.validate import validate as run
    from declog.render import records as render

    log = open_log(probe=not paths)  # given files were just changed: git's index cannot vouch for them
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        from declog.errors import UsageError

        raise UsageError(f"{missing[0]}: no such file (give record files inside {log.config.root}/, or no path for all)")
    only = None
    if not tracked:
        settle_tracked(log)
    else:
        from declog.history import Git

        # git lists them, with their blobs and which ones changed, while the log is read (started
        # before the command line loaded, by declog.__main__, when it could be); the light read
        # takes each unchanged file's record by its blob instead of walking the log
        if log.tracked is None:
            log.tracked = Git(log.repo).index_files_later(log.config.root)
        listing = log.tracked

        def only() -> set[str]:
            return set(listing().blobs)
    report = run(log, [Path(p) for p in paths] or None, only)
    if against is not None:
        from declog.core.against import against as check_against

        report.issues.extend(check_against(log, against))
        report.issues.sort(key=lambda i: (i.path, i.line, i.column, i.field))
    for rel in report.unchecked:  # never silently: a path given and not checked
        from declog.domain.controls import one_line

        click.echo(f"declog: warning: {one_line(here(log, rel))}: not checked: {_unchecked(log, rel, only)}", err=True)
    if fmt == "json":
        render.report_json(report, out())
    else:
        import dataclasses

        # paths as the user sees them from the current folder (as git does in a sub-folder)
        report.issues[:] = [dataclasses.replace(i, path=here(log, i.path)) for i in report.issues]
        render.report_text(report, out())
        noun = "record" if report.checked == 1 else "records"
        if report.ok:
            click.echo(f"ok: {report.checked} {noun} checked", err=True)
        else:
            click.echo(f"{len(report.issues)} problem(s) in {report.checked} {noun} checked", err=True)
    return 0 if report.ok else 1


def _unchecked(log: Any, rel: str, only: Callable[[], set[str]] | None) -> str:
    """Why a path given to ``validate`` is no record of the log it checked."""
    path, root = log.abs(rel), log.config.root_dir
    if root in path.parents and any(p.is_symlink() for p in path.parents if root in p.parents):
        return "behind a symlinked folder, which declog never follows"
    if log.kind_of(path) is None:
        return f"not a record file of the log ({log.root_lead() or './'}, .yaml or .yml)"
    if only is not None and rel not in only():
        return "git does not track it (--tracked checks what git tracks)"
    return "not read as a record of the log"
