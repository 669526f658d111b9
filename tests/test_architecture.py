"""The layer rules of docs/design/architecture.md, checked on the source with ``ast``.

The folders of declog/ are its layers: ``domain/`` (what a record is), ``storage/`` (files on
disk), ``adr/`` (markdown documents read as text), ``history/`` (git), ``core/`` (use cases and
operations), ``render/`` and ``export/`` (output), ``cli/`` (the command line). A module's layer
is its folder's; a module may import only from its own layer or below. Four modules sit at the
root of the package: ``errors`` (the base, imported by all), ``api`` and ``mcp_server`` (the other
two interfaces) and ``__main__``. Some libraries may be imported in one place only. The command
modules import heavy libraries only inside functions, so ``declog --help`` stays fast.

A new module needs no entry here, only a row in docs/design/architecture.md; a new folder needs
a layer in LAYERS.
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

# The layers, lowest first: each folder of declog/ (and each module at its root) and its layer.
LAYERS: dict[str, int] = {
    "errors": 0,  # the one error hierarchy: imports nothing from declog
    "domain": 1,  # models, kinds, IDs, vocabularies, cadences, scopes, field diffs, the clock
    "storage": 2,  # YAML, record files, the parse cache, configuration
    "adr": 2,  # markdown ADRs and PR/FAQs read as text (front matter through storage's yamlio)
    "history": 3,  # the only code that runs git; timelines and retros from it
    "core": 4,  # use cases and operations: validate, query, search, review, edit, import …
    "render": 5,  # output written to a stream it is given
    "export": 5,  # whole-log exports into a folder: markdown, JSON lines, the static site
    "api": 6,  # the Python façade (never imports the command line)
    "mcp_server": 7,  # declog mcp: runs the commands in-process
    "cli": 7,
    "__main__": 7,
}
ROOT_MODULES = frozenset({"errors", "api", "mcp_server", "__main__"})  # besides the package's own __init__

# Modules of the domain that import nothing from declog at all (the vocabulary everything shares).
PURE = frozenset({"declog.errors", "declog.domain.diff", "declog.domain.scope", "declog.domain.cadence",
                  "declog.domain.clock", "declog.domain.vocab", "declog.domain.controls"})

# Libraries that only these modules (or folders) may import.
ONLY_IN: dict[str, frozenset[str]] = {
    "subprocess": frozenset({"declog.history"}),  # running git
    "ruamel": frozenset({"declog.storage.yamlio"}),
    "pydantic": frozenset({"declog.domain.models", "declog.core.validate"}),  # validate catches ValidationError
    "tabulate": frozenset({"declog.render.records"}),
    "markdown_it": frozenset({"declog.adr", "declog.export"}),  # sections from the token stream; prose on the site
    "jinja2": frozenset({"declog.export"}),  # the site's templates (declog/export/site/templates/)
    "mdit_py_plugins": frozenset({"declog.adr"}),
    "click": frozenset({"declog.cli"}),
    "sqlite3": frozenset({"declog.storage.cache", "declog.storage.cachedb", "declog.storage.stateview",
                          "declog.storage.versions", "declog.history",
                          "declog.core.search", "declog.core.semantic"}),  # caches in .git/declog/
    "mcp": frozenset({"declog.mcp_server"}),  # the optional MCP SDK (declog[mcp])
    # the optional semantic rank (declog[semantic]); its slow path only, never at import time
    "numpy": frozenset({"declog.core.semantic"}),
    "safetensors": frozenset({"declog.core.semantic"}),
    "tokenizers": frozenset({"declog.core.semantic"}),
}

# Slow to import: the command modules must not load them at import time.
HEAVY = frozenset({"pydantic", "ruamel", "tabulate", "jinja2", "markdown_it", "markupsafe", "mdit_py_plugins",
                   "numpy", "safetensors", "tokenizers"})


def within(name: str, places: frozenset[str]) -> bool:
    """Whether module ``name`` is one of ``places`` or inside one of them."""
    return any(name == p or name.startswith(p + ".") for p in places)


def may_import(own: str, other: str) -> bool:
    """The layer rule: own layer or below; the Python API never reaches the interfaces above it."""
    if own in ("cli", "__main__", "mcp_server"):
        return True
    return other == own or other == "root" or LAYERS[other] <= LAYERS[own] and other not in ("api", "cli", "mcp_server")


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


def test_every_module_lives_in_a_layer() -> None:
    """A module belongs to a layer folder, or is one of the few at the package's root."""
    loose = sorted(m for m in modules() if m != "declog" and component(m) not in LAYERS)
    assert not loose, (f"modules outside the layer folders: {loose}; put each in one of "
                       f"{sorted(set(LAYERS) - ROOT_MODULES)}, or give a new folder a layer in LAYERS")
    flat = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__" and p.stem not in ROOT_MODULES)
    assert not flat, f"flat modules at the root of declog/: {flat}"
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert set(folders) == set(LAYERS) - ROOT_MODULES, "every package folder is a layer, and every layer a folder"


