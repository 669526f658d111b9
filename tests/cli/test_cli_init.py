"""declog init: sets up the log once; running it again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from declog.core import schema
from tests.cli.helpers import snapshot


def test_init_creates_config_folders_and_schemas(repo: Path, run) -> None:
    res = run(repo, "init")
    assert res.exit_code == 0, res.output
    assert ("created .declog.yaml, decisions/, decisions/corrections/, decisions/inspections/, "
            "decisions/mechanisms/, decisions/narratives/, decisions/owners/, decisions/.schemas/") in res.stdout
    kinds = ("correction", "decision", "inspection", "mechanism", "narrative", "owner")
    assert sorted(snapshot(repo)) == sorted([
        ".declog.yaml", "decisions/.gitkeep", *(f"decisions/.schemas/{k}.schema.json" for k in kinds),
        "decisions/owners/.gitkeep", "decisions/mechanisms/.gitkeep", "decisions/inspections/.gitkeep",
        "decisions/corrections/.gitkeep", "decisions/narratives/.gitkeep",
    ])
    for kind in kinds:
        text = (repo / "decisions" / ".schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert text == schema.render(kind)
        assert json.loads(text)["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "root: decisions" in (repo / ".declog.yaml").read_text(encoding="utf-8")


def test_init_is_idempotent(repo: Path, run) -> None:
    assert run(repo, "init").exit_code == 0
    cfg = repo / ".declog.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "# my own note\n", encoding="utf-8")
    before = snapshot(repo)
    res = run(repo, "init")
    assert res.exit_code == 0
    assert "already set up" in res.stdout and "created" not in res.stdout
    assert snapshot(repo) == before


def test_init_from_a_subfolder_uses_the_repository_root(repo: Path, run) -> None:
    (repo / "src" / "deep").mkdir(parents=True)
    assert run(repo / "src" / "deep", "init").exit_code == 0
    assert (repo / ".declog.yaml").is_file() and (repo / "decisions" / "owners").is_dir()
    assert not (repo / "src" / "deep" / ".declog.yaml").exists()


def test_init_with_another_root(repo: Path, run) -> None:
    res = run(repo, "init", "--root", "docs/decisions")
    assert res.exit_code == 0
    assert (repo / "docs" / "decisions" / "owners").is_dir()
    assert (repo / "docs" / "decisions" / ".schemas" / "decision.schema.json").is_file()
    assert run(repo, "new", "owner", "alice", "--name", "A").exit_code == 0
    assert (repo / "docs" / "decisions" / "owners" / "alice.yaml").is_file()
    res = run(repo, "init", "--root", "elsewhere")
    assert res.exit_code == 2 and "already lives in docs/decisions/" in res.stderr


def test_init_restores_missing_schemas(repo: Path, run) -> None:
    assert run(repo, "init").exit_code == 0
    (repo / "decisions" / ".schemas" / "owner.schema.json").unlink()
    res = run(repo, "init")
    assert res.exit_code == 0 and "decisions/.schemas/" in res.stdout
    assert (repo / "decisions" / ".schemas" / "owner.schema.json").read_text(encoding="utf-8") == schema.render("owner")


def test_init_refuses_a_root_outside_the_repository(repo: Path, run) -> None:
    res = run(repo, "init", "--root", "../outside")
    assert res.exit_code == 2 and "root must be a folder inside the repository" in res.stderr
    assert snapshot(repo) == {}
