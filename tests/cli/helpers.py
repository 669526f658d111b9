"""Helpers for the command tests: a scripted $EDITOR, snapshots of the work tree, record reading."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

EDITOR_SCRIPT = """\
import json, pathlib, sys
state = pathlib.Path(sys.argv[1])
target = pathlib.Path(sys.argv[2])
steps = json.loads((state / "steps.json").read_text())
n = len(list(state.glob("seen-*.txt")))
shown = target.read_text()
(state / f"seen-{n}.txt").write_text(shown)
mode, payload = steps[min(n, len(steps) - 1)]
if mode == "write":
    target.write_text(payload)
elif mode == "replace":
    for old, new in payload:
        if old not in shown:
            sys.exit(f"fake editor: {old!r} not in the text it was given")
        shown = shown.replace(old, new)
    target.write_text(shown)
"""


class FakeEditor:
    """``$EDITOR`` for tests: each time it is opened it records the text it was shown and
    applies the next step: ``("write", text)`` or ``("replace", [(old, new), ...])``.
    The last step repeats."""

    def __init__(self, folder: Path, *steps: tuple[str, Any]) -> None:
        self.state = folder / "fake-editor"
        self.state.mkdir(parents=True)
        (self.state / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
        script = folder / "fake_editor.py"
        script.write_text(EDITOR_SCRIPT, encoding="utf-8")
        self.env = {"EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(self.state))}",
                    "VISUAL": ""}

    @property
    def seen(self) -> list[str]:
        """What the editor was shown, in order."""
        count = len(list(self.state.glob("seen-*.txt")))
        return [(self.state / f"seen-{i}.txt").read_text(encoding="utf-8") for i in range(count)]


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every file of the work tree (hidden ones included), without .git."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def record_file(repo: Path, rid: str) -> Path:
    """The file of the decision with ID ``rid``."""
    (path,) = (repo / "decisions").glob(f"{rid}-*.yaml")
    return path


def load(repo: Path, rid: str) -> dict[str, Any]:
    from declog.storage import yamlio

    return yamlio.to_plain(yamlio.load_record_text(record_file(repo, rid).read_text(encoding="utf-8"), rid))
