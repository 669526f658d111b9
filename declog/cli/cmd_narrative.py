"""Narratives (PR/FAQs): ``declog new narrative``, ``declog import narrative`` and ``declog link``.

The first two are attached to the ``new`` and ``import`` groups (cmd_new, cmd_import); ``link``
is a command of its own."""

from __future__ import annotations

from typing import Any

import click

from declog.cli import prompts
from declog.cli.common import edit_until_valid, format_option, here, is_interactive, open_log, out
from declog.domain import vocab

NARRATIVE_TEMPLATE = """\
# A narrative (PR/FAQ), written before the work: start from the customer and work backwards.
# Write the press release of the day it launches, then the questions a customer and the team
# would ask, with their answers. Lines starting with # are comments.
# Leave a part empty to fill it in later; for several paragraphs write `|` and indent the lines
# below it. Save and close to record it; close it unchanged (or empty) to record nothing.
id: {id}
# The headline: what the customer gets, in one line a customer would understand.
title: {title}
# The single-threaded owner: the handle of one active person (needed once approved).
owner: {owner}
# draft | in-review (the FAQ asks both a customer's and the team's questions) | approved (every
# question answered, an owner and at least one success metric) | shelved.
status: {status}
# The sub-heading: who the customer is and what they get, in one sentence.
subtitle: {subtitle}
# Who the customer is. Be specific: not "users", but which users, doing what.
customer: {customer}
# The customer's problem, in their words: what it costs them today.
problem: {problem}
# How the product solves it, as the customer will experience it.
solution: {solution}
# The press release itself, as it would be published on launch day: plain words, no jargon.
press_release: {press_release}
# A quote from a customer (or a leader) saying why it matters to them.
quote: {quote}
# How a customer gets started: the first thing they do.
getting_started: {getting_started}
# Questions and answers. audience is external (what a customer would ask: price, how it works,
# what if …) or internal (what the team and leaders would ask: cost, risks, dependencies, why
# now). Every question needs an answer before the narrative is approved.
faq:
{faq}
# How success will be measured. Either a metric of a mechanism (metric: its name, mechanism:
# M-xxxxxx), or a measure in words with its target.
success_metrics:
{success_metrics}
"""

FLAGS = {"title": "TITLE", "status": "--status", "owner": "--owner", "success_metrics": "--metric"}


def _faq(text: str, audience: str) -> dict[str, Any]:
    question, sep, answer = text.partition(" :: ")
    entry: dict[str, Any] = {"question": question.strip()}
    if sep and answer.strip():
        entry["answer"] = answer.strip()
    entry["audience"] = audience
    return entry


def _metric(log: Any, text: str) -> dict[str, Any]:
    """``NAME@MECHANISM`` (a mechanism's metric) or ``MEASURE IN WORDS[: TARGET]``."""
    import re

    from declog.domain.kinds import KINDS

    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._/-]{0,63})@(\S+)\s*$", text)
    if match:
        return {"metric": match.group(1), "mechanism": log.resolve(match.group(2), KINDS["mechanism"]).id}
    measure, sep, target = text.partition(": ")
    metric: dict[str, Any] = {"metric": measure.strip()}
    if sep and target.strip():
        metric["target"] = target.strip()
    return metric


def _draft(fields: dict[str, Any], default_owner: str) -> str:
    import json

    from declog.storage import yamlio

    def scalar(name: str) -> str:
        value = fields.get(name)
        if value is None:
            return ""  # left empty: the part stays out until it is written
        text = str(value)
        if "\n" in text.strip():
            return "|\n" + "".join(f"  {line}\n" for line in text.rstrip().splitlines()).rstrip("\n")
        return json.dumps(text, ensure_ascii=False)

    def items(name: str, example: str) -> str:
        values = fields.get(name)
        if not values:
            return example
        body = yamlio.dump_roundtrip(yamlio.to_plain({name: values}))
        return "".join(line + "\n" for line in body.splitlines()[1:]).rstrip("\n")

    return NARRATIVE_TEMPLATE.format(
        id=fields["id"], title=scalar("title") or '""', owner=fields.get("owner") or default_owner,
        status=fields.get("status", "draft"), subtitle=scalar("subtitle"), customer=scalar("customer"),
        problem=scalar("problem"), solution=scalar("solution"), press_release=scalar("press_release"),
        quote=scalar("quote"), getting_started=scalar("getting_started"),
        faq=items("faq", '  - question: ""\n    answer: ""\n    audience: external\n'
                         '  - question: ""\n    answer: ""\n    audience: internal'),
        success_metrics=items("success_metrics", "  []"),
    ).replace("success_metrics:\n  []", "success_metrics: []")


