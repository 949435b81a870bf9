"""Only the app factory writes ``app.state`` and only ``app/dependencies.py`` reads it.

Everything else takes the request's context as typed dependencies (``SettingsDep``,
``ClockDep``, ``UrlsDep``, ``KeyRingDep``, ``SessionDep``…), so what a route needs shows in
its signature and tests can see where each object comes from (README "Map of the code").
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
ALLOWED = frozenset({"main.py", "dependencies.py"})


def _app_state_uses(path: Path) -> list[int]:
    """Lines reading or writing ``<anything>.app.state`` or ``app.state``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr != "state":
            continue
        owner = node.value
        if (isinstance(owner, ast.Name) and owner.id == "app") or (
            isinstance(owner, ast.Attribute) and owner.attr == "app"
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_factory_and_the_dependencies_touch_app_state() -> None:
    offenders = [
        f"{path.relative_to(APP.parent)}:{line}"
        for path in sorted(APP.rglob("*.py"))
        if str(path.relative_to(APP)) not in ALLOWED
        for line in _app_state_uses(path)
    ]

    assert offenders == []


def test_the_check_sees_app_state() -> None:
    assert _app_state_uses(APP / "dependencies.py")
    assert _app_state_uses(APP / "main.py")
