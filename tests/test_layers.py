"""The import graph points down only: core, then schemas and transforms, then reports, then
flows, then the command line; no module imports one of a higher layer, and nothing is
circular."""

import ast

import pytest

from tests.helpers import ROOT

LAYERS = {"core": 0, "sample_data": 0, "schemas": 1, "transforms": 1, "reports": 2, "flows": 3,
          "logiwatch": 4}


def _modules() -> dict[str, set[str]]:
    """Every project module and the project modules it imports (at any depth in the file)."""
    graph = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
                ".__init__")
            imported = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            graph[name] = {m for m in imported if m.split(".")[0] in LAYERS}
    known = set(graph)
    return {m: {i for i in deps if i in known} for m, deps in graph.items()}


GRAPH = _modules()


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down_or_sideways_within_a_package(module):
    layer = LAYERS[module.split(".")[0]]
    upward = {i for i in GRAPH[module] if LAYERS[i.split(".")[0]] > layer}
    sideways = {i for i in GRAPH[module] if LAYERS[i.split(".")[0]] == layer
                and i.split(".")[0] != module.split(".")[0]}
    assert upward == set() and sideways == set()


def test_the_graph_has_no_cycle():
    visiting, done, cycles = set(), set(), []

    def visit(module, path):
        if module in done:
            return
        if module in visiting:
            cycles.append(path[path.index(module):] + [module])
            return
        visiting.add(module)
        for dep in sorted(GRAPH[module]):
            if dep != module:
                visit(dep, path + [module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])
    assert cycles == []


def test_the_graph_is_not_empty():
    # the checks above pass vacuously if parsing finds nothing
    assert len(GRAPH) > 25 and GRAPH["flows.nightly"] >= {"flows.pipeline", "core.config"}
