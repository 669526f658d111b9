"""Narratives (PR/FAQs) through the real command line in real git repositories: creating them,
their rules, linking the decisions they led to (both sides), finding them with `why`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import FakeEditor
from tests.conftest import git, new_decision
from tests.narratives.conftest import StoryRepo


def _load(path: Path) -> dict:
    from declog.storage import yamlio

    return yamlio.to_plain(yamlio.load_record_text(path.read_text(encoding="utf-8"), str(path)))


def _new(run, repo: Path, *args: str) -> dict:
    res = run(repo, "new", "narrative", *args, "--no-input", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_new_narrative_from_flags_is_a_draft_in_its_own_folder(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "Orders ships one-click reorder", "--owner", "alice",
                "--customer", "Weekly shoppers", "--faq-external", "What if an item is sold out? :: A substitute",
                "--faq-internal", "Does it need a new service?",
                "--metric", f"reorders_per_week@{story_repo.mechanism[:4]}",
                "--metric", "Share of baskets from a past order: at least 30 percent")
    assert made["id"].startswith("N-") and made["path"].startswith("decisions/narratives/N-")
    data = _load(repo / made["path"])
    assert data["status"] == "draft" and data["owner"] == "alice" and data["customer"] == "Weekly shoppers"
    assert data["faq"] == [
        {"question": "What if an item is sold out?", "answer": "A substitute", "audience": "external"},
        {"question": "Does it need a new service?", "audience": "internal"}]
    assert data["success_metrics"] == [
        {"metric": "reorders_per_week", "mechanism": story_repo.mechanism},
        {"metric": "Share of baskets from a past order", "target": "at least 30 percent"}]
    assert run(repo, "validate").exit_code == 0
    listed = run(repo, "list", "narratives")
    assert listed.exit_code == 0 and made["id"] in listed.stdout and "Orders ships one-click reorder" in listed.stdout
    assert "Does it need a new service?" in run(repo, "show", made["id"]).stdout


def test_approving_needs_answers_an_owner_and_a_success_metric(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "One-click reorder", "--faq-external", "Is it free? :: Yes")
    res = run(repo, "set", made["id"], "status=in-review")
    assert res.exit_code == 1
    assert "once in-review, a narrative asks at least one internal question" in res.stderr
    res = run(repo, "set", made["id"], "status=approved")
    assert res.exit_code == 1
    for problem in ("an approved narrative names its single-threaded `owner`",
                    "an approved narrative names at least one of `success_metrics`"):
        assert problem in res.stderr
    path = repo / made["path"]
    path.write_text(path.read_text(encoding="utf-8") + "  - question: Does it need a new service?\n"
                    "    audience: internal\nsuccess_metrics:\n  - metric: Baskets from past orders\n",
                    encoding="utf-8")
    res = run(repo, "set", made["id"], "status=approved", "owner=alice")
    assert res.exit_code == 1
    assert "faq.1.answer: this question has no answer" in res.stderr
    assert "success_metrics.0.target: a success metric in words needs a `target`" in res.stderr
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    audience: internal\n", "    answer: No, it reuses the cart API.\n    audience: internal\n").replace(
        "  - metric: Baskets from past orders\n", "  - metric: Baskets from past orders\n    target: 30 percent\n"),
        encoding="utf-8")
    res = run(repo, "set", made["id"], "status=approved", "owner=alice")
    assert res.exit_code == 0, res.output
    assert _load(path)["status"] == "approved"


def test_a_success_metric_names_a_metric_of_its_mechanism(story_repo: StoryRepo, run) -> None:
    res = run(story_repo.path, "new", "narrative", "Reorder", "--no-input",
              "--metric", f"coverage@{story_repo.mechanism}")
    assert res.exit_code == 1
    assert (f"success_metrics.0.metric: 'coverage' is not a metric of {story_repo.mechanism} "
            "(its metrics: reorders_per_week, abandonment)") in res.stderr


def test_link_writes_both_sides_and_validate_refuses_one_side(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "One-click reorder")
    first, second = new_decision(run, repo, "Reuse the cart API"), new_decision(run, repo, "Offer substitutes")
    res = run(repo, "link", made["id"], first, second)
    assert res.exit_code == 0, res.output
    assert _load(repo / made["path"])["decisions"] == [first, second]
    decision_file = next((repo / "decisions").glob(f"{first}-*.yaml"))
    assert _load(decision_file)["narrative"] == made["id"]
    assert run(repo, "validate").exit_code == 0
    assert "already linked" in run(repo, "link", made["id"], first).stdout
    # one side only: the narrative forgets the first decision
    path = repo / made["path"]
    path.write_text(path.read_text(encoding="utf-8").replace(f"  - {first}\n", ""), encoding="utf-8")
    res = run(repo, "validate")
    assert res.exit_code == 1
    assert (f"narrative: one-sided link: {made['id']} does not list {first} in `decisions` "
            f"(run `declog link {made['id']} {first}`)") in res.stdout
    third = new_decision(run, repo, "Show past orders first")
    res = run(repo, "set", third, f"narrative={made['id']}")
    assert res.exit_code == 1 and f"run `declog link {made['id']} {third}`" in res.stderr
    # and the other way: a narrative listing a decision that does not name it
    path.write_text(path.read_text(encoding="utf-8").replace(f"  - {second}\n", f"  - {second}\n  - {third}\n"),
                    encoding="utf-8")
    res = run(repo, "validate")
    assert f"one-sided link: {third} does not say `narrative: {made['id']}`" in res.stdout


def test_a_new_decision_naming_a_narrative_is_listed_by_it(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "One-click reorder")
    did = new_decision(run, repo, "Reuse the cart API", "--narrative", made["id"])
    assert _load(repo / made["path"])["decisions"] == [did]
    assert run(repo, "validate").exit_code == 0
    # a path or URL is still a plain link, not checked against any narrative
    other = new_decision(run, repo, "Keep orders in Postgres", "--narrative", "docs/prfaq/orders.md")
    assert run(repo, "validate").exit_code == 0 and other
    res = run(repo, "new", "decision", "Dangling", "--owner", "alice", "--door", "two-way", "--context", "c",
              "--narrative", "N-zzzzzz")
    assert res.exit_code == 1 and "'N-zzzzzz' does not resolve to any narrative" in res.stderr


def test_why_finds_the_prfaq_and_the_decisions_it_led_to(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "Orders ships one-click reorder", "--problem", "Reordering a basket takes twelve clicks",
                "--faq-internal", "Why not saved lists? :: Shoppers never kept them up to date")
    did = new_decision(run, repo, "Reuse the cart API", "--narrative", made["id"])
    new_decision(run, repo, "Use Postgres for invoices")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The reorder PR/FAQ")
    res = run(repo, "why", "why did we build one-click reorder")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Narratives (PR/FAQ):\n")
    assert f"{made['id']}  Orders ships one-click reorder" in res.stdout
    assert f"led to {did}  Reuse the cart API [proposed]" in res.stdout
    body = json.loads(run(repo, "why", "saved lists", "--format", "json").stdout)
    assert [n["id"] for n in body["narratives"]] == [made["id"]]
    assert body["narratives"][0]["decisions"][0]["id"] == did
    assert run(repo, "why", "invoices").stdout.startswith("1. ")  # no narrative matches: decisions only


def test_history_shows_a_narrative_field_by_field(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    made = _new(run, repo, "One-click reorder")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Draft the PR/FAQ")
    assert run(repo, "set", made["id"], "subtitle=Weekly shoppers reorder in one click").exit_code == 0
    git(repo, "commit", "-q", "-am", "Add the sub-heading")
    res = run(repo, "history", made["id"])
    assert res.exit_code == 0, res.output
    assert "subtitle: set to Weekly shoppers reorder in one click" in res.stdout
    assert "created as draft" in res.stdout


def test_the_editor_template_explains_each_part_and_keeps_only_what_was_written(story_repo: StoryRepo, run,
                                                                              tmp_path: Path) -> None:
    repo = story_repo.path
    editor = FakeEditor(tmp_path, ("replace", [
        ('customer: \n', 'customer: Shoppers who buy the same groceries every week\n'),
        ('  - question: ""\n    answer: ""\n    audience: external\n',
         '  - question: What if an item is sold out?\n    answer: ""\n    audience: external\n'),
    ]))
    res = run(repo, "new", "narrative", "One-click reorder", "--owner", "alice", "--edit", "--format", "json",
              env=editor.env)
    assert res.exit_code == 0, res.output
    shown = editor.seen[0]
    for part in ("# The headline", "# Who the customer is", "# The press release itself",
                 "audience is external (what a customer would ask", "# How success will be measured"):
        assert part in shown
    data = _load(repo / json.loads(res.stdout)["path"])
    assert data["customer"] == "Shoppers who buy the same groceries every week"
    assert data["faq"] == [{"question": "What if an item is sold out?", "audience": "external"}]
    assert "press_release" not in data and "quote" not in data  # parts left empty stay out


def test_the_editor_reopens_with_the_problems(story_repo: StoryRepo, run, tmp_path: Path) -> None:
    repo = story_repo.path
    editor = FakeEditor(tmp_path, ("replace", [("status: draft", "status: approved")]),
                        ("replace", [("status: approved", "status: draft"), ("quote: \n", "quote: It saves me time\n")]))
    res = run(repo, "new", "narrative", "One-click reorder", "--edit", env=editor.env)
    assert res.exit_code == 0, res.output
    assert "# declog: this record is not valid yet" in editor.seen[1]
    assert "success_metrics: an approved narrative names at least one" in editor.seen[1]
    made = json.loads(run(repo, "list", "narratives", "--format", "json").stdout)
    assert [(n["status"], n["quote"]) for n in made] == [("draft", "It saves me time")]
