from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from declog.cli import prompts
from declog.cli.common import edit_until_valid, format_option, is_interactive, open_log, out
from declog.domain import vocab


@click.group(epilog="Example:\n\n\b\n  declog new owner alice --name 'Alice Example'\n"
             "  declog new decision 'Use Postgres for orders' --owner alice --door two-way\n"
             "  declog new mechanism 'Weekly deploy review' --owner alice ...\n"
             "  declog new correction 'Checkout down after a config push'")
def new() -> None:
    """Record a new owner, decision, mechanism, correction of errors or narrative (PR/FAQ)."""


def _announce(record: Any, fmt: str, log: Any = None) -> None:
    from declog.render import records as render

    if fmt == "json":
        render.record_json(record, out())
    else:
        from declog.cli.common import here

        click.echo(f"Created {record.kind.name} {record.id}: {here(log, record.path) if log is not None else record.path}")


def _from_file(log: Any, kind: Any, path: str) -> dict[str, Any]:
    from declog.core import edit

    return edit.load_file_fields(Path(path), log.config.max_file_bytes)


@new.command("owner", epilog="Examples:\n\n\b\n  declog new owner alice --name 'Alice Example' --email alice@example.com\n"
             "  declog new owner platform --kind team --name 'Platform team' --lead alice")
@click.argument("handle", required=False)
@click.option("--name", help="Display name.")
@click.option("--kind", "owner_kind", type=click.Choice(vocab.OWNER_KINDS), default=None, help="person (default) or team.")
@click.option("--email", default=None, help="Contact address.")
@click.option("--team", default=None, help="Handle of the team this person belongs to.")
@click.option("--lead", default=None, help="For a team: the accountable person's handle.")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Read the owner from a YAML file.")
@format_option(("text", "json"), "text")
def new_owner(handle: str | None, name: str | None, owner_kind: str | None, email: str | None,
              team: str | None, lead: str | None, from_file: str | None, fmt: str) -> int:
    """Add an owner: a person, or a team with one accountable lead."""
    from declog.core import edit
    from declog.domain import ids
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    log = open_log()
    kind = KINDS["owner"]
    fields: dict[str, Any] = _from_file(log, kind, from_file) if from_file else {}
    if handle is not None:
        fields["handle"] = ids.check_handle(handle)
    for key, value in (("name", name), ("kind", owner_kind), ("email", email), ("team", team), ("lead", lead)):
        if value is not None:
            fields[key] = value
    if "handle" not in fields:
        raise UsageError("give the owner's HANDLE, e.g. `declog new owner alice --name 'Alice Example'`")
    with prompts.keeping_draft(log, "owner", fields, edit.field_names(kind)):
        if "name" not in fields:
            if is_interactive():
                fields["name"] = prompts.ask_text("Name")
            else:
                raise UsageError("missing --name: e.g. `declog new owner alice --name 'Alice Example'`")
        record = edit.create(log, kind, fields)
    _announce(record, fmt, log)
    return 0


def _parse_option(text: str) -> dict[str, str]:
    title, sep, why_not = text.partition(": ")
    option = {"title": title.strip()}
    if sep and why_not.strip():
        option["why_not"] = why_not.strip()
    return option


DECISION_FLAGS = {
    "owner": "--owner", "door": "--door", "context": "--context", "decision": "--decision",
    "rationale": "--rationale", "decided_on": "--decided-on", "expected_outcome": "--expected-outcome",
    "title": "TITLE", "status": "--status", "options": "--option (at least two)", "tags": "--tag",
    "scope": "--scope", "review_by": "--review-by", "consequences": "--consequences", "narrative": "--narrative",
}


@new.command("decision", epilog="Examples:\n\n\b\n"
             "  declog new decision 'Use Postgres for orders' --owner alice --door two-way \\\n"
             "      --context 'Orders need transactions' --option 'DynamoDB: no multi-item transactions'\n"
             "  declog new decision 'Adopt Kafka' --no-input --owner bob --door one-way ...   # fails listing what is missing\n"
             "  declog new decision --from-file draft.yaml")
