"""The Python API as docs/python-api.md shows it: the session there is run as it stands."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import declog
from tests.conftest import git

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"


def _session() -> str:
    """The first python block, padded with blank lines so tracebacks name the doc's own lines."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, flags=re.S)
    assert match, "docs/python-api.md shows no python session"
    return "\n" * text[:match.start(1)].count("\n") + match.group(1)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "Tester")
    assert declog.main(["-C", str(tmp_path), "init"]) == 0
    return tmp_path


def test_the_documented_session_runs(repo: Path) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_session(), str(DOC), "exec"), {"repo": repo})
    assert "no record" in printed.getvalue().lower() or "D-nothing" in printed.getvalue()
    # what the API wrote is what the command line reads
    out = subprocess.run([sys.executable, "-m", "declog", "-C", str(repo), "list", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    rows = json.loads(out)
    assert sorted(r["status"] for r in rows) == ["accepted", "superseded"]


def test_typed_records_carry_their_model_and_json(repo: Path) -> None:
    log = declog.open_log(repo)
    log.create("owner", handle="bob", name="Bob", kind="person")
    d = log.create("decision", title="Queue on SQS", owner="bob", door="two-way", context="Spiky load")
    from declog.domain.models import Decision

    assert isinstance(d.model, Decision)
    assert d.as_json()["id"] == d.id and d.as_json()["kind"] == "decision"
    assert d.path.endswith(".yaml") and (repo / d.path).is_file()
    assert [r.id for r in log.records(None) if r.kind == "owner"] == ["bob"]


def test_errors_are_the_command_lines(repo: Path) -> None:
    log = declog.open_log(repo)
    with pytest.raises(declog.InvalidRecord) as bad:
        log.create("decision", title="No owner yet", owner="nobody", door="two-way", context="x")
    assert "nobody" in bad.value.message
    assert list((repo / "decisions").glob("D-*.yaml")) == []  # nothing written
    with pytest.raises(declog.UsageError):
        log.why("   ")


def test_main_returns_the_exit_status(repo: Path) -> None:
    assert declog.main(["-C", str(repo), "validate"]) == 0
    assert declog.main(["-C", str(repo), "show", "D-nothing"]) != 0
    assert declog.main(["-C", str(repo), "no-such-command"]) == 2


def test_import_declog_loads_nothing_heavy() -> None:
    code = ("import sys, declog; declog.__version__; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel', 'tabulate', 'click')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_the_package_is_typed() -> None:
    assert (ROOT / "declog" / "py.typed").is_file()
    assert set(declog.__all__) >= {"open_log", "DecisionLog", "TypedRecord", "main", "DeclogError"}
    for name in declog.__all__:
        assert getattr(declog, name) is not None


def test_deciding_dates_the_decision_as_the_command_line_does(repo: Path) -> None:
    """Accepting or rejecting a decision that has no ``decided_on`` dates it today, through the
    API as through ``declog new`` and ``declog set`` (one rule: core.edit.date_the_decision)."""
    from declog.domain import clock

    log = declog.open_log(repo)
    log.create("owner", handle="bob", name="Bob", kind="person")
    rejected = log.create("decision", title="Shard by tenant", owner="bob", door="two-way",
                          context="Hot tenants", status="rejected")
    assert rejected.model.decided_on == clock.today()
    kept = log.create("decision", title="Cache answers", owner="bob", door="two-way", context="Slow pages")
    assert kept.model.decided_on is None
    dated = log.set(kept.id, "status=rejected")
    assert dated.model.decided_on == clock.today()
    # a date already there stays
    old = log.create("decision", title="Old call", owner="bob", door="two-way", context="x",
                     decided_on="2020-01-02")
    assert str(log.set(old.id, "status=rejected").model.decided_on) == "2020-01-02"
    shown = subprocess.run([sys.executable, "-m", "declog", "-C", str(repo), "show", rejected.id, "--format", "json"],
                           capture_output=True, text=True, check=True).stdout
    assert json.loads(shown)["decided_on"] == clock.today().isoformat()
