"""declog schema: print or write the JSON Schemas, and check them for drift."""

from __future__ import annotations

import json
from pathlib import Path

from declog.core import schema


def test_print_a_schema(run) -> None:
    res = run(None, "schema")
    assert res.exit_code == 0
    assert res.stdout == schema.render("decision")
    body = json.loads(run(None, "schema", "owner").stdout)
    assert body["$id"].endswith("/owner.schema.json")
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {"handle", "name"}
    assert run(None, "schema", "gadget").exit_code == 2


def test_write_check_and_drift(tmp_path: Path, run) -> None:
    out = tmp_path / "schemas"
    res = run(None, "schema", "--out", str(out))
    assert res.exit_code == 0 and "wrote 6 schema file(s)" in res.stdout
    assert sorted(p.name for p in out.iterdir()) == [f"{k}.schema.json" for k in
                                                    ("correction", "decision", "inspection", "mechanism", "narrative", "owner")]
    assert run(None, "schema", "--out", str(out)).stdout.endswith("schemas up to date\n")
    assert run(None, "schema", "--out", str(out), "--check").exit_code == 0
    drifted = out / "decision.schema.json"
    drifted.write_text(drifted.read_text().replace('"title"', '"titel"', 1), encoding="utf-8")
    res = run(None, "schema", "--out", str(out), "--check")
    assert res.exit_code == 1 and "decision.schema.json: out of date" in res.stderr
    assert "owner.schema.json" not in res.stderr
    (out / "owner.schema.json").unlink()
    res = run(None, "schema", "--out", str(out), "--check")
    assert res.exit_code == 1 and "owner.schema.json: out of date" in res.stderr
    assert not (out / "owner.schema.json").exists()  # --check never writes


def test_check_needs_a_folder(run) -> None:
    res = run(None, "schema", "--check")
    assert res.exit_code == 2 and "--out" in res.stderr


def test_the_schema_accepts_what_the_model_accepts(run) -> None:
    body = json.loads(run(None, "schema", "decision").stdout)
    props = body["properties"]
    assert set(props) >= {"id", "title", "status", "owner", "door", "context", "options", "supersedes"}
    assert props["id"]["pattern"] == "^[A-Z]-[0-9a-hjkmnp-tv-z]{6}$"
    assert props["status"]["enum"] == ["proposed", "accepted", "rejected", "superseded", "deprecated"]