@click.argument("title", required=False)
@click.option("--owner", help="Handle of the single accountable person.")
@click.option("--status", type=click.Choice(vocab.DECISION_STATUSES),
              default=None, help="Lifecycle status (default: proposed).")
@click.option("--door", type=click.Choice(vocab.DOORS), help="one-way: hard to reverse; two-way: reversible.")
@click.option("--context", help="The forces at play.")
@click.option("--decision", "decision_text", help="What was decided.")
@click.option("--rationale", help="Why.")
@click.option("--option", "options", multiple=True, metavar="'TITLE[: WHY NOT]'", help="An option weighed (repeatable).")
@click.option("--consequences", help="What follows from it.")
@click.option("--expected-outcome", help="What we expect to see if this was right.")
@click.option("--decided-on", metavar="DATE", help="ISO date it was decided (default today once accepted).")
@click.option("--review-by", metavar="DATE", help="ISO date to look back at the outcome.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--scope", "scopes", multiple=True, metavar="GLOB", help="Path glob of code it governs (repeatable).")
@click.option("--supersedes", "supersedes", multiple=True, metavar="ID", help="A decision this one replaces (repeatable).")
@click.option("--related", "related", multiple=True, metavar="ID", help="A related record (repeatable).")
@click.option("--narrative", metavar="PATH|URL", help="PR/FAQ, memo or design document.")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Start from a YAML file.")
@click.option("--edit", "use_editor", is_flag=True, help="Open $EDITOR on the draft before saving.")
@click.option("--no-input", is_flag=True, help="Never prompt; fail listing missing required fields.")
@format_option(("text", "json"), "text")
def new_decision(title: str | None, owner: str | None, status: str | None, door: str | None, context: str | None,
                 decision_text: str | None, rationale: str | None, options: tuple[str, ...],
                 consequences: str | None, expected_outcome: str | None, decided_on: str | None,
                 review_by: str | None, tags: tuple[str, ...], scopes: tuple[str, ...],
                 supersedes: tuple[str, ...], related: tuple[str, ...], narrative: str | None,
                 from_file: str | None, use_editor: bool, no_input: bool, fmt: str) -> int:
    """Record a decision. Prompts for missing required fields on a terminal."""
    from declog.core import edit
    from declog.core.query import parse_date
    from declog.domain import ids
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError
    from declog.storage import yamlio

    log = open_log()
    kind = KINDS["decision"]
    fields: dict[str, Any] = _from_file(log, kind, from_file) if from_file else {}
    given: dict[str, Any] = {
        "title": title, "status": status, "owner": owner, "door": door, "context": context,
        "decision": decision_text, "rationale": rationale, "consequences": consequences,
        "expected_outcome": expected_outcome, "narrative": narrative,
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    if decided_on:
        fields["decided_on"] = parse_date(decided_on, "--decided-on")
    if review_by:
        fields["review_by"] = parse_date(review_by, "--review-by")
    if options:
        fields["options"] = [*fields.get("options", []), *(_parse_option(o) for o in options)]
    for key, values in (("tags", tags), ("scope", scopes), ("related", related)):
        if values:
            fields[key] = [*fields.get(key, []), *values]
    fields.setdefault("status", "proposed")
    if fields.get("owner") is not None:
        fields["owner"] = log.resolve(fields["owner"], KINDS["owner"]).id
    old_records = [log.resolve(s, kind) for s in supersedes]
    for old in old_records:
        current = (old.data or {}).get("superseded_by")
        if current:
            raise UsageError(f"{old.id} is already superseded by {current}")
    edit.date_the_decision(kind, {}, fields)

    interactive = is_interactive() and not no_input
    with prompts.keeping_draft(log, "decision", fields, edit.field_names(kind)):
        _ask_decision(log, kind, fields, interactive and not use_editor)
        missing = edit.required_fields(kind, fields, log)
        if use_editor:
            fields.setdefault("id", ids.mint("D", set(log.by_id())))
            for name in missing:
                fields.setdefault(name, "")
            draft = yamlio.render_new({k: v for k, v in fields.items()}, "", edit.field_names(kind))
            draft = "".join(line for line in draft.splitlines(keepends=True)
                            if not line.startswith("# yaml-language-server"))
            for name in missing:
                draft = draft.replace(f"{name}: ''\n", f"{name}:   # required\n")

            text = edit_until_valid(draft, lambda t: edit.check_draft(log, kind, t),
                                    keep=lambda t: prompts.keep_text(log, "decision", t))
            if text is None:
                raise UsageError("no decision recorded: the draft was left empty or unchanged")
            fields = yamlio.load_record_text(text, "draft")
        elif missing:
            flags = ", ".join(DECISION_FLAGS.get(m, m) for m in missing)
            raise UsageError(f"missing required field(s): {', '.join(missing)}; pass {flags} "
                             "(or run on a terminal to be prompted)")
        record = edit.create(log, kind, fields, supersedes=old_records)
    _announce(record, fmt, log)
    return 0


def _ask_decision(log: Any, kind: Any, fields: dict[str, Any], interactive: bool) -> None:
    """Ask for each missing required field of a decision, one at a time (an answer can make
    more fields required: a one-way door needs options), each answer checked as it is typed."""
    from declog.core import edit
    from declog.domain.kinds import KINDS

    missing = edit.required_fields(kind, fields, log)
    asked: set[str] = set()
    while missing and interactive and missing[0] not in asked:
        name = missing[0]
        asked.add(name)
        if name == "door":
            fields["door"] = prompts.ask_choice("Door (one-way: hard to reverse; two-way: reversible)",
                                                ("one-way", "two-way"))
        elif name == "owner":
            owners = [r.id for r in log.light_records() if r.kind is KINDS["owner"]
                      and prompts.person_problem(log, r.id or "") is None]
            fields["owner"] = prompts.ask_person(log, "Owner (handle of one active person)",
                                                 default=owners[0] if len(owners) == 1 else None)
        elif name in ("decided_on", "review_by"):
            fields[name] = prompts.ask_date(name.replace("_", " ").capitalize(), default=edit.today().isoformat())
        elif name == "options":
            weighed = list(fields.get("options") or [])
            while len(weighed) < 2:
                answer = prompts.ask_text(f"Option {len(weighed) + 1} weighed (TITLE[: WHY NOT])")
                weighed.append(_parse_option(answer or ""))
                fields["options"] = list(weighed)
        elif name in ("tags", "scope", "deciders", "consulted", "supersedes", "related"):
            answer = prompts.ask_text(name.capitalize() + " (comma-separated)") or ""
            fields[name] = [v.strip() for v in answer.split(",") if v.strip()]
        else:
            fields[name] = prompts.ask_text(name.replace("_", " ").capitalize())
        missing = edit.required_fields(kind, fields, log)


def _metric(text: str, flag: str) -> dict[str, Any]:
    """``NAME``, ``NAME>=TARGET UNIT`` (higher is better) or ``NAME<=TARGET UNIT`` (lower is better)."""
    import re

    from declog.errors import UsageError

    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._/-]{0,63})\s*(?:(>=|<=)\s*(-?[0-9]+(?:\.[0-9]+)?))?\s*(\S.*)?$", text)
    if not match or (match.group(4) and not match.group(2) and not match.group(4).strip()):
        raise UsageError(f"{flag} '{text}' is not NAME[>=|<=TARGET] [UNIT], e.g. {flag} 'reviewed_pct>=95 percent'")
    name, op, target, unit = match.groups()
    metric: dict[str, Any] = {"name": name}
    if unit:
        metric["unit"] = unit.strip()
    if op:
        metric["target"] = float(target) if "." in target else int(target)
        metric["direction"] = "up" if op == ">=" else "down"
    return metric


