from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion", epilog="Examples:\n\n\b\n"
               "  eval \"$(declog completion bash)\"      # in ~/.bashrc\n"
               "  eval \"$(declog completion zsh)\"       # in ~/.zshrc\n"
               "  declog completion fish > ~/.config/fish/completions/declog.fish")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the shell completion script for SHELL: commands, options, record kinds, statuses
    and record IDs (read from the parse cache, so completing is fast)."""
    from click.shell_completion import get_completion_class

    from declog.cli import cli

    cls = get_completion_class(shell)
    assert cls is not None  # every shell of SHELLS has one
    click.echo(cls(cli, {}, "declog", "_DECLOG_COMPLETE").source())
    return 0
