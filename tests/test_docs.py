"""The docs are tested like code: every command is documented, every help has an example, the
exit codes and field tables match the code, and the example records are valid."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from declog.cli import cli
from declog.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def listed_commands(text: str) -> list[str]:
    """The names in the "Commands:" section of a --help text."""
    names: list[str] = []
    section = re.search(r"^Commands:\n((?:  .*\n|\n)+?)(?:\S|\n  \S|\Z)", text + "\n", re.MULTILINE)
    assert section, f"no Commands: section in\n{text}"
    for line in section.group(1).splitlines():
        match = re.match(r"^  (\S+)(?:\s|$)", line)
        if match:
            names.append(match.group(1))
    return names


@cache
def commands() -> list[str]:
    return listed_commands(help_text())


@cache
def new_subcommands() -> list[str]:
    return listed_commands(help_text("new"))


def every_command() -> list[tuple[str, ...]]:
    return [(c,) for c in commands()] + [("new", s) for s in new_subcommands()]


@cache
def headings(doc: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", (DOCS / doc).read_text(encoding="utf-8"),
                                                   re.MULTILINE)]


def test_help_lists_the_commands() -> None:
    assert {"init", "new", "show", "list", "set", "validate"} <= set(commands())
    assert {"owner", "decision"} <= set(new_subcommands())


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_command_has_a_heading_in_commands_md(command: tuple[str, ...]) -> None:
    wanted = "declog " + " ".join(command)
    assert wanted in headings("commands.md"), f"docs/commands.md needs a heading '## {wanted}'"


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_command_help_has_an_example(command: tuple[str, ...]) -> None:
    assert "Example" in help_text(*command), f"`declog {' '.join(command)} --help` has no Example"


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_command_documents_its_exit_status(command: tuple[str, ...]) -> None:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    heading = re.escape("declog " + " ".join(command))
    section = re.search(rf"^#+ {heading}\n(.*?)(?=^## declog |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section is not None
    assert "Exit status:" in section.group(1) or command == ("new",), \
        f"the section of declog {' '.join(command)} in docs/commands.md has no 'Exit status:' line"


@pytest.mark.parametrize("code", list(ExitCode), ids=lambda c: c.name)
def test_exit_codes_md_lists_every_exit_code(code: ExitCode) -> None:
    text = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| {code.value} \| `{code.name}` \|", text, re.MULTILINE), \
        f"docs/exit-codes.md needs a row '| {code.value} | `{code.name}` | ... |'"


def test_exit_codes_md_lists_the_handler_codes() -> None:
    text = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    source = (ROOT / "declog" / "cli" / "__init__.py").read_text(encoding="utf-8")
    for code in sorted({int(c) for c in re.findall(r"sys\.exit\((\d+)\)", source)} - {c.value for c in ExitCode}):
        assert re.search(rf"^\| {code} \| ", text, re.MULTILINE), f"docs/exit-codes.md has no row for {code}"


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_records_md_is_up_to_date() -> None:
    gen = _load_script("gen_records_doc")
    current = (DOCS / "records.md").read_text(encoding="utf-8")
    assert gen.render(current) == current, "docs/records.md is out of date: run python scripts/gen_records_doc.py"


def test_records_md_documents_every_field() -> None:
    from declog.domain.models import Correction, Decision, Inspection, Mechanism, Narrative, Owner

    text = (DOCS / "records.md").read_text(encoding="utf-8")
    for model in (Owner, Decision, Mechanism, Inspection, Correction, Narrative):
        for name in model.model_fields:
            assert f"| `{name}` |" in text, f"{model.__name__}.{name} is not in docs/records.md"


def test_configuration_md_documents_every_setting() -> None:
    from declog.storage.config import Config

    settings = {f.name for f in dataclasses.fields(Config)} - {"repo"} | {"version"}
    found = set(headings("configuration.md"))
    assert settings <= found, f"docs/configuration.md needs a heading for {sorted(settings - found)}"


def _yaml_blocks(doc: str) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return re.findall(r"^```yaml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("doc", ["records.md", "concepts.md"])
def test_example_records_are_valid(doc: str) -> None:
    from declog.domain.models import Correction, Decision, Inspection, Mechanism, Narrative, Owner
    from declog.storage import yamlio

    by_letter: dict[str, Any] = {"D": Decision, "M": Mechanism, "I": Inspection, "C": Correction, "N": Narrative}
    checked = 0
    for block in _yaml_blocks(doc):
        if all(not line.strip() or line.lstrip().startswith("#") for line in block.splitlines()):
            continue  # comments only
        data = yamlio.load_record_text(block, doc)
        model = Owner if "handle" in data else by_letter.get(str(data["id"])[:1]) if "id" in data else None
        if model is None:
            continue  # a fragment, not a whole record
        record = model.model_validate(data)
        assert record.rule_problems() == [], f"{doc}: example {model.__name__} breaks a rule:\n{block}"
        checked += 1
    if doc == "records.md":
        assert checked >= 3


def test_relative_links_point_at_files() -> None:
    broken = []
    for doc in sorted(DOCS.rglob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            path = (doc.parent / target).resolve()
            if not path.exists():
                broken.append(f"{doc.relative_to(ROOT)} → {target}")
    assert not broken, f"broken links: {broken}"


def test_anchors_point_at_headings() -> None:
    def slug(heading: str) -> str:  # as GitHub makes them
        return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))

    broken = []
    for doc in sorted(DOCS.rglob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", text):
            page = (doc.parent / target) if target else doc
            if not page.exists():
                continue
            slugs = {slug(h) for h in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)}
            if anchor not in slugs:
                broken.append(f"{doc.relative_to(ROOT)} → {target}#{anchor}")
    assert not broken, f"links to missing headings: {broken}"
