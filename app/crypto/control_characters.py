"""Control characters (U+0000–U+001F but tab, LF, CR) in strings and keys, by JSON path.

Issuance refuses them: RDFC-1.0 escapes them, but pyld-based verifiers write them raw and
would reject our signature. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PLAIN_KEY = re.compile(r"^[A-Za-z_@$][A-Za-z0-9_@$]*$")


def _child_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


def _has_control_characters(obj: Any) -> bool:
    """Whether `find_control_characters` finds anything, without building any path.

    Every string and key is gathered and searched once, joined by tabs (which are allowed).
    """
    texts: list[str] = []
    pending = [obj]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is str:
            texts.append(value)
        elif kind is dict or (kind is not str and isinstance(value, Mapping)):
            texts.extend(key if type(key) is str else str(key) for key in value)
            pending.extend(value.values())
        elif kind is list or kind is tuple:
            pending.extend(value)
        elif isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return _CONTROL_CHARACTERS.search("\t".join(texts)) is not None


def find_control_characters(obj: Any, path: str = "$") -> list[str]:
    """JSON paths of strings (values or keys) holding U+0000–U+001F other than tab, LF, CR.

    Issuance refuses them: canonize() escapes them as RDFC-1.0 requires, but pyld-based
    verifiers write them raw and would reject our signature; no credential needs them.
    """
    if not _has_control_characters(obj):
        return []  # the usual answer, found without a path per string
    return _control_character_paths(obj, path)


def _control_character_paths(obj: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(obj, str):
        if _CONTROL_CHARACTERS.search(obj):
            found.append(path)
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            child = _child_path(path, str(key))
            if _CONTROL_CHARACTERS.search(str(key)):
                found.append(child)
            found.extend(_control_character_paths(value, child))
    elif isinstance(obj, list | tuple):
        for index, value in enumerate(obj):
            found.extend(_control_character_paths(value, f"{path}[{index}]"))
    return found
