"""``declog mcp``: the log as a Model Context Protocol server over stdio, for coding agents.

Read tools run the command line's own commands in-process with ``--format json`` and return
exactly what ``declog CMD --format json`` prints (one renderer, one JSON shape). Each record is a
resource ``declog://ID``. Write tools exist only with ``--allow-writes``; they go through the edit
layer (the same validation and write lock as the command line) and by default only preview: the
record after the change and the unified diff of its file.

Built on the official ``mcp`` SDK (the ``declog[mcp]`` extra), imported only here.
"""

from __future__ import annotations

from typing import Any, Literal

INSTRUCTIONS = (
    "declog keeps this repository's decisions (D-…), owners, mechanisms (M-…), inspections and corrections "
    "of error (C-…) as YAML records in git. Ask `why` for the reasons behind something, `context` for what "
    "governs files you are about to change, `show`/`history` for one record. Decision IDs accept unique "
    "prefixes. Writes (when enabled) preview by default: call again with preview=false to write."
)


def tool_error(message: str) -> Exception:
    """A refusal the client sees as the tool's error result, with declog's own message."""
    from mcp.server.mcpserver.exceptions import ToolError

    return ToolError(message)


def _refusal(exc: Exception) -> Exception:
    """A declog refusal as the tool's error: the message the command line prints."""
    problems = getattr(exc, "problems", None) or []
    detail = "".join(f"\n  {p}" for p in problems) if len(problems) > 1 else ""
    return tool_error(f"declog: error: {getattr(exc, 'message', None) or exc}{detail}")


def run_json(argv: list[str]) -> str:
    """Run ``declog ARGV`` in-process and return what it printed (JSON when ARGV asks for it).
    A refused command (bad input, unknown ID) raises :class:`CommandFailed` with its message."""
    from declog.cli.common import CommandRefused, run_captured
    from declog.errors import DeclogError

    try:
        return run_captured(argv)
    except (DeclogError, CommandRefused) as exc:
        raise _refusal(exc) from None


