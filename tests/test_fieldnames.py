"""The plain field-name table that `.declog.yaml` is checked against matches the models."""

import subprocess
import sys

import pytest

from declog.domain.fieldnames import FIELDS
from declog.domain.kinds import KINDS


@pytest.mark.parametrize("kind_name", sorted(KINDS))
def test_the_table_lists_every_field_of_the_model_in_its_order(kind_name):
    assert FIELDS[kind_name] == tuple(KINDS[kind_name].model().model_fields)


def test_the_table_has_no_kind_the_models_lack():
    assert set(FIELDS) == set(KINDS)


def test_checking_the_settings_does_not_import_pydantic(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".declog.yaml").write_text("version: 1\nroot: decisions\nrequired:\n  decision: [tags]\n"
                                           "protect_accepted: true\n")
    (tmp_path / "decisions").mkdir()
    probe = ("import sys; from declog.storage.store import Log; from declog.core.validate import check_settings; from pathlib import Path; "
             f"check_settings(Log.open(Path({str(tmp_path)!r}))); print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
