from __future__ import annotations

from pathlib import Path

import click


@click.command(epilog="Examples:\n\n\b\n  declog schema decision > decision.schema.json\n  declog schema --out schemas\n"
               "  declog schema --out schemas --check   # exit 1 if the files are out of date")
@click.argument("kind", required=False, default=None)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Write every kind's schema into DIR.")
@click.option("--check", is_flag=True, help="With --out: do not write; exit 1 if any file differs.")
def schema(kind: str | None, out_dir: str | None, check: bool) -> int:
    """Print the JSON Schema of KIND, or write all of them with --out."""
    from declog.core import schema as schemas
    from declog.domain.kinds import KINDS, kind_named

    if out_dir is None:
        if check:
            from declog.errors import UsageError

            raise UsageError("--check compares files on disk: give the folder, e.g. `declog schema --out schemas --check`")
        name = kind_named(kind).name if kind else "decision"
        click.echo(schemas.render(name), nl=False)
        return 0
    if kind is not None:
        from declog.errors import UsageError

        raise UsageError("--out writes every kind's schema; drop KIND, or print one with `declog schema KIND`")
    target = Path(out_dir)
    if check:
        stale = [n for n in KINDS if not (target / f"{n}.schema.json").is_file()
                 or (target / f"{n}.schema.json").read_text(encoding="utf-8") != schemas.render(n)]
        for name in stale:
            click.echo(f"{target / (name + '.schema.json')}: out of date; run `declog schema --out {out_dir}`", err=True)
        return 1 if stale else 0
    changed = schemas.write_all(target)
    click.echo(f"wrote {len(changed)} schema file(s) to {target}" if changed else f"{target}: schemas up to date")
    return 0
