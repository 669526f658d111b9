"""The command line's process builds declog's models without Pydantic's plugin lookup (which
imports ``importlib.metadata`` and reads every installed package's metadata), and anything
else asked of Pydantic's plugin loader still comes from Pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import git
from tests.factory import decision_yaml


def _python(code: str, cwd: Path) -> list[str]:
    """The words of the last line ``code`` prints."""
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1].split()


def test_a_check_that_builds_the_models_looks_up_no_plugin(log_repo: Path) -> None:
    path = log_repo / "decisions" / "D-aaaa00-x.yaml"
    path.write_text(decision_yaml("D-aaaa00", "Fresh", owner="ghost"), encoding="utf-8")  # no cache of it yet
    git(log_repo, "add", "-A")
    code = ("import sys; from declog.cli import main; code = main(['validate', 'decisions/D-aaaa00-x.yaml']); "
            "print(code, 'pydantic' in sys.modules, 'importlib.metadata' in sys.modules)")
    # the models were built (the unknown owner is a problem found) and no package metadata was read
    assert _python(code, log_repo) == ["1", "True", "False"]


def test_whatever_else_pydantic_asks_of_its_plugin_loader_comes_from_pydantic(tmp_path: Path) -> None:
    # as Pydantic asks (pydantic.plugin._schema_validator: from ._loader import get_plugins)
    code = ("import sys; from declog.cli import _no_pydantic_plugins; _no_pydantic_plugins(); "
            "import pydantic.plugin; from pydantic.plugin._loader import get_plugins; none = list(get_plugins()); "
            "stub = sys.modules['pydantic.plugin._loader']; "
            "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP as group; "
            "real = sys.modules['pydantic.plugin._loader']; "
            "print(none == [], group, real is not stub, hasattr(real, 'entry_points'))")
    assert _python(code, tmp_path) == ["True", "pydantic", "True", "True"]


def test_once_pydantic_is_loaded_nothing_is_replaced(tmp_path: Path) -> None:
    code = ("import sys, pydantic; from declog.cli import _no_pydantic_plugins; _no_pydantic_plugins(); "
            "print('pydantic.plugin._loader' in sys.modules)")
    assert _python(code, tmp_path) == ["False"]
