"""`declog new narrative` on a real pseudo-terminal: it asks for the headline and the owner, then
opens $EDITOR on the PR/FAQ template."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.helpers import FakeEditor
from tests.narratives.conftest import StoryRepo

DECLOG = Path(sys.executable).parent / "declog"


def _read_until(fd: int, wanted: str, seen: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in "".join(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"waited for {wanted!r}, got {''.join(seen)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"the terminal closed before {wanted!r}: {''.join(seen)!r}"
            seen.append(chunk.decode("utf-8", "replace"))


def test_prompts_for_headline_and_owner_then_opens_the_template(story_repo: StoryRepo, tmp_path: Path) -> None:
    editor = FakeEditor(tmp_path, ("replace", [("problem: \n", "problem: Reordering takes twelve clicks\n")]))
    primary, secondary = pty.openpty()
    env = {**os.environ, **editor.env, "TERM": "dumb"}
    proc = subprocess.Popen([str(DECLOG), "new", "narrative"], cwd=story_repo.path, stdin=secondary,
                            stdout=secondary, stderr=secondary, env=env, close_fds=True)
    os.close(secondary)
    seen: list[str] = []
    try:
        _read_until(primary, "Headline (what the customer gets): ", seen)
        os.write(primary, b"Orders ships one-click reorder\r")
        _read_until(primary, "Owner (handle of one person)", seen)
        os.write(primary, b"bob\r")
        _read_until(primary, "Created narrative N-", seen)
        assert proc.wait(timeout=60) == 0, "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    (shown,) = editor.seen
    assert 'title: "Orders ships one-click reorder"' in shown and "owner: bob" in shown
    listed = subprocess.run([str(DECLOG), "list", "narratives", "--format", "json"], cwd=story_repo.path,
                            capture_output=True, text=True, check=True)
    (record,) = json.loads(listed.stdout)
    assert (record["title"], record["owner"], record["problem"]) == (
        "Orders ships one-click reorder", "bob", "Reordering takes twelve clicks")