@pytest.mark.parametrize("name", all_modules())
def test_declog_imports_follow_the_layers(name: str) -> None:
    mod = modules()[name]
    own = component(name)
    bad = sorted(i for i in mod.declog_imports if not may_import(own, component(i)))
    assert not bad, (f"{mod.path.relative_to(ROOT)} (layer {own}, {LAYERS.get(own)}) imports {bad}, "
                     f"from a higher layer; see docs/design/architecture.md")


@pytest.mark.parametrize("name", sorted(PURE))
def test_the_shared_vocabulary_imports_nothing_from_declog(name: str) -> None:
    mod = modules()[name]
    assert not mod.declog_imports - {"declog"}, f"{mod.path.relative_to(ROOT)} imports {sorted(mod.declog_imports)}"


def test_the_rules_can_fail() -> None:
    """The layer rule refuses an upward import and an import of the command line by the API."""
    assert not may_import("domain", "storage") and not may_import("storage", "history")
    assert not may_import("core", "render") and not may_import("api", "cli") and not may_import("export", "api")
    assert may_import("core", "history") and may_import("render", "core") and may_import("cli", "export")


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if not state.get(nxt) and (found := visit(nxt, [*path, node])):
                return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if not state.get(start) and (found := visit(start, [])):
            return found
    return None


def test_layers_form_no_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for name, mod in modules().items():
        src = component(name)
        edges.setdefault(src, set()).update(component(i) for i in mod.declog_imports if component(i) != src)
    for top in ("cli", "__main__", "mcp_server", "root"):  # the top (and the package's lazy re-exports)
        edges.pop(top, None)
    found = _cycle(edges)
    assert found is None, "import cycle between layers: " + " → ".join(found or [])


def test_modules_below_the_command_line_form_no_cycle_at_import_time() -> None:
    edges = {name: {i for i in mod.top_declog_imports if i in modules() and i != name}
             for name, mod in modules().items() if component(name) not in ("cli", "__main__", "mcp_server")}
    found = _cycle(edges)
    assert found is None, "import cycle between modules: " + " → ".join(found or [])


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_libraries_are_imported_in_one_place(library: str) -> None:
    allowed = ONLY_IN[library]
    users = sorted(str(m.path.relative_to(ROOT)) for name, m in modules().items()
                   if library in m.libraries and not within(name, allowed))
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
        "print(' '.join(sorted(m for m in sys.modules if (m.split('.')[0] in "
        f"{sorted(HEAVY | {'sqlite3'})!r} or m in ('declog.storage.store', 'declog.domain.models')) "
        "and m != 'pydantic.plugin._loader')))\n"
    )  # (that one is declog's stand-in for Pydantic's plugin loader: declog.cli._no_pydantic_plugins)
    # without coverage's subprocess hook (make test measures coverage; its child would load sqlite3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("name", [m for m in all_modules() if component(m) not in ("cli", "__main__")])
def test_only_the_cli_prints_or_exits(name: str) -> None:
    mod = modules()[name]
    assert not mod.prints, f"{mod.path.relative_to(ROOT)}: {mod.prints}; only declog/cli/ writes to the terminal"


def _doc() -> str:
    return (ROOT / "docs" / "design" / "architecture.md").read_text(encoding="utf-8")


def test_architecture_md_describes_every_module() -> None:
    """Each module has a row (`| `core/edit.py` | …`): its file, what it owns."""
    text = _doc()
    rows = set(re.findall(r"^\| `([\w/]+\.py|[\w/]+/)` \|", text, re.MULTILINE))
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" and rel != "__init__.py":
            continue  # a folder is described by its layer row and its modules
        parent = path.parent.relative_to(PACKAGE).as_posix()
        if rel not in rows and f"{parent}/" not in rows:
            missing.append(rel)
    assert not missing, f"docs/design/architecture.md has no row for {missing}"
    stale = sorted(r for r in rows if not (PACKAGE / r).exists())
    assert not stale, f"docs/design/architecture.md describes files that do not exist: {stale}"


def test_architecture_md_layers_match_the_test() -> None:
    found = re.findall(r"^\| (\d) \| `(\w+)/?` \|", _doc(), re.MULTILINE)
    documented = {name: int(layer) for layer, name in found}
    assert documented == LAYERS, f"docs/design/architecture.md's layer table says {documented}"
