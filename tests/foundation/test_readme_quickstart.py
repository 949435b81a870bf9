"""The README's quick start shows `learnproof demo`, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Quick start")
    return text[start : text.index("\n## ", start)]


def test_the_quick_start_runs_the_demo_and_real_commands() -> None:
    section = _quick_start()
    commands = re.findall(r"^\.venv/bin/learnproof ([a-z]+(?: [a-z]+)?)", section, re.M)
    assert "demo" in [c.split()[0] for c in commands]
    for command in commands:
        result = CliRunner().invoke(cli, [*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)
