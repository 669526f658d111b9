"""Fixtures for narratives: a log with alice, bob and a mechanism, and a PR/FAQ in markdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Result

PRFAQ = """\
# Orders launches one-click reorder

## Weekly shoppers get their basket back in one click

SEATTLE — Today Orders launches one-click reorder. A shopper opens a past order
and presses **Reorder**; every item still sold lands in the cart.

Substitutes are offered for the rest.

## Customer

Shoppers who buy the same groceries every week.

## The Problem

Reordering a past basket takes twelve clicks and a search for every item.

## Quote

"I do my weekly shop in ten seconds now," said an early customer.

## Background

We tried saved lists in 2024; few shoppers kept them up to date.

```
# a comment in a code block, not a heading
```

## FAQ

### External FAQ

Q: What if an item is sold out?
A: The cart offers the closest substitute and marks it.

Q: Does it cost anything?
A: No.

### Internal FAQ

**Does this need a new service?**

No; it reuses the cart API and the order history service.

**Who owns the substitutes model?**

## Success metrics

- Share of weekly baskets started from a past order reaches 30 percent
- Cart abandonment falls by a tenth
"""


@dataclass
class StoryRepo:
    path: Path
    mechanism: str  # an active mechanism with metrics reorders_per_week (input) and abandonment (output)


@pytest.fixture
def story_repo(log_repo: Path, run: Callable[..., Result]) -> StoryRepo:
    """``log_repo`` with bob and an active mechanism."""
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob Example").exit_code == 0
    res = run(log_repo, "new", "mechanism", "Weekly reorder review", "--owner", "alice", "--problem", "p",
              "--tool", "t", "--adoption", "a", "--cadence", "weekly",
              "--input-metric", "reorders_per_week>=500 count", "--output-metric", "abandonment<=20 percent",
              "--format", "json", "--no-input")
    assert res.exit_code == 0, res.output
    return StoryRepo(log_repo, json.loads(res.stdout)["id"])
