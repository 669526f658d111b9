"""Every command has --help with an example."""

from __future__ import annotations

import pytest

COMMANDS = [(), ("init",), ("new",), ("new", "owner"), ("new", "decision"), ("show",), ("list",), ("set",),
            ("edit",), ("supersede",), ("validate",), ("schema",)]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "declog")
def test_help_has_an_example(run, command: tuple[str, ...]) -> None:
    res = run(None, *command, "--help")
    assert res.exit_code == 0, res.output
    assert "Usage: declog" in res.stdout
    assert "Example" in res.stdout
    assert "declog " + " ".join(command) in res.stdout.split("Example", 1)[1]


def test_the_top_level_help_lists_the_commands(run) -> None:
    res = run(None, "--help")
    for name in ("init", "new", "show", "list", "set", "edit", "supersede", "validate", "schema"):
        assert f"\n  {name} " in res.stdout


def test_version(run) -> None:
    from declog import __version__

    res = run(None, "--version")
    assert res.exit_code == 0 and __version__ in res.stdout
