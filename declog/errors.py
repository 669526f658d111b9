"""The one error hierarchy of declog.

Every problem a user can cause is a :class:`DeclogError` with a one-line message that names the
problem and the fix, and an exit code. Only ``declog.cli.main`` turns these into output.
This module imports nothing from declog.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit status of every declog command (documented in docs/exit-codes.md)."""

    OK = 0
    FAILED = 1  # the command's check failed: invalid records, nothing found
    USAGE = 2  # bad usage or bad input


class DeclogError(Exception):
    """An expected failure with a message meant for the user."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DeclogError):
    """Bad arguments: an unknown field, a malformed ID or value."""


class NotALogError(DeclogError):
    """No declog log was found from the current directory up."""


class NotARepositoryError(DeclogError):
    """The directory is not inside a git repository."""


class RecordNotFound(DeclogError):
    """No record matches the ID or prefix."""

    exit_code = ExitCode.FAILED


class AmbiguousId(DeclogError):
    """A prefix matches more than one record."""

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        shown = ", ".join(candidates[:10]) + (" …" if len(candidates) > 10 else "")
        super().__init__(
            f"'{prefix}' is ambiguous: it matches {len(candidates)} records ({shown}); "
            "type more characters"
        )
        self.candidates = candidates


class RecordFileError(DeclogError):
    """A record file cannot be read as a record: bad YAML, too big, binary, not a mapping."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        shown = path.replace("\n", "\\n").replace("\r", "\\r")  # a file name cannot fake a second line
        where = shown if line is None else f"{shown}:{line}:{column or 1}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.problem = message
        self.line = line
        self.column = column


class FileWriteError(RecordFileError, OSError):
    """A file could not be written (permission denied, a full disk, a file where a folder should
    be); nothing was changed. Still an ``OSError`` for library callers that catch those."""


class InvalidRecord(DeclogError):
    """A record that would be written or saved does not validate (nothing is written)."""

    exit_code = ExitCode.FAILED

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class GitError(DeclogError):
    """git failed or is missing."""


class ValidationFailed(DeclogError):
    """validate found problems (the report has already been printed)."""

    exit_code = ExitCode.FAILED
