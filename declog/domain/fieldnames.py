"""The fields of each record kind, by name and in the models' order, as a plain table.

Reading ``.declog.yaml`` checks the field names it lists (``required``, ``protect_accepted``)
against these. Importing the Pydantic models only for their names would cost the pre-commit hook
a third of its time and stop its forked schema check, which runs only while Pydantic is not yet
imported. ``tests/test_fieldnames.py`` holds this table equal to every model's ``model_fields``,
so a field added to a model without its name here fails the suite.
"""

from __future__ import annotations

FIELDS: dict[str, tuple[str, ...]] = {
    "owner": ("handle", "name", "kind", "email", "team", "lead", "active"),
    "decision": ("id", "title", "status", "owner", "door", "context", "decision", "rationale", "options",
                 "consequences", "sections", "decided_on", "deciders", "consulted", "dissent", "expected_outcome",
                 "review_by", "reviews", "supersedes", "superseded_by", "related", "tags", "scope", "narrative",
                 "aliases", "source"),
    "mechanism": ("id", "name", "owner", "status", "problem", "tool", "adoption", "inspection", "input_metrics",
                  "output_metrics", "origin", "related", "tags"),
    "inspection": ("id", "mechanism", "on", "inspector", "verdict", "readings", "note"),
    "correction": ("id", "title", "owner", "status", "summary", "customer_impact", "occurred_on", "timeline",
                   "five_whys", "root_causes", "lessons", "action_items", "related", "tags"),
    "narrative": ("id", "title", "status", "owner", "subtitle", "customer", "problem", "solution", "press_release",
                  "quote", "getting_started", "faq", "success_metrics", "decisions", "sections", "related", "tags",
                  "source"),
}