def _prompt_missing(log: Any, kind: Any, fields: dict[str, Any], flags: dict[str, str], interactive: bool,
                    ask: dict[str, Any]) -> None:
    """Prompt on a terminal for each missing required field that ``ask`` knows how to ask for
    (one at a time: an answer can make more fields required); fail listing the rest otherwise."""
    from declog.core import edit
    from declog.errors import UsageError

    asked: set[str] = set()
    missing = edit.required_fields(kind, fields, log)
    while missing and interactive and missing[0] in ask and missing[0] not in asked:
        name = missing[0]
        asked.add(name)
        fields[name] = ask[name]()
        missing = edit.required_fields(kind, fields, log)
    if missing:
        wanted = ", ".join(flags.get(m, m) for m in missing)
        raise UsageError(f"missing required field(s): {', '.join(missing)}; pass {wanted}"
                         " (or run on a terminal to be prompted)")


MECHANISM_FLAGS = {
    "name": "NAME", "owner": "--owner", "status": "--status", "problem": "--problem", "tool": "--tool",
    "adoption": "--adoption", "inspection": "--cadence", "input_metrics": "--input-metric",
    "output_metrics": "--output-metric",
}


@new.command("mechanism", epilog="Examples:\n\n\b\n"
             "  declog new mechanism 'Weekly deploy review' --owner alice \\\n"
             "      --problem 'Risky deploys reach production unreviewed' \\\n"
             "      --tool 'A checklist the deploy pipeline asks for' \\\n"
             "      --adoption 'The pipeline blocks a deploy without one' --cadence weekly \\\n"
             "      --input-metric 'reviewed_pct>=95 percent' --output-metric 'deploy_incidents<=1 count'\n"
             "  declog new mechanism --from-file mechanism.yaml")