def _change_json(change: Any) -> str:
    """A change (``edit.Change`` or ``loops.Change``: record after, path, diff, written) as JSON."""
    import json

    body = {"written": change.written, "path": change.path, "diff": change.diff, "record": change.record.as_json()}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def build(allow_writes: bool = False) -> Any:
    """The server: read tools always, write tools with ``allow_writes``."""
    from mcp.server.mcpserver import MCPServer

    from declog import __version__

    server = MCPServer(name="declog", version=__version__, instructions=INSTRUCTIONS)

    def tool(fn: Any) -> Any:
        return server.tool(structured_output=False)(fn)

    @tool
    def why(query: str, limit: int = 5, status: list[str] | None = None, at: str | None = None) -> str:
        """Why did we decide X? Decisions ranked for a question in plain words (e.g. "orders database"),
        each with owner, status, the decision and rationale, options rejected and why, who decided it
        and when, what replaced it, and the commits that carried it out. Same JSON as
        `declog why QUERY --format json`. `status` keeps only those statuses (accepted, proposed,
        rejected, superseded, deprecated); `at` answers as of a commit, branch or tag."""
        argv = ["why", "--format", "json", "--limit", str(limit)]
        for s in status or []:
            argv += ["--status", s]
        if at:
            argv += ["--at", at]
        return run_json([*argv, "--", query])

    @tool
    def show(id: str, at: str | None = None) -> str:
        """One record (decision D-…, mechanism M-…, correction C-…, inspection, owner handle) with
        what git knows: created by and when, last change. A unique prefix of an ID will do. Same JSON
        as `declog show ID --format json`."""
        return run_json(["show", "--format", "json", *(["--at", at] if at else []), "--", id])

    @tool
    def history(id: str) -> str:
        """Every commit that changed a record, as field-level changes (status: proposed → accepted), and
        the commits whose message carries its `Decision:` trailer. Same JSON as
        `declog history ID --format json`."""
        return run_json(["history", "--format", "json", "--", id])

    @tool
    def blame(path: str | None = None, changed_since: str | None = None) -> str:
        """The decisions behind code: `Decision:` trailers on the commits that last touched PATH (or
        PATH:LINE-LINE) and decisions whose scope globs match it; or, with `changed_since` (a branch
        such as main), everything this branch changed. Give one of the two. Same JSON as
        `declog blame --format json`."""
        if (path is None) == (changed_since is None):
            raise tool_error("declog: error: give path or changed_since (one of them)")
        argv = ["blame", "--format", "json"]
        return run_json([*argv, "--changed-since", changed_since] if changed_since else [*argv, "--", path or ""])

    @server.tool(name="list", structured_output=False)
    def list_records(kind: Literal["decisions", "owners", "mechanisms", "inspections", "corrections", "narratives",
                                   "all"] = "decisions",
                     status: list[str] | None = None, owner: list[str] | None = None, tag: list[str] | None = None,
                     door: Literal["one-way", "two-way"] | None = None, since: str | None = None) -> str:
        """Records of one kind, filtered: by status, owner handle, tag (all must match), door, and
        decided on or after `since` (ISO date). Same JSON as `declog list KIND --format json`."""
        argv = ["list", "--format", "json"]
        for name, values in (("--status", status), ("--owner", owner), ("--tag", tag)):
            for v in values or []:
                argv += [name, v]
        if door:
            argv += ["--door", door]
        if since:
            argv += ["--since", since]
        return run_json([*argv, "--", kind])

    @tool
    def review(as_of: str | None = None) -> str:
        """The weekly review: overdue inspections, metrics off target, decisions awaiting a decision or
        due for review, overdue correction action items, owner load, what changed this week, and drift.
        Same JSON as `declog review --format json`."""
        return run_json(["review", "--format", "json", *(["--as-of", as_of] if as_of else [])])

    @tool
    def validate(paths: list[str] | None = None) -> str:
        """Check records (all, or these record files): schema, references, duplicate IDs, lifecycle.
        Same JSON as `declog validate --format json`; `ok` false lists each problem with its place."""
        return run_json(["validate", "--format", "json", "--", *(paths or [])])

    @tool
    def context(changed_since: str | None = None, staged: bool = False, paths: list[str] | None = None) -> str:
        """What to know before changing files: the decisions whose scope matches them (status, owner,
        the decision in one paragraph), decisions named by `Decision:` trailers on the branch, retired
        decisions the change still cites, open correction action items and mechanisms from those
        decisions, and decisions due for review. Give `changed_since` (a branch such as main), `staged`,
        or `paths`. Same JSON as `declog context --format json`."""
        argv = ["context", "--format", "json"]
        if changed_since:
            argv += ["--changed-since", changed_since]
        if staged:
            argv.append("--staged")
        return run_json([*argv, "--", *(paths or [])])

    @tool
    def drift() -> str:
        """Where the log and the code disagree: references in tracked files to missing or retired
        decisions, scope globs that match no tracked file, and per accepted decision the share of
        commits in its scope that carry its trailer. Same JSON as `declog drift --format json`."""
        return run_json(["drift", "--format", "json"])

    @server.resource("declog://{rid}", name="record", mime_type="application/json",
                     description="One record of the log by ID (D-…, M-…, C-…) or owner handle: the JSON of "
                     "`declog show ID --format json`.")
    def record(rid: str) -> str:
        return run_json(["show", "--format", "json", "--", rid])

    if allow_writes:
        _write_tools(server, tool)
    return server


