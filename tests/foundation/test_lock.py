"""The hashed lock files pin every dependency pyproject.toml declares, at a version it allows.

A dependency added to pyproject.toml without `make lock` would install from the lock without it
(CI installs only what the lock pins), so the mismatch is caught here first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def _declared(*, with_dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(spec) for spec in project["dependencies"]]
    if with_dev:
        declared += [Requirement(spec) for spec in project["optional-dependencies"]["dev"]]
    return declared


@pytest.mark.parametrize(("lock", "with_dev"), [("runtime.lock", False), ("dev.lock", True)])
def test_lock_pins_every_declared_dependency_within_its_bounds(lock: str, with_dev: bool) -> None:
    pins = _pins(lock)
    problems = []
    for requirement in _declared(with_dev=with_dev):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not in requirements/{lock}")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} is outside {requirement.specifier}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash() -> None:
    text = (ROOT / "requirements" / "dev.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert not unhashed