@click.argument("name", required=False)
@click.option("--owner", help="Handle of the single accountable person.")
@click.option("--status", type=click.Choice(vocab.MECHANISM_STATUSES), default=None,
              help="Lifecycle status (default: active; piloting needs less).")
@click.option("--problem", help="The recurring problem: the good intention it replaces.")
@click.option("--tool", help="The tool that turns inputs into outputs.")
@click.option("--adoption", help="How the people who must use the tool come to use it.")
@click.option("--cadence", help="How often it is inspected: weekly, daily, monthly, quarterly, 14d, 2w …")
@click.option("--method", help="How it is inspected.")
@click.option("--input-metric", "input_metrics", multiple=True, metavar="'NAME[>=|<=TARGET] [UNIT]'",
              help="A controllable input (repeatable); >= means higher is better, <= lower is better.")
@click.option("--output-metric", "output_metrics", multiple=True, metavar="'NAME[>=|<=TARGET] [UNIT]'",
              help="An output wanted (repeatable).")
@click.option("--origin", "origins", multiple=True, metavar="ID", help="A decision or correction that created it (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Start from a YAML file.")
@click.option("--no-input", is_flag=True, help="Never prompt; fail listing missing required fields.")
@format_option(("text", "json"), "text")
def new_mechanism(name: str | None, owner: str | None, status: str | None, problem: str | None, tool: str | None,
                  adoption: str | None, cadence: str | None, method: str | None, input_metrics: tuple[str, ...],
                  output_metrics: tuple[str, ...], origins: tuple[str, ...], tags: tuple[str, ...],
                  from_file: str | None, no_input: bool, fmt: str) -> int:
    """Record a mechanism: a tool, its adoption and regular inspection, with input and output metrics."""
    from declog.core import edit
    from declog.domain import cadence as cadence_mod
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    log = open_log()
    kind = KINDS["mechanism"]
    fields: dict[str, Any] = _from_file(log, kind, from_file) if from_file else {}
    given = {"name": name, "owner": owner, "status": status, "problem": problem, "tool": tool, "adoption": adoption}
    fields.update({k: v for k, v in given.items() if v is not None})
    fields.setdefault("status", "active")

    def plan(value: str) -> dict[str, Any]:
        if not cadence_mod.is_valid(value):
            raise UsageError(f"--cadence '{value}' is not a cadence: use {cadence_mod.EXAMPLES}")
        body: dict[str, Any] = dict(fields.get("inspection") or {})
        body["cadence"] = value
        if method:
            body["method"] = method
        return body

    if cadence:
        fields["inspection"] = plan(cadence)
    elif method:
        fields["inspection"] = {**(fields.get("inspection") or {}), "method": method}
    for key, values, flag in (("input_metrics", input_metrics, "--input-metric"),
                              ("output_metrics", output_metrics, "--output-metric")):
        if values:
            fields[key] = [*fields.get(key, []), *(_metric(v, flag) for v in values)]
    for key, many in (("origin", origins), ("tags", tags)):
        if many:
            fields[key] = [*fields.get(key, []), *many]
    if fields.get("owner") is not None:
        fields["owner"] = log.resolve(fields["owner"], KINDS["owner"]).id
    if fields.get("origin"):
        fields["origin"] = [log.resolve(o).id for o in fields["origin"]]
    ask = {
        "name": lambda: prompts.ask_text("Name"),
        "owner": lambda: prompts.ask_person(log, "Owner (handle of one active person)"),
        "problem": lambda: prompts.ask_text("Problem (the good intention it replaces)"),
        "tool": lambda: prompts.ask_text("Tool"),
        "adoption": lambda: prompts.ask_text("Adoption (how people come to use it)"),
        "inspection": lambda: prompts.ask_parsed("Inspection cadence (weekly, monthly, 14d …)", plan),
        "input_metrics": lambda: [prompts.ask_parsed("Input metric (NAME>=TARGET UNIT)",
                                                     lambda v: _metric(v, "--input-metric"))],
        "output_metrics": lambda: [prompts.ask_parsed("Output metric (NAME<=TARGET UNIT)",
                                                      lambda v: _metric(v, "--output-metric"))],
    }
    with prompts.keeping_draft(log, "mechanism", fields, edit.field_names(kind)):
        _prompt_missing(log, kind, fields, MECHANISM_FLAGS, is_interactive() and not no_input, ask)
        record = edit.create(log, kind, fields)
    _announce(record, fmt, log)
    return 0


