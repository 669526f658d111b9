"""JSON Schemas of the record models, draft-07 friendly, as committed in ``schemas/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from declog.domain.kinds import KINDS

SCHEMA_BASE = "https://declog.dev/schemas/"
DIALECT = "http://json-schema.org/draft-07/schema#"


def _draft07(node: Any) -> Any:
    """Rewrite the few 2020-12 spellings pydantic emits into draft-07 ones."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                key = "definitions"
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/$defs/", "#/definitions/")
            out[key] = _draft07(value)
        return out
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    return node


def build(kind_name: str) -> dict[str, Any]:
    kind = KINDS[kind_name]
    raw = kind.model().model_json_schema()
    body = _draft07(raw)
    return {"$schema": DIALECT, "$id": f"{SCHEMA_BASE}{kind_name}.schema.json", **body}


def render(kind_name: str) -> str:
    return json.dumps(build(kind_name), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_all(out_dir: Path) -> list[Path]:
    """Write every kind's schema into ``out_dir``; returns the files whose content changed."""
    from declog.errors import UsageError
    from declog.storage.store import atomic_write

    wanted = {out_dir / f"{name}.schema.json": render(name) for name in KINDS}
    # every refusal before the first write: a refused command writes nothing
    if out_dir.is_symlink():
        raise UsageError(f"{out_dir} is a symlink; declog never writes through symlinks")
    for path in wanted:
        if path.is_symlink():
            raise UsageError(f"{path.as_posix()} is a symlink; declog never writes through symlinks")
        if path.exists() and not path.is_file():
            raise UsageError(f"{path.as_posix()} is not a file; remove it or choose another --out")
    changed = []
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8", errors="replace") != text:
            atomic_write(path, text)
            changed.append(path)
    return changed