def _cleaned(text: str) -> dict[str, Any]:
    """The fields of an edited template: FAQ entries and parts left as they were given (empty)
    are left out, so a draft never holds an empty question or answer."""
    from declog.storage import yamlio

    fields = dict(yamlio.load_record_text(text, "draft"))
    faq = fields.get("faq")
    if isinstance(faq, list):
        kept = []
        for entry in faq:
            if isinstance(entry, dict):
                entry = {k: v for k, v in entry.items() if v not in ("", None)}
                if set(entry) <= {"audience"}:
                    continue  # the template's example, never filled in
            kept.append(entry)
        fields["faq"] = kept
    return {k: v for k, v in fields.items() if v not in ("", None, [])}


@click.command("narrative", epilog="Examples:\n\n\b\n"
               "  declog new narrative 'Orders ships one-click reorder'   # opens $EDITOR on a PR/FAQ template\n"
               "  declog new narrative 'One-click reorder' --owner alice --customer 'Weekly shoppers' \\\n"
               "      --faq-external 'What if an item is sold out? :: We offer a substitute' \\\n"
               "      --faq-internal 'Does it need a new service? :: No, it reuses the cart API' \\\n"
               "      --metric 'reorders_per_week@M-dxywdh' --no-input\n"
               "  declog new narrative --from-file prfaq.yaml\n"
               "  declog link N-4kq8wd D-573ejx                          # the decisions it led to")
@click.argument("title", required=False)
@click.option("--owner", help="Handle of the single-threaded owner (needed once approved).")
@click.option("--status", type=click.Choice(vocab.NARRATIVE_STATUSES), default=None,
              help="draft (default), in-review, approved or shelved.")
@click.option("--subtitle", help="Who the customer is and what they get, in one sentence.")
@click.option("--customer", help="Who the customer is.")
@click.option("--problem", help="The customer's problem.")
@click.option("--solution", help="How the product solves it.")
@click.option("--press-release", "press_release", help="The press release, as on launch day.")
@click.option("--quote", help="A quote from a customer or a leader.")
@click.option("--getting-started", "getting_started", help="How a customer gets started.")
@click.option("--faq-external", "external", multiple=True, metavar="'QUESTION[ :: ANSWER]'",
              help="A question a customer would ask, and its answer (repeatable).")
@click.option("--faq-internal", "internal", multiple=True, metavar="'QUESTION[ :: ANSWER]'",
              help="A question the team would ask, and its answer (repeatable).")
@click.option("--metric", "metrics", multiple=True, metavar="'NAME@MECHANISM' | 'MEASURE: TARGET'",
              help="A success metric: a mechanism's metric, or a measure in words with its target (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Start from a YAML file.")