def _why_chain(text: str) -> dict[str, Any]:
    from declog.errors import UsageError

    parts = [p.strip() for p in text.split(" > ") if p.strip()]
    if len(parts) < 2:
        raise UsageError(f"--why '{text}' needs a problem and at least one why: 'PROBLEM > WHY > WHY …'")
    return {"problem": parts[0], "whys": parts[1:]}


def _action(log: Any, text: str) -> dict[str, Any]:
    from declog.core.query import parse_date
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    description, *pairs = [p.strip() for p in text.split(";")]
    item: dict[str, Any] = {"description": description}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("owner", "due", "type", "mechanism", "status", "reason"):
            raise UsageError(f"--action: '{pair}' is not owner=, due=, type=, mechanism=, status= or reason= "
                             "(e.g. --action 'Add a deploy checklist; owner=alice; due=2026-04-01; type=fix')")
        if key == "due":
            item[key] = parse_date(value, "--action due")
        elif key == "owner":
            item[key] = log.resolve(value, KINDS["owner"]).id
        elif key == "mechanism":
            item[key] = log.resolve(value, KINDS["mechanism"]).id
        else:
            item[key] = value
    if "mechanism" in item:
        item.setdefault("type", "mechanism")
    item.setdefault("type", "fix")
    return item


CORRECTION_FLAGS = {
    "title": "TITLE", "owner": "--owner", "summary": "--summary", "five_whys": "--why",
    "root_causes": "--root-cause", "action_items": "--action",
}

