"""The import graph of ``atlas/``, ``components/`` and ``views/`` (``app.py`` on top):
no loop, and no import from a lower layer to a higher one (atlas -> components ->
views -> app; ``atlas/`` never imports Streamlit). Imports inside functions and under
``TYPE_CHECKING`` count: a loop hidden in a function is still a loop for a reader."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

LAYERS = ("atlas", "components", "views", "app")


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the layers, by dotted name (a package by its own name)."""
    paths = [
        *root.joinpath("atlas").rglob("*.py"),
        *root.joinpath("components").glob("*.py"),
        *root.joinpath("views").glob("*.py"),
        *([root / "app.py"] if (root / "app.py").exists() else []),
    ]
    modules = {}
    for path in paths:
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    return modules


def imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """Every name an import statement of the file reaches (``from a import b`` gives
    ``a`` and ``a.b``, as b may be a module), with the statement's line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: "." is the module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def import_graph(root: Path) -> tuple[nx.DiGraph, list[str]]:
    """The graph of imports between the layers' modules (each edge with the file and
    line that makes it), and the Streamlit imports found in ``atlas/``."""
    modules = module_files(root)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    streamlit_in_core = []
    for module, path in modules.items():
        where = path.relative_to(root)
        for name, line in imported_names(module, path):
            if name in modules and name != module:
                lines = graph.edges[module, name]["at"] if graph.has_edge(module, name) else []
                if f"{where}:{line}" not in lines:
                    graph.add_edge(module, name, at=[*lines, f"{where}:{line}"])
            if layer(module) == 0 and name.split(".")[0] == "streamlit":
                streamlit_in_core.append(f"{where}:{line}")
    return graph, streamlit_in_core


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def loops(graph: nx.DiGraph) -> list[list[str]]:
    """Each group of modules that import each other, as the edges that tie it."""
    groups = [g for g in nx.strongly_connected_components(graph) if len(g) > 1]
    return sorted(
        sorted(
            f"{a} -> {b} ({', '.join(graph.edges[a, b]['at'])})" for a, b in graph.subgraph(g).edges
        )
        for g in groups
    )


def upward(graph: nx.DiGraph) -> list[str]:
    return sorted(
        f"{a} -> {b} ({', '.join(at)})"
        for a, b, at in graph.edges(data="at")
        if layer(b) > layer(a)
    )


def test_the_import_graph_has_no_loop():
    graph, _ = import_graph(ROOT)
    assert graph.number_of_nodes() > 50  # the walk found the tree
    assert loops(graph) == []


def test_no_layer_imports_a_higher_one():
    graph, _ = import_graph(ROOT)
    assert upward(graph) == []


def test_the_core_never_imports_streamlit():
    _, streamlit_in_core = import_graph(ROOT)
    assert streamlit_in_core == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# Small trees with what the checks must catch, each the way the real tree had or could
# have it: the checks above pass only if they can fail.
@pytest.mark.parametrize(
    ("files", "found"),
    [
        pytest.param(
            {
                "atlas/a.py": "def f():\n    from atlas.b import g\n",
                "atlas/b.py": "import atlas.a\n",
            },
            ["atlas.a -> atlas.b (atlas/a.py:2)", "atlas.b -> atlas.a (atlas/b.py:1)"],
            id="loop through a function-level import",
        ),
        pytest.param(
            {
                "atlas/__init__.py": "",
                "atlas/learn/__init__.py": "",
                "atlas/learn/x.py": "from .. import y\n",
                "atlas/y.py": "from atlas.learn import x\n",
            },
            [
                "atlas.learn.x -> atlas.y (atlas/learn/x.py:1)",
                "atlas.y -> atlas.learn.x (atlas/y.py:1)",
            ],
            id="loop through a relative import",
        ),
        pytest.param(
            {
                "atlas/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from atlas.b import B\n",
                "atlas/b.py": "from atlas import a\n",
            },
            ["atlas.a -> atlas.b (atlas/a.py:3)", "atlas.b -> atlas.a (atlas/b.py:1)"],
            id="loop through a TYPE_CHECKING import",
        ),
    ],
)
def test_a_loop_is_found(tmp_path, files, found):
    _write(tmp_path, files)
    graph, _ = import_graph(tmp_path)
    assert loops(graph) == [found]


@pytest.mark.parametrize(
    ("files", "found"),
    [
        pytest.param(
            {"atlas/a.py": "from components.data import x\n", "components/data.py": ""},
            ["atlas.a -> components.data (atlas/a.py:1)"],
            id="core imports a component",
        ),
        pytest.param(
            {"components/c.py": "def f():\n    import views.deals\n", "views/deals.py": ""},
            ["components.c -> views.deals (components/c.py:2)"],
            id="component imports a page",
        ),
        pytest.param(
            {"views/deals.py": "from app import PAGES\n", "app.py": ""},
            ["views.deals -> app (views/deals.py:1)"],
            id="page imports the frame",
        ),
    ],
)
def test_an_upward_import_is_found(tmp_path, files, found):
    _write(tmp_path, files)
    graph, _ = import_graph(tmp_path)
    assert upward(graph) == found


def test_streamlit_in_the_core_is_found(tmp_path):
    _write(
        tmp_path,
        {
            "atlas/a.py": "def f():\n    import streamlit.components.v1 as c\n",
            "components/b.py": "import streamlit as st\n",  # components may
        },
    )
    assert import_graph(tmp_path)[1] == ["atlas/a.py:2"]
