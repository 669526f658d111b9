"""Write the field tables of docs/records.md from the Pydantic models.

Each table sits between a pair of markers in docs/records.md:

    <!-- BEGIN fields: Decision -->
    ...generated...
    <!-- END fields: Decision -->

Everything outside the markers is written by hand and left alone.

    python scripts/gen_records_doc.py           # rewrite the tables
    python scripts/gen_records_doc.py --check   # exit 1 if docs/records.md is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "records.md"
MARKERS = re.compile(r"(<!-- BEGIN fields: (\w+) -->\n)(.*?)(<!-- END fields: \2 -->)", re.DOTALL)


def models() -> dict[str, Any]:
    """The models whose fields are documented, by the name used in the markers."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from declog.domain.models import (
        ActionItem,
        Correction,
        Decision,
        Dissent,
        FaqEntry,
        Inspection,
        InspectionPlan,
        Mechanism,
        Metric,
        Narrative,
        NarrativeSection,
        NarrativeSource,
        Option,
        Owner,
        Review,
        Section,
        Source,
        SuccessMetric,
        TimelineEntry,
        WhyChain,
    )

    return {m.__name__: m for m in (Owner, Decision, Option, Dissent, Review, Section, Source, Mechanism, Metric, InspectionPlan,
                                    Inspection, Correction, TimelineEntry, WhyChain, ActionItem, Narrative, FaqEntry,
                                    SuccessMetric, NarrativeSection, NarrativeSource)}


def _pattern_name(pattern: str) -> str | None:
    from declog.domain.ids import HANDLE_PATTERN, ID_PATTERN

    names = {ID_PATTERN: "ID", HANDLE_PATTERN: "handle", r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$": "tag"}
    return names.get(pattern)


def _type(schema: dict[str, Any]) -> str:
    """A short, human type for a JSON Schema node of a field."""
    if "anyOf" in schema:
        parts = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if len(parts) == 1:
            return _type(parts[0])
        return " or ".join(_type(p) for p in parts)
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + _plural(_type(schema.get("items", {})))
    if kind == "boolean":
        return "`true` \\| `false`"
    if kind == "string":
        if schema.get("format") == "date":
            return "date (YYYY-MM-DD)"
        pattern = schema.get("pattern")
        named = _pattern_name(pattern) if pattern else None
        if named:
            return named
        if pattern and "@" in pattern:
            return "email address"
        limit = schema.get("maxLength")
        return f"text (≤ {limit:,} chars)" if limit else "text"
    return str(kind or "any")


def _plural(name: str) -> str:
    if name.startswith("text (≤ "):
        return name.replace("text (≤ ", "texts (≤ ").replace(" chars)", " chars each)")
    if name in ("ID", "handle", "tag"):
        return name + "s"
    return name


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema or schema["default"] in (None, [], ""):
        return ""
    value = schema["default"]
    if isinstance(value, bool):
        value = str(value).lower()
    return f" Default: `{value}`."


def table(model: Any) -> str:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    lines = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, prop in schema["properties"].items():
        meaning = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {_type(prop)} | {'yes' if name in required else 'no'} | {meaning}{_default(prop)} |")
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """``text`` with every marked table regenerated."""
    known = models()
    missing = set(known) - {m.group(2) for m in MARKERS.finditer(text)}
    if missing:
        raise SystemExit(f"docs/records.md has no markers for: {', '.join(sorted(missing))}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in known:
            raise SystemExit(f"docs/records.md: no model named {name}")
        return f"{match.group(1)}{table(known[name])}{match.group(4)}"

    return MARKERS.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the field tables in docs/records.md.")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("docs/records.md is out of date: run python scripts/gen_records_doc.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print("wrote docs/records.md")
    else:
        print("docs/records.md is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