CORRECTION_TEMPLATE = """\
# A correction of errors: what happened, why (down to root causes), and what will stop it
# happening again. Write it without blame. Lines starting with # are comments.
# Save and close to record it; close it unchanged (or empty) to record nothing.
id: {id}
# The event in a few words.
title: {title}
# The single accountable owner: the handle of one active person (for a team, name its lead).
owner: {owner}
# draft (may be incomplete) | open (needs whys, root causes and action items) | closed (no open action items).
status: {status}
# What happened, in a paragraph: the facts, in order, for someone who was not there.
summary: {summary}
# Who was affected, how, and for how long. Customers first.
customer_impact: {customer_impact}
# The day the event began (YYYY-MM-DD).
occurred_on: {occurred_on}
# The event moment by moment: detection, escalation, mitigation, resolution.
timeline:
{timeline}
# One or more chains of whys: start from a problem and ask "why?" until you reach a cause you
# can act on (often about five times). The last why of each chain is a root cause.
five_whys:
{five_whys}
# The root causes the chains reached.
root_causes:
{root_causes}
# What was learned, for teams beyond this one.
lessons:
{lessons}
# What will be done. Each item has one owner (a person) and a due date. type is fix (this
# instance), systemic (the class of problem) or mechanism (link the mechanism, M-xxxxxx, that keeps
# it fixed: create it first with `declog new mechanism`). status is open, done, or wont-do with a reason.
action_items:
{action_items}
"""


def _correction_draft(fields: dict[str, Any], default_owner: str) -> str:
    import json

    def scalar(name: str, required: bool = True) -> str:
        value = fields.get(name)
        if value is None and not required:
            return ""  # left empty: an optional field stays out
        return json.dumps(str(value) if value is not None else "", ensure_ascii=False)

    def items(name: str, example: str) -> str:
        values = fields.get(name)
        if not values:
            return example
        from declog.storage import yamlio

        body = yamlio.dump_roundtrip(yamlio.to_plain({name: values}))
        return "".join(line + "\n" for line in body.splitlines()[1:]).rstrip("\n")

    owner = str(fields.get("owner") or default_owner)
    due = fields.get("occurred_on")
    return CORRECTION_TEMPLATE.format(
        id=fields["id"], title=scalar("title"), owner=owner, status=fields.get("status", "open"),
        summary=scalar("summary"), customer_impact=scalar("customer_impact", required=False),
        occurred_on=str(due) if due else "",
        timeline=items("timeline", '  - at: ""\n    what: ""'),
        five_whys=items("five_whys", '  - problem: ""\n    whys:\n      - ""'),
        root_causes=items("root_causes", '  - ""'),
        lessons=items("lessons", "  []"),
        action_items=items("action_items", f'  - description: ""\n    owner: {owner}\n    due: ""\n    type: fix'),
    ).replace("lessons:\n  []", "lessons: []")


@new.command("correction", epilog="Examples:\n\n\b\n"
             "  declog new correction 'Checkout down after a config push'   # opens $EDITOR on a template\n"
             "  declog new correction 'Checkout down' --owner alice --summary 'Checkout failed for 40 min' \\\n"
             "      --why 'Bad config shipped > No review of config changes > Config is not code' \\\n"
             "      --root-cause 'Config changes skip review' \\\n"
             "      --action 'Review config like code; owner=alice; due=2026-04-01; mechanism=M-7k3m9q'\n"
             "  declog new correction --from-file coe.yaml")
@click.argument("title", required=False)
@click.option("--owner", help="Handle of the single accountable person.")
@click.option("--status", type=click.Choice(vocab.CORRECTION_STATUSES), default=None,
              help="draft, open (default) or closed.")
@click.option("--summary", help="What happened, in a paragraph.")
@click.option("--impact", "customer_impact", help="Who was affected, how and for how long.")
@click.option("--occurred-on", metavar="DATE", help="ISO date the event began.")
@click.option("--why", "whys", multiple=True, metavar="'PROBLEM > WHY > …'", help="A chain of whys (repeatable).")
@click.option("--root-cause", "root_causes", multiple=True, help="A root cause (repeatable).")
@click.option("--lesson", "lessons", multiple=True, help="A lesson learned (repeatable).")
@click.option("--action", "actions", multiple=True,
              metavar="'WHAT; owner=H; due=DATE[; type=fix|systemic|mechanism][; mechanism=ID]'",
              help="An action item (repeatable); mechanism= implies type=mechanism.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Start from a YAML file.")
