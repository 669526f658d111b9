"""``declog mcp`` through the official SDK's own client (``mcp.client.stdio``) talking to a real
``declog mcp`` subprocess in a real git repository."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import load
from tests.conftest import GIT_ENV, Result, git, new_decision

pytest.importorskip("mcp.client.stdio")


def _session(repo: Path, *args: str, calls: Callable[[Any], Any]) -> Any:
    """Start ``declog mcp ARGS`` in ``repo``, initialise, run ``calls(session)``, return its result."""
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = {**GIT_ENV, "HOME": os.environ["HOME"], "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # declog's own settings (DECLOG_SEMANTIC=0: the command line compared with runs without the
    # semantic rank too), and coverage's, so make test measures the server
    env.update({k: v for k, v in os.environ.items() if k.startswith(("COVERAGE_", "DECLOG_"))})
    params = StdioServerParameters(command=sys.executable, args=["-m", "declog", "mcp", *args], cwd=str(repo), env=env)

    async def main() -> Any:
        async with stdio_client(params) as streams, ClientSession(*streams) as session:
            await session.initialize()
            return await calls(session)

    return anyio.run(main)


def _text(result: Any) -> str:
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


@pytest.fixture
def served(log_repo: Path, run: Callable[..., Result]) -> tuple[Path, str]:
    """A committed log with one accepted decision about the orders database, scoped to src/orders."""
    rid = new_decision(run, log_repo, "Use Postgres for the orders database", "--status", "accepted",
                       "--decision", "Orders live in Postgres.", "--rationale", "We need transactions.",
                       "--scope", "src/orders/**")
    (log_repo / "src" / "orders").mkdir(parents=True)
    (log_repo / "src" / "orders" / "db.py").write_text("x = 1\n", encoding="utf-8")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Record the orders database decision")
    return log_repo, rid


def test_read_tools_answer_with_the_cli_json(served: tuple[Path, str], run: Callable[..., Result]) -> None:
    repo, rid = served

    async def calls(s: Any) -> Any:
        tools = await s.list_tools()
        why = await s.call_tool("why", {"query": "orders database"})
        ctx = await s.call_tool("context", {"paths": ["src/orders/db.py"]})
        res = await s.read_resource(f"declog://{rid}")
        listed = await s.call_tool("list", {"status": ["accepted"]})
        unknown = await s.call_tool("show", {"id": "D-zzzzzz"})
        return tools, why, ctx, res, listed, unknown

    tools, why, ctx, res, listed, unknown = _session(repo, calls=calls)
    by_name = {t.name: t for t in tools.tools}
    assert {"why", "show", "history", "blame", "list", "review", "validate", "context", "drift"} <= set(by_name)
    assert not {"propose_decision", "log_inspection", "record_decision_review", "close_action_item"} & set(by_name)
    assert "query" in by_name["why"].input_schema["properties"]
    from declog.domain.kinds import KINDS

    kinds = by_name["list"].input_schema["properties"]["kind"]
    assert set(kinds.get("enum") or kinds["anyOf"][0]["enum"]) == {k.plural for k in KINDS.values()} | {"all"}
    assert by_name["why"].description and "Why did we decide" in by_name["why"].description
    # the same JSON as the command line, byte for byte
    assert not why.is_error
    assert _text(why) == run(repo, "why", "--format", "json", "orders database").stdout
    assert json.loads(_text(why))["results"][0]["id"] == rid
    assert _text(ctx) == run(repo, "context", "--format", "json", "src/orders/db.py").stdout
    assert [d["id"] for d in json.loads(_text(ctx))["decisions"]] == [rid]
    body = json.loads(res.contents[0].text)
    assert body["id"] == rid and body["status"] == "accepted"
    assert res.contents[0].text == run(repo, "show", "--format", "json", rid).stdout
    assert _text(listed) == run(repo, "list", "--status", "accepted", "--format", "json").stdout
    cli = run(repo, "show", "D-zzzzzz")
    assert unknown.is_error and cli.exit_code != 0 and cli.stderr.strip() in _text(unknown)


def test_a_write_is_refused_without_allow_writes(served: tuple[Path, str]) -> None:
    repo, _ = served
    before = sorted(p.name for p in (repo / "decisions").glob("D-*.yaml"))

    async def calls(s: Any) -> Any:
        return await s.call_tool("propose_decision", {"title": "Use Kafka", "owner": "alice", "door": "two-way",
                                                      "context": "Events fan out", "preview": False})

    result = _session(repo, calls=calls)
    assert result.is_error
    assert "propose_decision" in _text(result)
    assert sorted(p.name for p in (repo / "decisions").glob("D-*.yaml")) == before


def test_writes_preview_then_write_through_the_edit_layer(served: tuple[Path, str],
                                                         run: Callable[..., Result]) -> None:
    repo, rid = served
    before = sorted(p.name for p in (repo / "decisions").glob("D-*.yaml"))
    proposal = {"title": "Use Kafka for order events", "owner": "alice", "door": "two-way",
                "context": "Order events fan out to three services", "status": "accepted"}

    async def calls(s: Any) -> Any:
        invalid = await s.call_tool("propose_decision", {**proposal, "owner": "nobody"})
        preview = await s.call_tool("propose_decision", proposal)
        files_after_preview = sorted(p.name for p in (repo / "decisions").glob("D-*.yaml"))
        minted = json.loads(_text(preview))["record"]["id"]
        written = await s.call_tool("propose_decision", {**proposal, "id": minted, "preview": False})
        review = await s.call_tool("record_decision_review", {"decision": rid, "actual_outcome": "No lost orders.",
                                                              "vs_expected": "as-expected", "on": "2026-03-02"})
        reviewed_after_preview = "reviews" in load(repo, rid)
        review_real = await s.call_tool("record_decision_review", {
            "decision": rid, "actual_outcome": "No lost orders.", "vs_expected": "as-expected", "on": "2026-03-02",
            "preview": False})
        return invalid, preview, files_after_preview, written, review, reviewed_after_preview, review_real

    invalid, preview, files_after_preview, written, review, reviewed_after_preview, review_real = _session(repo, "--allow-writes", calls=calls)
    # an invalid write is refused with the command line's own message, and writes nothing
    assert invalid.is_error
    assert "declog: error: the new decision is not valid: owner: unknown owner 'nobody'" in _text(invalid)
    # a preview writes nothing and shows the file it would write
    body = json.loads(_text(preview))
    assert body["written"] is False and files_after_preview == before
    assert body["diff"].startswith("--- /dev/null\n+++ b/decisions/D-")
    assert "+status: proposed\n" in body["diff"]  # always proposed, whatever the agent asked
    assert body["record"]["status"] == "proposed" and body["record"]["title"] == proposal["title"]
    # the real write goes through the edit layer: a valid record file, as the command line writes it
    done = json.loads(_text(written))
    assert done["written"] is True and (repo / done["path"]).is_file()
    # with the ID the preview minted, the file written is the one previewed, line for line
    assert done["path"] == body["path"] and done["diff"] == body["diff"]
    assert (repo / done["path"]).read_text(encoding="utf-8") == "".join(
        line[1:] + "\n" for line in body["diff"].splitlines()[3:])
    shown = json.loads(run(repo, "show", "--format", "json", done["record"]["id"]).stdout)
    assert done["record"] == {k: v for k, v in shown.items() if k != "git"}
    assert run(repo, "validate").exit_code == 0
    # a decision review: previewed first, then written
    assert json.loads(_text(review))["written"] is False
    assert not reviewed_after_preview
    assert "+reviews:\n" in json.loads(_text(review))["diff"]
    assert json.loads(_text(review_real))["written"] is True
    assert load(repo, rid)["reviews"] == [{"on": "2026-03-02", "reviewer": "alice", "actual_outcome": "No lost orders.",
                                           "vs_expected": "as-expected"}]
    assert run(repo, "validate").exit_code == 0


def test_inspection_and_action_item_writes(log_repo: Path, run: Callable[..., Result]) -> None:
    res = run(log_repo, "new", "mechanism", "Deploy checklist", "--owner", "alice", "--status", "piloting",
              "--problem", "Deploys break", "--format", "json")
    assert res.exit_code == 0, res.output
    mid = json.loads(res.stdout)["id"]
    correction = log_repo / "c.yaml"
    correction.write_text(
        "title: Orders lost in the outage\nowner: alice\nstatus: open\nsummary: Orders were lost for an hour.\n"
        "five_whys:\n  - problem: Orders were lost\n    whys: [The queue was full]\nroot_causes: [No back-pressure]\n"
        "action_items:\n  - description: Add back-pressure\n    owner: alice\n    due: 2026-04-01\n    type: fix\n",
        encoding="utf-8")
    res = run(log_repo, "new", "correction", "--from-file", str(correction), "--format", "json")
    assert res.exit_code == 0, res.output
    cid = json.loads(res.stdout)["id"]
    correction.unlink()

    async def calls(s: Any) -> Any:
        seen = await s.call_tool("log_inspection", {"mechanism": mid, "verdict": "working", "on": "2026-03-02"})
        inspected = await s.call_tool("log_inspection", {"mechanism": mid, "verdict": "working", "on": "2026-03-02",
                                                         "note": "All deploys used it", "preview": False})
        out_of_range = await s.call_tool("close_action_item", {"correction": cid, "index": 3, "preview": False})
        closed = await s.call_tool("close_action_item", {"correction": cid, "index": 0, "preview": False})
        return seen, inspected, out_of_range, closed

    seen, inspected, out_of_range, closed = _session(log_repo, "--allow-writes", calls=calls)
    assert json.loads(_text(seen))["written"] is False
    done = json.loads(_text(inspected))
    assert done["written"] is True and done["record"]["mechanism"] == mid and done["record"]["note"] == "All deploys used it"
    assert len(list((log_repo / "decisions" / "inspections").glob("*.yaml"))) == 1
    assert out_of_range.is_error and "has 1 action item ([0] to [0]): there is no item [3]" in _text(out_of_range)
    body = json.loads(_text(closed))
    assert body["written"] is True and body["record"]["action_items"][0]["status"] == "done"
    assert body["record"]["status"] == "closed"  # no item left open: the correction closes with it
    assert "-    status: open" in body["diff"] or "+    status: done" in body["diff"]
    assert run(log_repo, "validate").exit_code == 0


def test_without_the_sdk_mcp_says_how_to_install(log_repo: Path, tmp_path: Path) -> None:
    """With the SDK hidden from the interpreter, one line says how to install it."""
    import subprocess

    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nclass _Block:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'mcp' or name.startswith('mcp.'):\n            raise ModuleNotFoundError(name)\n"
        "        return None\nsys.meta_path.insert(0, _Block())\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), str(Path(__file__).resolve().parents[2])])}
    proc = subprocess.run([sys.executable, "-m", "declog", "mcp"], cwd=log_repo, capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr == "declog: error: declog mcp needs the MCP SDK: pip install 'declog[mcp]'\n"
