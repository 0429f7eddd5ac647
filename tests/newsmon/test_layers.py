"""Layers import downward only: the core (`newsmon.*` outside `newsmon.shell`) imports no stage, connector or
shell module; stages and connectors import no shell module. `python -m newsmon` (newsmon/__main__.py) is the
one entry point above the shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Source directory → the package it installs as (pyproject.toml's package-dir mapping).
PACKAGES = {"newsmon": "newsmon", "streams": "newsmon.streams", "connectors": "newsmon.connectors"}
ENTRY_POINTS = {"newsmon.__main__"}


def layer(module: str) -> int | None:
    if module == "newsmon.shell" or module.startswith("newsmon.shell."):
        return 3
    if module.startswith(("newsmon.streams", "newsmon.connectors")):
        return 2
    if module == "newsmon" or module.startswith("newsmon."):
        return 1
    return None  # a third-party or standard module


def modules() -> list[tuple[str, Path]]:
    found = []
    for directory, package in PACKAGES.items():
        for path in sorted((ROOT / directory).rglob("*.py")):
            parts = path.relative_to(ROOT / directory).with_suffix("").parts
            name = ".".join([package, *parts]).removesuffix(".__init__")
            if directory == "newsmon" and parts[0] in ("streams", "connectors"):
                continue
            found.append((name, path))
    return found


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda item: str(item))
def test_imports_point_down(module: str, path: Path):
    if module in ENTRY_POINTS:
        return
    own = layer(module)
    upward = [name for name in imported(path) if (layer(name) or 0) > (own or 0)]
    assert not upward, f"{module} imports a higher layer: {upward}"


# The stages share text tools through the core (newsmon.text), never through each other. Only the offline
# tools may use another stage: `newsmon extract` and the dedup evaluation clean HTML first, as the pipeline
# would, and dedup's real-text set reads its articles through extract's corpus readers.
STAGES = ("clean", "dedup", "extract", "alerts")
OFFLINE_TOOLS = {"command", "evaluation", "realset"}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["newsmon", "streams"] and parts[2] in STAGES else None


@pytest.mark.parametrize(
    ("module", "path"), [(m, p) for m, p in modules() if stage_of(m)], ids=lambda item: str(item)
)
def test_stages_do_not_import_each_other(module: str, path: Path):
    if module.rsplit(".", 1)[-1] in OFFLINE_TOOLS:
        return
    others = [name for name in imported(path) if stage_of(name) not in (None, stage_of(module))]
    assert not others, f"{module} imports another stage: {others}"
