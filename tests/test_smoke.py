from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import new_decision


def test_new_list_validate(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    res = run(log_repo, "list", "--format", "json")
    assert res.exit_code == 0
    assert [r["id"] for r in json.loads(res.stdout)] == [did]
    assert run(log_repo, "validate").exit_code == 0
