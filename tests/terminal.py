"""The real ``declog`` executable in a real pseudo-terminal (stdlib ``pty``): what a person at
a terminal sees, prompts and Ctrl-C included."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

DECLOG = Path(sys.executable).parent / "declog"


class Terminal:
    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None, columns: int = 200) -> None:
        full_env = {**os.environ, "TERM": "dumb", "COLUMNS": str(columns), "LINES": "50", **(env or {})}
        full_env.pop("DECLOG_TRACEBACK", None)
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
            try:
                # a real terminal's Ctrl-C, even when the tests were started with SIGINT ignored
                # (from `nohup` or a shell's background job): an ignored signal survives exec
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.chdir(cwd)
                os.execve(str(DECLOG), [str(DECLOG), *args], full_env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = ""
        self._status: int | None = None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        if not data:
            return False
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 120.0) -> str:
        """Read until ``text`` has appeared after what earlier calls consumed; returns the
        output up to and including it."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear; the terminal shows:\n{self.output}")
            if not self._read(0.2) and self._exited():
                if text in self.output:
                    break
                raise AssertionError(f"declog exited before {text!r}; the terminal shows:\n{self.output}")
        head, _, tail = self.output.partition(text)
        self.output = tail
        return head + text

    def send(self, line: str) -> None:
        os.write(self.fd, line.encode("utf-8") + b"\r")

    def interrupt(self) -> None:
        """Ctrl-C, as a person presses it: a moment after the prompt is shown. Sooner, the SIGINT can
        land between the prompt's last write and the read that waits for the answer, and CPython's
        input() then waits for a line before it looks at the signal (a race in the interpreter, not
        in declog, that made this hang under load)."""
        time.sleep(0.5)
        os.write(self.fd, b"\x03")

    def _exited(self) -> bool:
        if self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = status
        return self._status is not None

    def wait(self, timeout: float = 120.0) -> tuple[int, str]:
        """The exit code, and everything printed since the last ``expect``."""
        deadline = time.monotonic() + timeout
        while not self._exited():
            self._read(0.1)
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError(f"declog did not exit; the terminal shows:\n{self.output}")
        while self._read(0.05):
            pass
        os.close(self.fd)
        assert self._status is not None
        return os.waitstatus_to_exitcode(self._status), self.output
