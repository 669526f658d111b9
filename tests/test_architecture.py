"""The layer rules of docs/design/architecture.md, checked on the source with ``ast``.

Each module of declog belongs to a component (``store``, ``history``, ``cli`` …). A component
may import only the components its entry in ALLOWED names, and only lower or equal layers.
Some libraries may be imported by one component only. The command modules import heavy
libraries only inside functions, so ``declog --help`` stays fast.

A new module fails ``test_every_module_has_a_rule`` until it is given a component here and a
line in docs/design/architecture.md.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "declog"

# Layers, lowest first. A component may import components of its own layer or below.
LAYERS: dict[str, int] = {
    # 0 base: no declog imports at all
    "root": 0, "errors": 0, "diff": 0, "scope": 0, "cadence": 0, "clock": 0, "vocab": 0, "controls": 0,
    # 1 domain: what a record is
    "ids": 1, "kinds": 1, "models": 1, "prfaq": 1,
    # 2 storage: files on disk (adr: markdown ADRs as text, front matter through yamlio)
    "yamlio": 2, "cache": 2, "cachedb": 2, "config": 2, "store": 2, "transaction": 2, "adr": 2,
    # 3 git
    "history": 3,
    # 4 use cases: pure work over records and history; print nothing
    "validate": 4, "query": 4, "schema": 4, "search": 4, "timeline": 4, "retro": 4, "against": 4, "review": 4,
    "graph": 4, "drift": 4, "deck": 4, "facts": 4,
    # 5 composed operations and rendering
    "edit": 5, "loops": 5, "answers": 5, "blame": 5, "importer": 5, "render": 5, "render_history": 5, "render_review": 5,
    "export": 5, "context": 5, "render_context": 5, "narrative_import": 5, "markdown_out": 5,
    # 6 interface
    "cli": 6, "api": 6, "__main__": 6, "mcp_server": 6,
}

ANY = frozenset(LAYERS)

# What each component may import from declog (itself and the package root are always allowed).
ALLOWED: dict[str, frozenset[str]] = {
    "root": frozenset(),
    "errors": frozenset(),
    "controls": frozenset(),
    "diff": frozenset(),
    "scope": frozenset(),
    "cadence": frozenset(),
    "clock": frozenset(),
    "vocab": frozenset(),
    "ids": frozenset({"errors"}),
    "kinds": frozenset({"errors"}),  # and the models, by name through importlib (Kind.model)
    "models": frozenset({"vocab", "cadence", "ids"}),
    "adr": frozenset({"vocab", "errors", "yamlio"}),  # markdown ADRs as text, no I/O; yamlio: the safe loader, for front matter
    "prfaq": frozenset({"errors"}),  # PR/FAQ markdown as text: no I/O (declog import narrative)
    "yamlio": frozenset({"errors"}),
    "cache": frozenset({"cachedb"}),
    "cachedb": frozenset(),  # the one SQLite helper of the stores under .git/declog/
    "config": frozenset({"cachedb", "errors", "ids", "kinds", "yamlio"}),  # cachedb: config.json
    "store": frozenset({"cache", "config", "errors", "ids", "kinds", "yamlio"}),
    "transaction": frozenset({"cache", "errors", "store"}),  # writes as transactions: lock, check, all or none
    "history": frozenset({"cachedb", "config", "errors", "ids", "kinds", "store", "yamlio"}),
    "validate": frozenset({"cache", "errors", "kinds", "store", "yamlio"}),  # cache: fewer_collections()
    "query": frozenset({"vocab", "cadence", "errors", "kinds", "store"}),  # cadence: spans such as --since 2w
    "schema": frozenset({"errors", "kinds", "store"}),  # errors: schema --out refuses before writing
    "search": frozenset({"cachedb", "kinds", "store"}),
    "timeline": frozenset({"adr", "diff", "errors", "history", "ids"}),  # adr: statuses of imported markdown
    "retro": frozenset({"history", "kinds", "timeline"}),
    "against": frozenset({"diff", "history", "store", "validate", "yamlio"}),
    "review": frozenset({"vocab", "cadence", "deck", "retro", "store"}),
    "deck": frozenset({"vocab", "cadence", "store"}),
    "graph": frozenset({"store"}),  # the Record type only
    "facts": frozenset({"clock", "history", "store", "timeline"}),  # one view of a record (show, review, exports, why)
    "drift": frozenset({"vocab", "history", "ids", "kinds", "scope", "store"}),
    "edit": frozenset({"clock", "errors", "ids", "kinds", "store", "transaction", "validate", "yamlio"}),
    "loops": frozenset({"vocab", "clock", "edit", "errors", "kinds", "store"}),
    "answers": frozenset({"config", "errors", "facts", "history", "search", "store", "timeline"}),
    "blame": frozenset({"errors", "history", "kinds", "scope", "store"}),
    "importer": frozenset({"adr", "clock", "config", "diff", "edit", "errors", "history", "ids", "kinds", "store",
                           "transaction", "validate", "yamlio"}),  # diff: what --refresh changes, field by field
    "narrative_import": frozenset({"clock", "edit", "errors", "ids", "kinds", "prfaq", "store", "yamlio"}),
    "markdown_out": frozenset({"controls"}),  # one escaping rule for inline Markdown
    "render": frozenset({"controls", "markdown_out", "store"}),
    "render_history": frozenset({"history", "timeline"}),
    "render_review": frozenset({"deck", "markdown_out", "render_context", "review"}),  # render_context: the drift section; deck: metrics
    "export": frozenset({"clock", "deck", "diff", "errors", "facts", "graph", "history", "ids", "kinds", "markdown_out", "render_review", "retro", "review",
                         "store", "timeline"}),  # html: the weekly review page
    "context": frozenset({"blame", "clock", "drift", "errors", "history", "kinds", "store"}),
    "render_context": frozenset({"context", "drift", "markdown_out"}),
    "cli": ANY,
    # the Python API: a façade over the operations, beside the command line (never imports it)
    "api": frozenset({"answers", "edit", "errors", "history", "kinds", "query", "store", "timeline", "validate"}),
    "mcp_server": frozenset({"cli", "edit", "errors", "kinds", "loops", "query", "store"}),
    "__main__": frozenset({"cli"}),
}

# Libraries that only these components may import.
ONLY_IN: dict[str, frozenset[str]] = {
    "subprocess": frozenset({"history"}),  # running git
    "ruamel": frozenset({"yamlio"}),
    "pydantic": frozenset({"models", "validate"}),  # validate catches pydantic.ValidationError
    "tabulate": frozenset({"render"}),
    "markdown_it": frozenset({"adr", "export", "prfaq"}),  # ADR and PR/FAQ sections from the token stream; prose on the site
    "jinja2": frozenset({"export"}),  # the site's templates (declog/export/site/templates/)
    "mdit_py_plugins": frozenset({"adr"}),
    "click": frozenset({"cli"}),
    "sqlite3": frozenset({"cache", "cachedb", "history", "search"}),  # caches under .git/declog/
    "mcp": frozenset({"mcp_server"}),  # the optional MCP SDK (declog[mcp])
}

# Slow to import: the command modules must not load them at import time.
HEAVY = frozenset({"pydantic", "ruamel", "tabulate", "jinja2", "markdown_it", "markupsafe", "mdit_py_plugins"})


@dataclass
class Module:
    name: str  # declog.history.git
    path: Path
    declog_imports: set[str] = field(default_factory=set)  # every declog module imported, anywhere
    top_declog_imports: set[str] = field(default_factory=set)  # run at import time
    libraries: set[str] = field(default_factory=set)  # top-level names of other imports, anywhere
    top_libraries: set[str] = field(default_factory=set)
    prints: list[str] = field(default_factory=list)  # print(), sys.exit, sys.stdout/stderr uses


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def component(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "root"
    return parts[1]


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel).is_dir()


def _resolve_from(mod: Module, node: ast.ImportFrom) -> list[str]:
    base = node.module or ""
    if node.level:
        package = mod.name.split(".")
        if mod.path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    if base != "declog" and not base.startswith("declog."):
        return [base]
    out = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        out.append(candidate if _is_module(candidate) else base)
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _record(mod: Module, names: list[str], at_import_time: bool) -> None:
    for name in names:
        if name == "declog" or name.startswith("declog."):
            mod.declog_imports.add(name)
            if at_import_time:
                mod.top_declog_imports.add(name)
        elif name:
            top = name.split(".")[0]
            mod.libraries.add(top)
            if at_import_time:
                mod.top_libraries.add(top)


def _walk(mod: Module, node: ast.AST, at_import_time: bool) -> None:
    for child in ast.iter_child_nodes(node):
        now = at_import_time
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            now = False
        if isinstance(child, ast.If) and _is_type_checking(child):
            continue  # never runs
        if isinstance(child, ast.Import):
            _record(mod, [a.name for a in child.names], now)
        elif isinstance(child, ast.ImportFrom):
            _record(mod, _resolve_from(mod, child), now)
        elif isinstance(child, ast.Call):
            func = child.func
            callee = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = child.args[0] if child.args else None
            if callee in ("__import__", "import_module") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                _record(mod, [first.value], now)
            if isinstance(func, ast.Name) and func.id == "print":
                mod.prints.append(f"print() at line {child.lineno}")
        elif isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name) and child.value.id == "sys" \
                and child.attr in ("exit", "stdout", "stderr"):
            mod.prints.append(f"sys.{child.attr} at line {child.lineno}")
        _walk(mod, child, now)


@cache
def modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = Module(module_name(path), path)
        _walk(mod, ast.parse(path.read_text(encoding="utf-8"), str(path)), True)
        found[mod.name] = mod
    return found


def all_modules() -> list[str]:
    return sorted(modules())


def test_every_module_has_a_rule() -> None:
    missing = sorted({component(m) for m in modules()} - set(ALLOWED))
    assert not missing, (
        f"components with no layer rule: {missing}; add each to LAYERS and ALLOWED in "
        "tests/test_architecture.py and to docs/design/architecture.md"
    )
    assert set(ALLOWED) == set(LAYERS)


def test_the_allow_list_points_down() -> None:
    for name, allowed in ALLOWED.items():
        if allowed is ANY:
            continue
        upward = sorted(a for a in allowed if LAYERS[a] > LAYERS[name])
        assert not upward, f"{name} (layer {LAYERS[name]}) may not import higher layers: {upward}"


@pytest.mark.parametrize("name", all_modules())
def test_declog_imports_follow_the_layers(name: str) -> None:
    mod = modules()[name]
    own = component(name)
    if own not in ALLOWED:
        pytest.skip("no rule yet (see test_every_module_has_a_rule)")
    if ALLOWED[own] is ANY:
        return  # the command line may import anything
    allowed = ALLOWED[own] | {own, "root"}
    bad = sorted(i for i in mod.declog_imports if component(i) not in allowed)
    assert not bad, f"{mod.path.relative_to(ROOT)} ({own}) imports {bad}; {own} may import {sorted(ALLOWED[own])}"


def test_components_form_no_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for name, mod in modules().items():
        src = component(name)
        edges.setdefault(src, set()).update(component(i) for i in mod.declog_imports if component(i) != src)
    edges.pop("cli", None)  # the top: nothing imports it but __main__
    edges.pop("__main__", None)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle between components: " + " → ".join([*path, node, nxt]))
            if not state.get(nxt):
                visit(nxt, [*path, node])
        state[node] = 2

    for start in sorted(edges):
        if not state.get(start):
            visit(start, [])


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_libraries_are_imported_in_one_place(library: str) -> None:
    allowed = ONLY_IN[library]
    users = sorted(str(m.path.relative_to(ROOT)) for name, m in modules().items()
                   if library in m.libraries and component(name) not in allowed)
    assert not users, f"only {sorted(allowed)} may import {library}; also imported by {users}"


def _closure(start: str) -> tuple[set[str], dict[str, str]]:
    """Libraries loaded when ``start`` is imported, following declog's own import-time imports
    (parent packages included, as Python runs them); with the declog module that loads each."""
    mods = modules()
    seen: set[str] = set()
    libraries: dict[str, str] = {}
    stack = [start]
    while stack:
        name = stack.pop()
        chain = [".".join(name.split(".")[: i + 1]) for i in range(len(name.split(".")))]
        for part in chain:
            if part in seen or part not in mods:
                continue
            seen.add(part)
            for lib in mods[part].top_libraries:
                libraries.setdefault(lib, part)
            stack.extend(mods[part].top_declog_imports)
    return seen, libraries


@pytest.mark.parametrize("name", [m for m in all_modules() if component(m) == "cli"])
def test_commands_import_heavy_libraries_only_inside_functions(name: str) -> None:
    _, libraries = _closure(name)
    heavy = {lib: via for lib, via in libraries.items() if lib in HEAVY}
    assert not heavy, f"importing {name} loads {heavy} (library: module that imports it at module level)"


def test_declog_help_loads_no_heavy_library() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from declog.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{sorted(HEAVY | {'sqlite3'})!r} or m in ('declog.store', 'declog.models'))))\n"
    )
    # without coverage's subprocess hook (make test measures coverage; its child would load sqlite3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("name", [m for m in all_modules() if component(m) not in ("cli", "__main__")])
def test_only_the_cli_prints_or_exits(name: str) -> None:
    mod = modules()[name]
    assert not mod.prints, f"{mod.path.relative_to(ROOT)}: {mod.prints}; only declog/cli/ writes to the terminal"


def test_architecture_md_describes_every_component() -> None:
    text = (ROOT / "docs" / "design" / "architecture.md").read_text(encoding="utf-8")
    missing = [c for c in sorted(LAYERS) if c not in ("root", "__main__")
               and f"| `{c}` |" not in text and f"| `{c}/` |" not in text]
    assert not missing, f"docs/design/architecture.md has no row for {missing}"


def test_architecture_md_allow_list_matches_the_test() -> None:
    text = (ROOT / "docs" / "design" / "architecture.md").read_text(encoding="utf-8")
    wrong = []
    for row in re.findall(r"^\| `(\w+)/?` \| [^|]+ \| [^|]+ \| ([^|]+) \|$", text, re.MULTILINE):
        name, column = row
        if name not in ALLOWED or ALLOWED[name] is ANY:
            continue
        documented = {n for n in re.findall(r"`(\w+)`", column) if n in LAYERS}
        if documented != set(ALLOWED[name]):
            wrong.append(f"{name}: doc says {sorted(documented)}, test allows {sorted(ALLOWED[name])}")
    assert not wrong, "docs/design/architecture.md and ALLOWED disagree: " + "; ".join(wrong)
