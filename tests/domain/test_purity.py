"""app/domain is pure Python: it imports only the standard library and itself."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
FILES = sorted(DOMAIN.rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0] if not node.module.startswith("app.domain") else "app.domain")
    return roots


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(DOMAIN)) for p in FILES])
def test_domain_module_imports_only_the_standard_library(path):
    foreign = {r for r in _imported_roots(path) if r not in sys.stdlib_module_names and r not in ("__future__", "app.domain")}
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_the_check_sees_a_foreign_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom sqlalchemy import select\nfrom app.services import clock\n")
    assert _imported_roots(bad) == {"flask", "sqlalchemy", "app"}
