"""A numbered ADR whose subject is a template (engine, placeholder) is a decision, not a template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, git
from tests.importer.conftest import by_path, imported, nygard, write

D = "docs/decisions/"


def test_a_numbered_adr_about_templates_is_imported(log_repo: Path, run: Callable[..., Result]) -> None:
    write(log_repo, D + "0001-use-velocity-as-template-engine.md",
          nygard(1, "Use Velocity as template engine", "Accepted", context="Custom exports need templates."))
    write(log_repo, D + "0002-use-a-templated-readme.md", nygard(2, "Use a templated readme", "Accepted"))
    for name in ("template.md", "adr-template.md", "0000-template.md"):
        write(log_repo, D + name, nygard(0, "TITLE", "STATUS", date="DATE"))
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", "ADRs")
    files = by_path(imported(run, log_repo, "docs/decisions", "--owner", "alice"))
    assert files[D + "0001-use-velocity-as-template-engine.md"]["action"] == "imported"
    assert files[D + "0002-use-a-templated-readme.md"]["action"] == "imported"
    for name in ("template.md", "adr-template.md", "0000-template.md"):
        assert files[D + name]["action"] == "skipped", name
        assert "template" in files[D + name]["reason"]
