"""Imports go one way: transforms → schemas → warehouse → flows (see the style guide)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORCHESTRATION = {"prefect", "prefect_dask", "dask", "distributed"}
FORBIDDEN = {
    "transforms": ORCHESTRATION | {"httpx", "duckdb", "great_expectations", "flows", "warehouse"},
    "schemas": ORCHESTRATION | {"httpx", "duckdb", "flows", "warehouse"},
    "warehouse": ORCHESTRATION | {"httpx", "great_expectations", "flows"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_lower_layers(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}



def test_only_the_dask_path_loads_dask() -> None:
    """Dask is imported inside functions, so a run with the local task runner never loads it."""
    dask = {"prefect_dask", "dask", "distributed", "flows.cluster"}
    loaders = {}
    for path in (ROOT / "flows").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        names = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
        if path.name != "cluster.py" and (found := {n for n in names if n.split(".")[0] in dask} | (names & dask)):
            loaders[path.name] = sorted(found)
    assert loaders == {}


@pytest.mark.parametrize("package", ["flows", "transforms", "schemas", "warehouse"])
def test_no_module_shadows_a_standard_library_module(package: str) -> None:
    """A flow run started from an entrypoint file puts its folder on sys.path, and worker
    processes inherit it: a flows/inspect.py would then be imported as `inspect`."""
    import sys

    shadowing = sorted(p.stem for p in (ROOT / package).glob("*.py") if p.stem in sys.stdlib_module_names)
    assert shadowing == []
