"""A log with a decision and a correction written by hand, with comments, for the weekly loops."""

from __future__ import annotations

from pathlib import Path

import pytest

DECISION = """\
# yaml-language-server: $schema=../.schemas/decision.schema.json
id: D-7k3m9q
title: Use Postgres for orders  # the short form
status: accepted
owner: alice
door: one-way
context: Orders need transactions
decision: Postgres
rationale: Transactions matter most
options:
  - title: Postgres
  - title: MySQL
    why_not: Fewer people know it   # asked around
decided_on: 2026-01-05
expected_outcome: No lost orders
# looked back at after the first quarter
reviews:
  - on: 2026-02-01
    reviewer: alice
    actual_outcome: Fine so far
    vs_expected: as-expected
tags: [db]
"""

CORRECTION = """\
# yaml-language-server: $schema=../../.schemas/correction.schema.json
id: C-byc491
title: Checkout down
owner: alice
status: open
summary: Checkout failed for an hour
five_whys:
  - problem: Checkout failed
    whys: [Bad config, No review]
root_causes:
  - Config changes skip review
action_items:
  # the quick one
  - description: Roll back the config
    owner: alice   # on call
    due: 2026-03-01
    type: fix
  - description: Review config changes
    owner: alice
    due: 2026-04-01
    type: systemic
"""


@pytest.fixture
def loop_repo(log_repo: Path, run) -> Path:
    (log_repo / "decisions" / "D-7k3m9q-use-postgres-for-orders.yaml").write_text(DECISION, encoding="utf-8")
    (log_repo / "decisions" / "corrections" / "C-byc491-checkout-down.yaml").write_text(CORRECTION, encoding="utf-8")
    res = run(log_repo, "validate")
    assert res.exit_code == 0, res.output
    return log_repo