@click.option("--edit", "use_editor", is_flag=True, help="Open $EDITOR on the template even when not asked to.")
@click.option("--no-input", is_flag=True, help="Never prompt nor open an editor; fail listing missing fields.")
@format_option(("text", "json"), "text")
def new_narrative(title: str | None, owner: str | None, status: str | None, subtitle: str | None,
                  customer: str | None, problem: str | None, solution: str | None, press_release: str | None,
                  quote: str | None, getting_started: str | None, external: tuple[str, ...],
                  internal: tuple[str, ...], metrics: tuple[str, ...], tags: tuple[str, ...],
                  from_file: str | None, use_editor: bool, no_input: bool, fmt: str) -> int:
    """Record a narrative: a PR/FAQ (press release, then the FAQ) written before the work.

    On a terminal it asks for the headline and the owner, then opens $EDITOR on a template that
    explains each part; with flags, --from-file or --no-input it writes what it is given.
    """
    from pathlib import Path

    from declog.core import edit
    from declog.domain import ids
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    log = open_log()
    kind = KINDS["narrative"]
    fields: dict[str, Any] = edit.load_file_fields(Path(from_file), log.config.max_file_bytes) if from_file else {}
    given = {"title": title, "owner": owner, "status": status, "subtitle": subtitle, "customer": customer,
             "problem": problem, "solution": solution, "press_release": press_release, "quote": quote,
             "getting_started": getting_started}
    fields.update({k: v for k, v in given.items() if v is not None})
    faq = [*(_faq(q, "external") for q in external), *(_faq(q, "internal") for q in internal)]
    if faq:
        fields["faq"] = [*fields.get("faq", []), *faq]
    if metrics:
        fields["success_metrics"] = [*fields.get("success_metrics", []), *(_metric(log, m) for m in metrics)]
    if tags:
        fields["tags"] = [*fields.get("tags", []), *tags]
    fields.setdefault("status", "draft")
    if fields.get("owner") is not None:
        fields["owner"] = log.resolve(fields["owner"], KINDS["owner"]).id
    interactive = is_interactive() and not no_input
    people = [r.id for r in log.records() if r.kind is KINDS["owner"] and (r.data or {}).get("kind") != "team"
              and (r.data or {}).get("active") is not False]
    asked_anything = bool(from_file) or any(v is not None for v in given.values()) or bool(faq or metrics)
    with prompts.keeping_draft(log, "narrative", fields, edit.field_names(kind), then=" --edit"):
        if interactive and not asked_anything:
            fields["title"] = prompts.ask_text("Headline (what the customer gets)")
            answer = prompts.ask_person(log, "Owner (handle of one person)",
                                        default=people[0] if len(people) == 1 else None, optional=True)
            if answer:
                fields["owner"] = answer
        if use_editor or (interactive and (not asked_anything or edit.required_fields(kind, fields, log))):
            fields.setdefault("id", ids.mint("N", set(log.by_id())))
            draft = _draft(fields, people[0] if len(people) == 1 else "")

            text = edit_until_valid(draft, lambda t: _check(log, kind, t),
                                    keep=lambda t: prompts.keep_text(log, "narrative", t))
            if text is None:
                raise UsageError("no narrative recorded: the template was left empty or unchanged")
            edited = _cleaned(text)
            fields.clear()
            fields.update(edited)
        else:
            missing = edit.required_fields(kind, fields, log)
            if missing:
                wanted = ", ".join(FLAGS.get(m, m) for m in missing)
                raise UsageError(f"missing required field(s): {', '.join(missing)}; pass {wanted}, "
                                 "--from-file FILE, or run on a terminal to fill in a template")
        record = edit.create(log, kind, fields)
    if fmt == "json":
        from declog.render import records as render

        render.record_json(record, out())
    else:
        click.echo(f"Created narrative {record.id}: {here(log, record.path)}")
    return 0


def _check(log: Any, kind: Any, text: str) -> list[Any]:
    """Problems of an edited template, as it will be recorded (empty parts left out), placed in
    the text the person wrote."""
    from declog.core import edit
    from declog.core.validate import Issue
    from declog.errors import RecordFileError

    try:
        fields = _cleaned(text)
    except RecordFileError as exc:
        return [Issue("draft", exc.line or 1, exc.column or 1, "", exc.problem, "file")]
    path = log.rel(log.new_path(kind, str(fields.get("id", "")), str(fields.get("title") or "")))
    return list(edit._issues_for(log, kind, fields, path, text))