def _write_tools(server: Any, tool: Any) -> None:
    from declog.core import edit, loops
    from declog.domain.kinds import KINDS
    from declog.storage.store import Log

    def failing(fn: Any) -> Any:
        """Declog's refusals as the tool's error, with the command line's message."""
        import functools

        from declog.errors import DeclogError

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            try:
                return str(fn(*args, **kwargs))
            except DeclogError as exc:
                raise _refusal(exc) from None

        return wrapper

    @tool
    @failing
    def propose_decision(title: str, owner: str, door: Literal["one-way", "two-way"], context: str,
                         decision: str | None = None, rationale: str | None = None,
                         options: list[dict[str, str]] | None = None, tags: list[str] | None = None,
                         scope: list[str] | None = None, related: list[str] | None = None,
                         review_by: str | None = None, expected_outcome: str | None = None,
                         id: str | None = None, preview: bool = True) -> str:
        """Propose a new decision (always status proposed; people accept it). `owner` is the handle of
        one active person; `door` one-way (hard to reverse: needs two `options` and an
        `expected_outcome`) or two-way; `context` the forces at play; `options` items are
        {title, pros, cons, why_not}; `scope` path globs of the code it governs. With preview true (the
        default) nothing is written: returns the record and the diff it would write, validated like
        the command line. Call again with preview false to write it, passing the `id` the preview
        minted to write exactly the file previewed (a new ID is minted otherwise)."""
        fields: dict[str, Any] = {"id": id, "title": title, "status": "proposed", "owner": owner, "door": door,
                                  "context": context, "decision": decision, "rationale": rationale,
                                  "options": options, "tags": tags, "scope": scope, "related": related,
                                  "review_by": review_by, "expected_outcome": expected_outcome}
        log = Log.open()
        return _change_json(edit.create_change(log, KINDS["decision"], fields, preview=preview))

    @tool
    @failing
    def log_inspection(mechanism: str, verdict: Literal["working", "degraded", "broken"],
                       readings: dict[str, float] | None = None, note: str | None = None, on: str | None = None,
                       inspector: str | None = None, preview: bool = True) -> str:
        """Log an inspection of a mechanism (M-… or a unique prefix): its verdict, readings of its
        metrics (name → number), a note, the ISO date (default today) and the inspector's handle
        (default the mechanism's owner). Preview true (the default) returns the record and the diff
        without writing; preview false writes it."""
        from declog.core.query import parse_date

        log = Log.open()
        target = log.resolve(mechanism, KINDS["mechanism"])  # names a broken file's problem itself
        fields: dict[str, Any] = {
            "mechanism": target.id, "on": parse_date(on, "on") if on else edit.today(),
            "inspector": log.resolve(inspector, KINDS["owner"]).id if inspector else (target.data or {}).get("owner"),
            "verdict": verdict, "readings": readings or None, "note": note}
        return _change_json(edit.create_change(log, KINDS["inspection"], fields, preview=preview))

    @tool
    @failing
    def record_decision_review(decision: str, actual_outcome: str,
                               vs_expected: Literal["better", "as-expected", "worse"],
                               process_quality: Literal["good", "fair", "poor"] | None = None,
                               on: str | None = None, reviewer: str | None = None, preview: bool = True) -> str:
        """Record a review of an accepted decision: what actually happened, how it compares with the
        expected outcome, and how good the process was; `on` an ISO date (default today), `reviewer`
        a handle (default the decision's owner). Preview true (the default) returns the record and
        the diff without writing; preview false writes it."""
        log = Log.open()
        target = log.resolve(decision, KINDS["decision"])
        entry: dict[str, Any] = {"on": on or edit.today().isoformat(),
                                 "reviewer": reviewer or (target.data or {}).get("owner"),
                                 "actual_outcome": actual_outcome, "vs_expected": vs_expected}
        if process_quality:
            entry["process_quality"] = process_quality
        return _change_json(loops.record_review(log, target, entry, preview=preview))

    @tool
    @failing
    def close_action_item(correction: str, index: int, status: Literal["done", "wont-do"] = "done",
                          note: str | None = None, preview: bool = True) -> str:
        """Close action item number `index` (0-based, as listed by show) of a correction of errors
        (C-…): done, or wont-do with a `note` giving the reason. Preview true (the default) returns
        the record and the diff without writing; preview false writes it."""
        log = Log.open()
        target = log.resolve(correction, KINDS["correction"])
        return _change_json(loops.close_action_item(log, target, index, status, note, preview=preview))


def serve(allow_writes: bool = False) -> None:
    """Serve over stdio until the client closes the connection."""
    build(allow_writes).run("stdio")
