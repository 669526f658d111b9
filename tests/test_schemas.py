"""schemas/ is generated from the models; these tests fail when it drifts or stops working."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from declog.core import schema
from declog.domain.kinds import KINDS

ROOT = Path(__file__).resolve().parents[1]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_schema_matches_the_models(kind: str) -> None:
    committed = (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema.render(kind), f"schemas/{kind}.schema.json is stale: run `make schemas`"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_draft07_with_id_and_no_2020_keywords(kind: str) -> None:
    body = json.loads(schema.render(kind))
    assert body["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert body["$id"].endswith(f"/{kind}.schema.json")
    text = json.dumps(body)
    for keyword in ("$defs", "prefixItems", "unevaluatedProperties", "dependentRequired"):
        assert keyword not in text
    assert body["additionalProperties"] is False


def test_schema_check_command_reports_drift(tmp_path: Path, run) -> None:
    assert run(None, "schema", "--out", str(tmp_path)).exit_code == 0
    assert run(None, "schema", "--out", str(tmp_path), "--check").exit_code == 0
    (tmp_path / "decision.schema.json").write_text("{}\n", encoding="utf-8")
    res = run(None, "schema", "--out", str(tmp_path), "--check")
    assert res.exit_code == 1
    assert "decision.schema.json: out of date" in res.stderr


def _check_jsonschema(schema_file: Path, record: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file), str(record)],
                          capture_output=True, text=True, check=False)


@pytest.mark.skipif(not CHECK_JSONSCHEMA.exists(), reason="check-jsonschema is a dev dependency")
def test_other_tools_can_validate_records_with_the_schema(tmp_path: Path) -> None:
    """An editor or check-jsonschema accepts a valid record and refuses an unknown field."""
    decision_schema = ROOT / "schemas" / "decision.schema.json"
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: D-abc123\ntitle: Use Postgres\nstatus: accepted\nowner: alice\ndoor: two-way\n"
        "context: Orders need transactions\ndecision: Postgres\nrationale: ACID\ndecided_on: 2026-03-02\n",
        encoding="utf-8",
    )
    assert _check_jsonschema(decision_schema, good).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    res = _check_jsonschema(decision_schema, bad)
    assert res.returncode == 1
    assert "colour" in res.stdout + res.stderr


def test_this_repository_log_schemas_are_current() -> None:
    """`declog init` wrote editor schemas into decisions/.schemas/; they must match the models."""
    for kind in KINDS:
        path = ROOT / "decisions" / ".schemas" / f"{kind}.schema.json"
        assert path.read_text(encoding="utf-8") == schema.render(kind), f"run `declog init` to refresh {path}"


def test_this_repository_records_its_own_decisions(run) -> None:
    """The project keeps its design decisions with declog, each with rejected options."""
    res = run(ROOT, "list", "--status", "accepted", "--format", "json")
    assert res.exit_code == 0, res.stderr
    decisions = json.loads(res.stdout)
    assert len(decisions) >= 5
    for d in decisions:
        assert d["options"] and all(o.get("why_not") for o in d["options"]), d["id"]
    assert run(ROOT, "validate").exit_code == 0
