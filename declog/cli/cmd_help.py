from __future__ import annotations

import click


@click.command("help", epilog="Examples:\n\n\b\n  declog help\n  declog help set\n  declog help new decision")
@click.argument("command", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def help_(ctx: click.Context, command: tuple[str, ...]) -> int:
    """Show the help of COMMAND (as `declog COMMAND --help` does), or of declog itself."""
    group = ctx.parent.command if ctx.parent is not None else ctx.command
    parent = ctx.parent or ctx
    target: click.Command = group
    names: list[str] = []
    for name in command:
        if not isinstance(target, click.Group):
            raise click.UsageError(f"'declog {' '.join(names)}' has no subcommands", ctx)
        sub = target.get_command(parent, name)
        if sub is None:
            import difflib

            close = difflib.get_close_matches(name, target.list_commands(parent), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        names.append(name)
        parent = click.Context(sub, info_name=name, parent=parent)
        target = sub
    click.echo(target.get_help(parent), nl=True)
    return 0
