from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from declog.cli.common import edit_until_valid, format_option, is_interactive, open_log, out


@click.group(epilog="Example:\n\n\b\n  declog new owner alice --name 'Alice Example'\n"
             "  declog new decision 'Use Postgres for orders' --owner alice --door two-way")
def new() -> None:
    """Record a new owner or decision."""


def _announce(record: Any, fmt: str) -> None:
    from declog import render

    if fmt == "json":
        render.record_json(record, out())
    else:
        click.echo(f"Created {record.kind.name} {record.id}: {record.path}")


def _from_file(log: Any, kind: Any, path: str) -> dict[str, Any]:
    from declog import edit

    return edit.load_file_fields(Path(path), log.config.max_file_bytes)


@new.command("owner", epilog="Examples:\n\n\b\n  declog new owner alice --name 'Alice Example' --email alice@example.com\n"
             "  declog new owner platform --kind team --name 'Platform team' --lead alice")
@click.argument("handle", required=False)
@click.option("--name", help="Display name.")
@click.option("--kind", "owner_kind", type=click.Choice(["person", "team"]), default=None, help="person (default) or team.")
@click.option("--email", default=None, help="Contact address.")
@click.option("--team", default=None, help="Handle of the team this person belongs to.")
@click.option("--lead", default=None, help="For a team: the accountable person's handle.")
@click.option("--from-file", "from_file", metavar="FILE", default=None, help="Read the owner from a YAML file.")
@format_option(("text", "json"), "text")
def new_owner(handle: str | None, name: str | None, owner_kind: str | None, email: str | None,
              team: str | None, lead: str | None, from_file: str | None, fmt: str) -> int:
    """Add an owner: a person, or a team with one accountable lead."""
    from declog import edit, ids
    from declog.errors import UsageError
    from declog.kinds import KINDS

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
    if "name" not in fields:
        if is_interactive():
            fields["name"] = click.prompt("Name")
        else:
            raise UsageError("missing --name: e.g. `declog new owner alice --name 'Alice Example'`")
    record = edit.create(log, kind, fields)
    _announce(record, fmt)
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
@click.option("--status", type=click.Choice(["proposed", "accepted", "rejected", "superseded", "deprecated"]),
              default=None, help="Lifecycle status (default: proposed).")
@click.option("--door", type=click.Choice(["one-way", "two-way"]), help="one-way: hard to reverse; two-way: reversible.")
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
    from declog import edit, ids, yamlio
    from declog.errors import UsageError
    from declog.kinds import KINDS
    from declog.query import parse_date

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
    if fields.get("status") == "accepted" and "decided_on" not in fields:
        fields["decided_on"] = edit.today()

    interactive = is_interactive() and not no_input
    missing = edit.required_fields(kind, fields, log)
    asked: set[str] = set()
    while missing and interactive and not use_editor and missing[0] not in asked:
        # one at a time: an answer can make more fields required (a one-way door needs options)
        name = missing[0]
        asked.add(name)
        if name == "door":
            fields["door"] = click.prompt("Door (one-way: hard to reverse; two-way: reversible)",
                                          type=click.Choice(["one-way", "two-way"]))
        elif name == "owner":
            owners = [r.id for r in log.records() if r.kind is KINDS["owner"]]
            fields["owner"] = log.resolve(click.prompt("Owner (handle)", default=owners[0] if len(owners) == 1 else None),
                                          KINDS["owner"]).id
        elif name in ("decided_on", "review_by"):
            fields[name] = parse_date(click.prompt(name.replace("_", " ").capitalize(),
                                                   default=edit.today().isoformat()), name)
        elif name == "options":
            weighed = list(fields.get("options") or [])
            while len(weighed) < 2:
                weighed.append(_parse_option(click.prompt(f"Option {len(weighed) + 1} weighed (TITLE[: WHY NOT])")))
            fields["options"] = weighed
        elif name in ("tags", "scope", "deciders", "consulted", "supersedes", "related"):
            fields[name] = [v.strip() for v in click.prompt(name.capitalize() + " (comma-separated)").split(",")
                            if v.strip()]
        else:
            fields[name] = click.prompt(name.replace("_", " ").capitalize())
        missing = edit.required_fields(kind, fields, log)
    if use_editor:
        fields.setdefault("id", ids.mint("D", set(log.by_id())))
        for name in missing:
            fields.setdefault(name, "")
        draft = yamlio.render_new({k: v for k, v in fields.items()}, "", edit.field_names(kind))
        draft = "".join(line for line in draft.splitlines(keepends=True) if not line.startswith("# yaml-language-server"))
        for name in missing:
            draft = draft.replace(f"{name}: ''\n", f"{name}:   # required\n")

        def check(text: str) -> list[Any]:
            from declog.validate import Issue

            try:
                data = yamlio.load_record_text(text, "draft")
            except Exception as exc:
                return [Issue("draft", 1, 1, "", str(exc), "file")]
            path = log.rel(log.new_path(kind, str(data.get("id", "")), str(data.get("title", ""))))
            return edit._issues_for(log, kind, data, path, text)

        text = edit_until_valid(draft, check)
        if text is None:
            raise UsageError("no decision recorded: the draft was left empty or unchanged")
        fields = yamlio.load_record_text(text, "draft")
    elif missing:
        flags = ", ".join(DECISION_FLAGS.get(m, m) for m in missing)
        raise UsageError(f"missing required field(s): {', '.join(missing)}; pass {flags} (or run on a terminal to be prompted)")
    record = edit.create(log, kind, fields, supersedes=old_records)
    _announce(record, fmt)
    return 0
