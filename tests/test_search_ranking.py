"""How `declog why` ranks: stop words never drive it, prefixes and other spellings match, the
title and decision weigh more than appendix sections, and a current decision comes before the
one it superseded unless the question points at the past, with the chain shown either way.

Every test runs the real CLI on a real git repository, with FTS5 and with the pure-Python ranker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, git


@pytest.fixture(params=["fts5", "python"])
def ranker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        from declog.core import search

        monkeypatch.setattr(search, "fts5_available", lambda: False)
    return str(request.param)


def decide(run: Callable[..., Result], repo: Path, title: str, *flags: str) -> str:
    res = run(repo, "new", "decision", title, "--owner", "alice", "--door", "two-way", "--format", "json", *flags)
    assert res.exit_code == 0, res.output
    return str(json.loads(res.stdout)["id"])


def from_file(run: Callable[..., Result], repo: Path, yaml_text: str) -> str:
    draft = repo.parent / "draft.yaml"
    draft.write_text(yaml_text, encoding="utf-8")
    res = run(repo, "new", "decision", "--from-file", str(draft), "--format", "json")
    assert res.exit_code == 0, res.output
    return str(json.loads(res.stdout)["id"])


def ask(run: Callable[..., Result], repo: Path, *question: str) -> list[dict]:
    res = run(repo, "why", *question, "--limit", "10", "--format", "json")
    assert res.exit_code in (0, 1), res.output
    return list(json.loads(res.stdout)["results"])


def ids(results: list[dict]) -> list[str]:
    return [r["id"] for r in results]


def commit_all(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Record decisions")


def test_stop_words_do_not_drive_the_ranking(log_repo: Path, run, ranker) -> None:
    chatter = decide(run, log_repo, "What we will do and why we did not use it before",
                     "--context", "Why do we use what we use? We did not, and we will not, because we would not.")
    cache = decide(run, log_repo, "Keep sessions in Redis", "--context", "Logins are slow without a session cache.")
    commit_all(log_repo)
    found = ids(ask(run, log_repo, "why", "did", "we", "not", "use", "a", "session", "cache"))
    assert found == [cache]  # the decision of only question words does not match at all
    assert chatter not in found
    # a question made only of stop words still finds what literally contains them
    assert chatter in ids(ask(run, log_repo, "why", "not"))


def test_prefixes_and_spellings_match(log_repo: Path, run, ranker) -> None:
    mongo = decide(run, log_repo, "Keep the event log in MongoDB", "--context", "Events arrive as documents.")
    pg = decide(run, log_repo, "Store orders in PostgreSQL", "--context", "Orders need transactions.")
    lic = decide(run, log_repo, "Publish the SDK under the MIT license", "--context", "Partners embed the SDK.")
    commit_all(log_repo)
    assert ids(ask(run, log_repo, "mongo"))[:1] == [mongo]
    assert ids(ask(run, log_repo, "postgres", "orders"))[:1] == [pg]
    assert ids(ask(run, log_repo, "postgres")) == [pg]
    assert ids(ask(run, log_repo, "which", "licence", "for", "the", "sdk"))[:1] == [lic]
    # a whole word still beats a longer word it begins: "event" is exact in the MongoDB title
    evented = decide(run, log_repo, "Eventual consistency for the catalogue", "--context", "Reads may lag.")
    found = ids(ask(run, log_repo, "event"))
    assert found.index(mongo) < found.index(evented)


def test_title_and_decision_outweigh_appendix_sections(log_repo: Path, run, ranker) -> None:
    appendix = from_file(run, log_repo, (
        "title: Run the nightly batch on Kubernetes\nowner: alice\ndoor: two-way\n"
        "context: The batch outgrew one machine.\n"
        "sections:\n"
        "  - heading: 'Appendix: notes from the spike'\n"
        "    text: We glanced at tracing; tracing the batch was out of scope, tracing can come later.\n"))
    main = decide(run, log_repo, "Adopt OpenTelemetry", "--decision", "Tracing goes through the OpenTelemetry collector.",
                  "--context", "Requests cross five services.")
    commit_all(log_repo)
    assert ids(ask(run, log_repo, "tracing")) == [main, appendix]  # sections are searched, and weigh little
    assert ids(ask(run, log_repo, "spike", "notes")) == [appendix]  # headings of sections are searched too
    assert ids(ask(run, log_repo, "collector")) == [main]  # a record without sections is fine


@pytest.fixture
def sessions(log_repo: Path, run: Callable[..., Result]) -> dict[str, str]:
    """An old session-cache decision that matches the question better than its successor."""
    old = decide(run, log_repo, "Session cache in Memcached", "--status", "accepted",
                 "--decision", "The session cache is Memcached.", "--rationale", "The session cache must be fast.",
                 "--context", "Session cache lookups on every request.")
    new = decide(run, log_repo, "Move to Redis", "--status", "accepted", "--decision", "Sessions live in Redis.",
                 "--rationale", "Redis keeps the session cache across restarts.", "--context", "Restarts log everyone out.")
    res = run(log_repo, "supersede", old, new)
    assert res.exit_code == 0, res.output
    other = decide(run, log_repo, "Cache product pages at the CDN", "--context", "Page cache hit rates are low.")
    commit_all(log_repo)
    return {"old": old, "new": new, "other": other}


def test_current_decision_comes_before_the_one_it_superseded(log_repo: Path, run, ranker, sessions) -> None:
    results = ask(run, log_repo, "what", "do", "we", "use", "for", "the", "session", "cache")
    found = ids(results)
    assert found.index(sessions["new"]) < found.index(sessions["old"])
    assert found[0] == sessions["new"]
    old = results[found.index(sessions["old"])]
    assert [r["id"] for r in old["superseded_by"]] == [sessions["new"]]  # the chain is shown
    assert [r["id"] for r in results[0]["supersedes"]] == [sessions["old"]]
    text = run(log_repo, "why", "session", "cache").stdout
    assert f"superseded by {sessions['new']}" in text
    assert f"supersedes {sessions['old']}" in text


@pytest.mark.parametrize("question", [
    "what did we first use for the session cache",
    "what was the session cache originally",
    "which session cache did we use before",
    "what session cache we used to have",
])
def test_a_question_about_the_past_puts_the_superseded_one_first(log_repo: Path, run, ranker, sessions,
                                                                question: str) -> None:
    results = ask(run, log_repo, *question.split())
    found = ids(results)
    assert found[:2] == [sessions["old"], sessions["new"]]
    assert [r["id"] for r in results[0]["superseded_by"]] == [sessions["new"]]  # the chain is shown


def test_current_first_only_reorders_the_pair(log_repo: Path, run, ranker, sessions) -> None:
    # when only the old decision matches, it is still found, with what replaced it
    results = ask(run, log_repo, "memcached")
    assert ids(results) == [sessions["old"]]
    assert [r["id"] for r in results[0]["superseded_by"]] == [sessions["new"]]
    # unrelated hits keep their places
    assert ids(ask(run, log_repo, "cdn", "page", "cache"))[0] == sessions["other"]


def test_a_retired_decision_ranks_lower_unless_the_question_is_about_the_past(log_repo: Path, run, ranker) -> None:
    # no supersede link between them: only the statuses say which is current
    old = decide(run, log_repo, "Feature flags in a config file", "--status", "deprecated",
                 "--context", "Feature flags are read from a config file at start-up.")
    # both titles name the subject (a title holding the question's words weighs more)
    new = decide(run, log_repo, "Roll out feature flags with Unleash", "--status", "accepted",
                 "--context", "Changes at run time without a deploy.",
                 "--decision", "Unleash serves the flags.", "--rationale", "Flags flip without a restart.")
    for title, context in (("Store orders in PostgreSQL", "Orders need transactions."),
                           ("Queue emails with SQS", "Bursts of sign-ups."), ("Render pages on the server", "SEO.")):
        decide(run, log_repo, title, "--context", context)
    commit_all(log_repo)
    now = ask(run, log_repo, "how", "do", "we", "switch", "feature", "flags")
    assert now[0]["score"] < now[1]["score"]  # the deprecated one matches better ...
    assert ids(now)[:2] == [new, old]  # ... and still comes second
    assert ids(ask(run, log_repo, "how", "did", "we", "switch", "feature", "flags", "before"))[:2] == [old, new]


def test_a_contraction_is_a_stop_word_too(log_repo: Path, run, ranker) -> None:
    # "didn't" is read as "didn": it must not match a decision that says "didn" nor drive the rank
    h2 = decide(run, log_repo, "Embed H2 as the internal database", "--context", "SQLite lacks the SQL dialect we need.")
    chatter = decide(run, log_repo, "Retry failed uploads", "--context", "Uploads didn't finish; we didn't retry; didn't log.")
    commit_all(log_repo)
    found = ids(ask(run, log_repo, "why", "didn't", "we", "use", "sqlite"))
    assert found == [h2]
    assert chatter not in found


def test_synonyms_and_abbreviations_match(log_repo: Path, run, ranker) -> None:
    db = decide(run, log_repo, "Keep invoices in one relational database", "--context", "Finance reports join invoices.")
    k8s = decide(run, log_repo, "Run the workers on Kubernetes", "--context", "Workers need to scale out.")
    ui = decide(run, log_repo, "Translate the UI with Crowdin", "--context", "Volunteers work in their browsers.")
    login = decide(run, log_repo, "Authentication of staff at the identity provider",
                   "--context", "Staff already have corporate accounts.")
    gone = decide(run, log_repo, "Deprecate the SOAP gateway", "--context", "Two partners still call the gateway.")
    commit_all(log_repo)
    assert ids(ask(run, log_repo, "which", "db"))[:1] == [db]
    found = ask(run, log_repo, "k8s")
    assert ids(found) == [k8s]
    assert found[0]["matched"] == ["title"]  # the fields where a synonym matched
    assert ids(ask(run, log_repo, "the", "user", "interface"))[:1] == [ui]
    assert ids(ask(run, log_repo, "how", "do", "we", "log", "in"))[:1] == [login]
    assert ids(ask(run, log_repo, "what", "did", "we", "stop", "using"))[:1] == [gone]
    # a word does not expand to a two-letter abbreviation: "identifier" does not find every "id"
    ident = decide(run, log_repo, "Mint random short identifiers", "--context", "Sequential numbers collide on branches.")
    decide(run, log_repo, "Log the request id", "--context", "Support asks for the id of a failed request.")
    commit_all(log_repo)
    assert ids(ask(run, log_repo, "identifier")) == [ident]


def test_adjacent_words_match_their_compound(log_repo: Path, run, ranker) -> None:
    setup = decide(run, log_repo, "One-command setup for new laptops", "--context", "Onboarding took two days.")
    prices = decide(run, log_repo, "Set prices in euros", "--context", "Customers pay in euros.")
    commit_all(log_repo)
    assert ids(ask(run, log_repo, "set", "up")) == [prices, setup]  # "set up" also finds "setup"
    assert ids(ask(run, log_repo, "how", "do", "we", "set", "up", "laptops")) == [setup, prices]
    assert ids(ask(run, log_repo, "set", "prices")) == [prices]  # only adjacent words: no "setprices"


def test_a_title_that_names_the_subject_beats_a_long_text_that_mentions_it(log_repo: Path, run) -> None:
    # FTS5's bm25() saturates the summed weighted frequency of all columns and normalises by the
    # whole record's length: a long record that mentions every question word many times must not
    # bury the short one whose title is what the question asks about. (FTS5 only: the pure-Python
    # BM25F weighs each field apart and is left as it is; see search.titled_first.)
    named = decide(run, log_repo, "Manage several AWS accounts with Terraform",
                   "--context", "One state per environment.")
    chatty = decide(run, log_repo, "Metrics and alerting",
                    "--context", " ".join(["Alerts for every AWS account come from Terraform modules;"
                                           " each account gets dashboards, and Terraform keeps them"
                                           " the same in every AWS account; one setup for several teams."] * 3)
                    + " Grafana was not used much, so alerts moved to the cloud provider's own tools.")
    for title, context in (("Store orders in PostgreSQL", "Orders need transactions."),
                           ("Queue emails with SQS", "Bursts of sign-ups."), ("Render pages on the server", "SEO.")):
        decide(run, log_repo, title, "--context", context)
    commit_all(log_repo)
    found = ids(ask(run, log_repo, "one", "terraform", "setup", "for", "several", "aws", "accounts"))
    assert found[:2] == [named, chatty]


def test_a_title_holding_a_synonym_of_a_phrase_of_the_question_counts(log_repo: Path, run) -> None:
    # "switching off" is a phrase of SYNONYMS ("disable"): a title that says "Disable" holds it
    from declog.core.search import title_terms

    assert title_terms("Disable inactive Keycloak users", "switching off accounts of inactive users") == [
        "inactive", "users", "switching"]
    assert title_terms("Metrics and alerting", "switching off accounts of inactive users") == []
    named = decide(run, log_repo, "Disable dormant accounts", "--context", "Kept for a year.")
    chatty = decide(run, log_repo, "Yearly reviews",
                    "--context", " ".join(["Every account is reviewed; an account that is switched on"
                                           " stays on until its owner leaves."] * 1))
    for title, context in (("Store orders in PostgreSQL", "Orders need transactions."),
                           ("Queue emails with SQS", "Bursts of sign-ups."), ("Render pages on the server", "SEO.")):
        decide(run, log_repo, title, "--context", context)
    commit_all(log_repo)
    found = ids(ask(run, log_repo, "switching", "off", "old", "accounts"))
    assert found[:2] == [named, chatty]