@click.command("link", epilog="Examples:\n\n\b\n  declog link N-4kq8wd D-573ejx\n"
               "  declog link N-4kq8wd D-573ejx D-j7vaxc --format json")
@click.argument("narrative_id", metavar="NARRATIVE")
@click.argument("decision_ids", metavar="DECISION...", nargs=-1, required=True)
@format_option(("text", "json"), "text")
def link(narrative_id: str, decision_ids: tuple[str, ...], fmt: str) -> int:
    """Link a narrative to the decisions it led to, both sides: the narrative lists each decision
    in `decisions`, and each decision names the narrative in `narrative`."""
    from declog.core import edit
    from declog.domain.kinds import KINDS

    log = open_log()
    story = log.resolve(narrative_id, KINDS["narrative"])
    decisions = [log.resolve(d, KINDS["decision"]) for d in decision_ids]
    changed = edit.link_narrative(log, story, decisions)
    if fmt == "json":
        import json

        out().write(json.dumps({"narrative": story.id, "decisions": [d.id for d in decisions],
                                "changed": [r.path for r in changed]}, indent=2) + "\n")
    elif changed:
        for r in changed:
            click.echo(f"Linked {r.kind.name} {r.id}: {here(log, r.path)}")
    else:
        click.echo(f"{story.id} and {', '.join(str(d.id) for d in decisions)} were already linked")
    return 0


@click.command("narrative", epilog="Examples:\n\n\b\n"
               "  declog import narrative docs/prfaq/reorder.md --dry-run   # what would be read; writes nothing\n"
               "  declog import narrative docs/prfaq/*.md --owner alice\n"
               "  declog import narrative docs/prfaq/reorder.md --format json | jq '.files[].id'\n\n"
               "Exit status: 0 imported (or nothing new), 1 a record would not be valid (nothing written),\n"
               "2 bad usage (no such file, no headline).")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path())
@click.option("--owner", metavar="HANDLE", default=None, help="The single-threaded owner of every narrative imported.")
@click.option("--status", type=click.Choice(vocab.NARRATIVE_STATUSES), default="draft",
              show_default=True, help="Status of every narrative imported.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@format_option(("text", "json"), "text")
def import_narrative(files: tuple[str, ...], owner: str | None, status: str, dry_run: bool, fmt: str) -> int:
    """Import PR/FAQ markdown files as narratives, word for word.

    The first heading is the headline; parts under their usual headings (Customer, Problem,
    Solution, Press release, Quote, Getting started, Success metrics) become those fields;
    questions and answers come from `Q:`/`A:` lines, bold questions or question headings under
    an FAQ heading (External FAQ and Internal FAQ set the audience); any other part is kept in
    `sections` under its heading. Every record is checked before any is written; a file
    imported before is left alone.
    """
    from pathlib import Path

    from declog.core.import_narrative import import_narratives
    from declog.errors import InvalidRecord

    log = open_log()
    report = import_narratives(log, [Path(f) for f in files], owner=owner, status=status, dry_run=dry_run)
    if fmt == "json":
        import json

        out().write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        verb = "Would import" if dry_run or report.problems else "Imported"
        imported = report.of("imported")
        click.echo(f"{verb} {len(imported)} narrative(s) ({len(report.of('already-imported'))} already imported).")
        for f in imported:
            click.echo(f"  {here(log, f.path)} → {f.id} {here(log, f.record_path)}: {f.questions} question(s), {f.unanswered} unanswered")
            for g in f.guesses:
                click.echo(f"      guessed {g.field}: {g.reason}")
        for f in report.of("already-imported"):
            click.echo(f"  {here(log, f.path)}: already imported as {f.id}")
        if dry_run:
            click.echo("Dry run: nothing was written.")
        elif report.written:
            click.echo("Review the records, then commit them: git add -A && git commit")
    if report.problems:
        raise InvalidRecord(f"{len(report.problems)} problem(s) in the records the import would write; "
                            f"nothing was written: {report.problems[0]}", report.problems)
    return 0