@click.option("--edit", "use_editor", is_flag=True, help="Open $EDITOR on the template even if nothing is missing.")
@click.option("--no-input", is_flag=True, help="Never open an editor; fail listing missing required fields.")
@format_option(("text", "json"), "text")
def new_correction(title: str | None, owner: str | None, status: str | None, summary: str | None,
                   customer_impact: str | None, occurred_on: str | None, whys: tuple[str, ...],
                   root_causes: tuple[str, ...], lessons: tuple[str, ...], actions: tuple[str, ...],
                   tags: tuple[str, ...], from_file: str | None, use_editor: bool, no_input: bool, fmt: str) -> int:
    """Record a correction of errors. Missing sections open $EDITOR on a commented template."""
    from declog.core import edit
    from declog.core.query import parse_date
    from declog.domain import ids
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError
    from declog.storage import yamlio

    log = open_log()
    kind = KINDS["correction"]
    fields: dict[str, Any] = _from_file(log, kind, from_file) if from_file else {}
    given = {"title": title, "owner": owner, "status": status, "summary": summary,
             "customer_impact": customer_impact}
    fields.update({k: v for k, v in given.items() if v is not None})
    if occurred_on:
        fields["occurred_on"] = parse_date(occurred_on, "--occurred-on")
    if whys:
        fields["five_whys"] = [*fields.get("five_whys", []), *(_why_chain(w) for w in whys)]
    for key, many in (("root_causes", root_causes), ("lessons", lessons), ("tags", tags)):
        if many:
            fields[key] = [*fields.get(key, []), *many]
    if actions:
        fields["action_items"] = [*fields.get("action_items", []), *(_action(log, a) for a in actions)]
    fields.setdefault("status", "open")
    if fields.get("owner") is not None:
        fields["owner"] = log.resolve(fields["owner"], KINDS["owner"]).id
    missing = edit.required_fields(kind, fields, log)
    interactive = is_interactive() and not no_input
    with prompts.keeping_draft(log, "correction", fields, edit.field_names(kind)):
        if use_editor or (missing and interactive):
            owners = [r.id for r in log.records() if r.kind is KINDS["owner"]
                      and prompts.person_problem(log, r.id or "") is None]
            if interactive:  # the title and the owner are asked (and checked) before the template
                if not fields.get("title"):
                    fields["title"] = prompts.ask_text("Title (the event in a few words)")
                if not fields.get("owner"):
                    fields["owner"] = prompts.ask_person(log, "Owner (handle of one active person)",
                                                         default=owners[0] if len(owners) == 1 else None)
            fields.setdefault("id", ids.mint("C", set(log.by_id())))
            draft = _correction_draft(fields, owners[0] if len(owners) == 1 else "HANDLE")

            text = edit_until_valid(draft, lambda t: edit.check_draft(log, kind, t),
                                    keep=lambda t: prompts.keep_text(log, "correction", t))
            if text is None:
                raise UsageError("no correction recorded: the template was left empty or unchanged")
            edited = yamlio.load_record_text(text, "draft")
            fields.clear()
            fields.update(edited)
        elif missing:
            wanted = ", ".join(CORRECTION_FLAGS.get(m, m) for m in missing)
            raise UsageError(f"missing required field(s): {', '.join(missing)}; pass {wanted}, "
                             "--from-file FILE, or run on a terminal to fill in a template")
        record = edit.create(log, kind, fields)
    _announce(record, fmt, log)
    return 0


def _narratives() -> None:
    from declog.cli.cmd_narrative import new_narrative

    new.add_command(new_narrative)


_narratives()
