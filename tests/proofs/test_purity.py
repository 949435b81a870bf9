"""app/proofs is pure: the baking and extraction code runs without the web app or a database."""

from __future__ import annotations

import ast
from pathlib import Path

import app.proofs

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "app.db", "app.credentials", "app.web")


def test_proofs_import_no_web_or_database_code() -> None:
    folder = Path(app.proofs.__file__).parent
    offenders = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []
