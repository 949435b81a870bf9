"""README "Map of the code" names only what exists, and lists every module of a package it
itemizes (a package entry naming five modules or more)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _entries() -> dict[str, str]:
    """Top-level entry of the map's app/ block ("cli/", "db.py") → its text."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Map of the code", 1)[1].split("```", 2)[1]
    app_block = block.split("\napp/\n", 1)[1].split("\nbench/", 1)[0]
    entries: dict[str, str] = {}
    name = ""
    for line in app_block.splitlines():
        match = re.match(r"^  (\S+)\s", line + " ")
        if match:
            name = match.group(1)
            entries[name] = line
        elif name:
            entries[name] += " " + line.strip()
    return entries


def test_every_entry_and_named_module_exists() -> None:
    entries = _entries()
    assert len(entries) > 20
    for name, text in entries.items():
        assert (ROOT / "app" / name).exists(), f"the map names app/{name}, which is gone"
        if name.endswith("/"):
            for module in set(re.findall(r"\b([a-z_]+\.py)\b", text)):
                nested = (ROOT / "app" / name / module).exists()
                assert nested or (ROOT / "app" / module).exists(), f"{name}{module} is gone"


def test_itemized_packages_list_every_module() -> None:
    for name, text in _entries().items():
        if not name.endswith("/"):
            continue
        named = set(re.findall(r"\b([a-z_]+)\.py\b", text))
        if len(named) < 5:
            continue
        modules = {p.stem for p in (ROOT / "app" / name).glob("*.py")} - {"__init__", "__main__"}
        assert modules <= named, f"the map's {name} entry misses {sorted(modules - named)}"
