"""The house's rooms depend one way: import contracts, no cycles, no hidden imports.

The contracts live in pyproject.toml (``[tool.importlinter]``) and are checked by
import-linter; cycles are found on grimp's import graph (the one import-linter
builds), which counts imports inside functions too, so a circle cannot hide there.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
from support import ROOT

PACKAGES = ("xinqu", "crawler", "scheduler")
#: The CLI loads a command's modules when that command runs, so ``xinqu --help``
#: does not import Scrapy, scikit-learn and WeasyPrint; nothing else may import late.
LATE_IMPORTS_ALLOWED = (ROOT / "scheduler" / "cli",)


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def import_graph(*packages: str) -> dict[str, set[str]]:
    graph = grimp.build_graph(*packages)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout


def test_no_module_takes_part_in_an_import_cycle() -> None:
    assert cycles(import_graph(*PACKAGES)) == []


def test_the_cycle_finder_finds_a_cycle_through_a_late_import(tmp_path: Path) -> None:
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loopy import b\n")
    (package / "b.py").write_text("def late():\n    from loopy import c\n")
    (package / "c.py").write_text("import loopy.a\n")
    (package / "d.py").write_text("import loopy.a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        found = cycles(import_graph("loopy"))
    finally:
        sys.path.remove(str(tmp_path))
    assert found == [["loopy.a", "loopy.b", "loopy.c"]]


def late_first_party_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    late = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            late += [
                f"{path.relative_to(ROOT)}:{inner.lineno} {name}"
                for name in names
                if name.split(".")[0] in PACKAGES
            ]
    return late


def test_no_first_party_import_hides_inside_a_function() -> None:
    late = [
        line
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not any(path.is_relative_to(allowed) for allowed in LATE_IMPORTS_ALLOWED)
        for line in late_first_party_imports(path)
    ]
    assert late == []


#: Modules that still build queries themselves, to be moved into xinqu/store/ (issue 10);
#: this list may only shrink.
QUERIES_OUTSIDE_STORE = {
    "xinqu/process/__init__.py",
    "xinqu/issue/build.py",
    "xinqu/mail/deliver.py",
    "xinqu/mail/editions.py",
    "scheduler/steps.py",
}
_QUERY_CALLS = {"query", "execute", "scalar", "scalars", "get"}
_QUERY_BUILDERS = {"select", "insert", "update", "delete", "func", "text", "or_", "and_"}


def _queries(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names = {a.name for a in node.names} & _QUERY_BUILDERS
            found += [f"line {node.lineno}: imports sqlalchemy {n}" for n in sorted(names)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _QUERY_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append(f"line {node.lineno}: session.{node.func.attr}(…)")
    return found


def test_tables_are_queried_only_in_the_store():
    offenders: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("xinqu/store/"):
                continue
            found = _queries(ast.parse(path.read_text(encoding="utf-8")))
            if found and relative not in QUERIES_OUTSIDE_STORE:
                offenders[relative] = found
    assert not offenders, f"query through a function of xinqu/store/ instead: {offenders}"
    still = {m for m in QUERIES_OUTSIDE_STORE if _queries(ast.parse((ROOT / m).read_text()))}
    assert still == QUERIES_OUTSIDE_STORE, (
        f"moved to the store: drop from the list {QUERIES_OUTSIDE_STORE - still}"
    )


def test_the_query_finder_finds_queries():
    source = (
        "from sqlalchemy import select\ndef f(session):\n    return session.execute(select(1))\n"
    )
    assert _queries(ast.parse(source)) == [
        "line 1: imports sqlalchemy select",
        "line 3: session.execute(…)",
    ]
