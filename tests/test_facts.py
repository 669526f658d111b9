"""The one record view (declog.core.facts) where the renderers used to differ: a decision that
supersedes two others (the markdown export followed only the first), a tag that happens to equal
a handle (the site counted any string as a link), and the one rule for safe page names."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, new_decision


def test_chain_and_backlinks_are_the_same_in_the_markdown_and_html_exports(
        log_repo: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    from declog.core.facts import LogFacts
    from declog.storage.store import Log

    repo = log_repo
    assert run(repo, "new", "owner", "bob", "--name", "Bob Builder").exit_code == 0
    first = new_decision(run, repo, "Use MySQL for orders", "--owner", "bob", "--tag", "alice")
    second = new_decision(run, repo, "Use SQLite for orders", "--owner", "bob")
    merged = new_decision(run, repo, "Use Postgres for orders")
    for old in (first, second):
        res = run(repo, "supersede", old, merged)
        assert res.exit_code == 0, res.output
    assert run(repo, "validate").exit_code == 0

    view = LogFacts(Log.open(repo).records())
    facts = view.with_backlinks(merged)
    assert set(facts.before) == {first, second} and facts.after == []
    assert facts.supersedes == sorted([first, second])
    assert view.of(first).after == [merged] and view.of(second).after == [merged]
    assert {o for o, _ in view.backlinks("alice")} == {merged}  # owner: yes; a tag that reads "alice": no
    assert {o for o, _ in view.backlinks("bob")} == {first, second}

    assert run(repo, "export", "markdown", "--out", str(tmp_path / "md")).exit_code == 0
    assert run(repo, "export", "html", "--out", str(tmp_path / "site")).exit_code == 0
    (page,) = (tmp_path / "md").glob(f"{merged}-*.md")
    md = page.read_text(encoding="utf-8")
    chain = md.split("## Supersede chain\n\n", 1)[1].split("\n", 1)[0]
    steps = re.findall(r"D-[0-9a-z]{6}", re.sub(r"\]\([^)]*\)", "]", chain))
    assert steps == [*facts.before, merged], chain  # both decisions it replaced, not only the first
    html = (tmp_path / "site" / "records" / f"{merged}.html").read_text(encoding="utf-8")
    assert re.findall(r'<li class="before"><a href="\.\./records/(D-[0-9a-z]{6})\.html"', html) == facts.before
    related = md.split("## Related\n\n", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^- \[(D-[0-9a-z]{6})", related, re.M)) == {first, second} == \
        {o for o, _ in facts.backlinks}
    owner_page = (tmp_path / "site" / "records" / "alice.html").read_text(encoding="utf-8")
    back = owner_page.split('<section class="backlinks">', 1)[1].split("</section>", 1)[0]
    assert set(re.findall(r'href="\.\./records/([^".]+)\.html"', back)) == {merged}


def test_one_rule_for_page_names() -> None:
    from declog.export import safe_name

    assert safe_name("D-7k3m9q") and safe_name("a" * 39) and safe_name("a" * 64)
    assert not safe_name("a" * 65) and not safe_name("a..b") and not safe_name("-x") and not safe_name("a/b")


def test_one_number_format() -> None:
    from declog.render.review import number

    assert [number(v) for v in (123456.7, 90.0, 2, 0.25, 99.95, 1 / 3, -2.5)] == \
        ["123456.7", "90", "2", "0.25", "99.95", "0.3333", "-2.5"]
