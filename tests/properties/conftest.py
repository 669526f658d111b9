"""Hypothesis profiles for the property tests, and a throwaway log to write records into.

* ``ci`` (the default): a bounded, derandomized run, so ``make test`` is reproducible and quick;
* ``fuzz``: many more examples, random seeds, for a long run:
  ``HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest tests/properties``;
* ``dev``: a middle ground while working on a property.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=_QUIET, database=None)
settings.register_profile("dev", max_examples=300, deadline=None, print_blob=True, suppress_health_check=_QUIET)
settings.register_profile("fuzz", max_examples=20_000, deadline=None, print_blob=True, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def make_log(path: Path) -> Path:
    """A git repository at ``path`` with ``declog init`` done (no records)."""
    from declog.storage import store

    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=GIT_ENV, capture_output=True)
    store.init(path)
    return path


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One log per test module: hypothesis runs many examples in it (a function-scoped fixture
    would be shared by all of them anyway)."""
    yield make_log(tmp_path_factory.mktemp("props") / "repo")
