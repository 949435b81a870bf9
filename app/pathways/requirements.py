"""Pure: the requirement tree of a pathway — parsed, bounded, and described in plain words.

A requirement is one of::

    {"achievement": ID-or-URL}                        a credential for that achievement
    {"framework_level": {"framework", "level"}}       any credential at that level or higher
    {"isced_f": CODE-or-PREFIX}                       any credential in that ISCED-F field
    {"credits": N}                                    N credits counted in all
    {"all": [...]} | {"any": [...]} | {"at_least": K, "of": [...]}

each with an optional ``name`` (what a learner reads: "Databases"; a transfer rule may point
at it). A list of requirements means ``all``. Parsing never touches the database: names that
need looking up (achievement ids, framework levels, ISCED-F codes) are checked by the service
through the ``Lookups`` it passes in, so every error names the JSON path of its field.
The tree is bounded in depth and size, so one pathway can never cause unbounded work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

MAX_DEPTH: Final = 6
MAX_NODES: Final = 200
MAX_MEMBERS: Final = 50
MAX_CREDITS: Final = 100_000.0
MAX_NAME: Final = 200
MAX_URL: Final = 2000

LeafKind = Literal["achievement", "framework_level", "isced_f", "credits"]
GroupKind = Literal["all", "any", "at_least"]
LEAF_KINDS: Final[tuple[LeafKind, ...]] = ("achievement", "framework_level", "isced_f", "credits")
GROUP_KINDS: Final[tuple[GroupKind, ...]] = ("all", "any", "at_least")


class RequirementError(ValueError):
    """A malformed requirement; ``field`` is the JSON path of the offending value."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Achievement:
    url: str
    label: str  # the achievement's name when known, else its URL


@dataclass(frozen=True)
class Level:
    framework: str
    level: str
    ordinal: int
    label: str  # "EQF level 5"


@dataclass(frozen=True)
class Lookups:
    """How the service resolves names; each raises RequirementError for an unknown one."""

    achievement: Callable[[str, str], Achievement]
    level: Callable[[str, str, str], Level]
    isced_f: Callable[[str, str], str]  # returns the field's name


@dataclass(frozen=True)
class Node:
    """One requirement. ``path`` is its place in the tree ("requirements[0].of[2]")."""

    kind: LeafKind | GroupKind
    path: str
    name: str | None = None
    achievement: Achievement | None = None
    level: Level | None = None
    isced_f: str | None = None
    isced_name: str | None = None
    credits: float | None = None
    at_least: int = 0
    members: tuple[Node, ...] = field(default=())

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    def walk(self) -> Iterator[Node]:
        yield self
        for member in self.members:
            yield from member.walk()

    def text(self) -> str:
        """The requirement in plain words."""
        prefix = f"{self.name}: " if self.name else ""
        return prefix + self._describe()

    def label(self) -> str:
        """Its name, or the words for it: what "still missing" lists."""
        return self.name or self._describe()

    def _describe(self) -> str:
        if self.achievement is not None:
            return self.achievement.label
        if self.level is not None:
            return f"a credential at {self.level.label} or higher"
        if self.isced_f is not None:
            named = f" ({self.isced_name})" if self.isced_name else ""
            return f"a credential in ISCED-F field {self.isced_f}{named}"
        if self.kind == "credits":
            return f"{_amount(self.credits or 0)} credits"
        parts = "; ".join(member.label() for member in self.members)
        if self.kind == "all":
            return f"all of: {parts}"
        if self.kind == "any" or self.at_least == 1:
            return f"one of: {parts}"
        return f"at least {self.at_least} of: {parts}"

    def to_json(self) -> dict[str, Any]:
        """The stored (normalised) form, which ``parse`` reads back unchanged."""
        body: dict[str, Any] = {}
        if self.name:
            body["name"] = self.name
        if self.achievement is not None:
            body["achievement"] = self.achievement.url
        elif self.level is not None:
            body["framework_level"] = {"framework": self.level.framework, "level": self.level.level}
        elif self.isced_f is not None:
            body["isced_f"] = self.isced_f
        elif self.kind == "credits":
            body["credits"] = self.credits
        elif self.kind == "at_least":
            body["at_least"] = self.at_least
            body["of"] = [member.to_json() for member in self.members]
        else:
            body[self.kind] = [member.to_json() for member in self.members]
        return body


def _amount(value: float) -> str:
    return f"{value:g}"


def parse(value: Any, lookups: Lookups, *, path: str = "requirements") -> Node:
    """The tree for ``value`` (one requirement or a list meaning ``all``); RequirementError."""
    counter = [0]
    if isinstance(value, list):
        members = _members(value, lookups, path, depth=1, counter=counter)
        return Node("all", path, at_least=len(members), members=members)
    return _node(value, lookups, path, depth=1, counter=counter)


def _members(
    value: Any, lookups: Lookups, path: str, *, depth: int, counter: list[int]
) -> tuple[Node, ...]:
    if not isinstance(value, list) or not value:
        raise RequirementError("must be a non-empty list of requirements", path)
    if len(value) > MAX_MEMBERS:
        raise RequirementError(f"has {len(value)} members; at most {MAX_MEMBERS} are allowed", path)
    return tuple(
        _node(item, lookups, f"{path}[{index}]", depth=depth, counter=counter)
        for index, item in enumerate(value)
    )


def _node(value: Any, lookups: Lookups, path: str, *, depth: int, counter: list[int]) -> Node:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise RequirementError(f"the requirements have more than {MAX_NODES} parts", path)
    if depth > MAX_DEPTH:
        raise RequirementError(f"requirements nest deeper than {MAX_DEPTH} levels", path)
    if not isinstance(value, Mapping):
        raise RequirementError(
            'must be an object such as {"achievement": ...} or {"all": [...]}', path
        )
    name = _name(value.get("name"), f"{path}.name")
    kinds = [key for key in (*LEAF_KINDS, *GROUP_KINDS) if key in value]
    allowed = {"name", *kinds, *(["of"] if kinds == ["at_least"] else [])}
    unknown = sorted(str(key) for key in value if key not in allowed)
    if len(kinds) != 1:
        expected = ", ".join((*LEAF_KINDS, *GROUP_KINDS))
        found = f"it has {', '.join(kinds)}" if kinds else "it has none"
        raise RequirementError(f"must have exactly one of {expected}; {found}", path)
    if unknown:
        raise RequirementError(f"has unknown member '{unknown[0]}'", f"{path}.{unknown[0]}")
    kind = kinds[0]
    here = f"{path}.{kind}"
    raw = value[kind]
    if kind == "achievement":
        if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_URL:
            raise RequirementError("must be an achievement id or URL", here)
        return Node("achievement", path, name, achievement=lookups.achievement(raw.strip(), here))
    if kind == "framework_level":
        if not isinstance(raw, Mapping) or set(raw) != {"framework", "level"}:
            raise RequirementError('must be {"framework": CODE, "level": CODE}', here)
        framework, level = raw["framework"], raw["level"]
        if not isinstance(framework, str) or not framework:
            raise RequirementError("must be a framework code", f"{here}.framework")
        if not isinstance(level, str) or not level:
            raise RequirementError("must be a level code", f"{here}.level")
        return Node("framework_level", path, name, level=lookups.level(framework, level, here))
    if kind == "isced_f":
        if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 4:
            raise RequirementError("must be an ISCED-F code or prefix of digits, such as 06", here)
        return Node("isced_f", path, name, isced_f=raw, isced_name=lookups.isced_f(raw, here))
    if kind == "credits":
        if not _is_number(raw) or not 0 < float(raw) <= MAX_CREDITS:
            raise RequirementError(
                f"must be a number of credits above 0, at most {MAX_CREDITS:g}", here
            )
        return Node("credits", path, name, credits=float(raw))
    if kind == "at_least":
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
            raise RequirementError("must be a whole number of at least 1", here)
        if "of" not in value:
            raise RequirementError('"at_least" needs "of": the requirements to count', f"{path}.of")
        members = _members(value["of"], lookups, f"{path}.of", depth=depth + 1, counter=counter)
        if raw > len(members):
            raise RequirementError(
                f"asks for {raw} of {len(members)} requirements, which can never be met", here
            )
        return Node("at_least", path, name, at_least=raw, members=members)
    members = _members(raw, lookups, here, depth=depth + 1, counter=counter)
    return Node(kind, path, name, at_least=len(members) if kind == "all" else 1, members=members)


def _name(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise RequirementError(f"must be a text of 1 to {MAX_NAME} characters", path)
    return value.strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def named(tree: Node) -> dict[str, Node]:
    """Requirements by name (names are unique within a pathway, checked by ``check_names``)."""
    return {node.name: node for node in tree.walk() if node.name}


def check_names(tree: Node) -> None:
    seen: dict[str, str] = {}
    for node in tree.walk():
        if node.name is None:
            continue
        if node.name in seen:
            raise RequirementError(
                f"the name '{node.name}' is already used at {seen[node.name]}; "
                "names must be unique",
                f"{node.path}.name",
            )
        seen[node.name] = node.path


def achievement_urls(tree: Node) -> set[str]:
    return {node.achievement.url for node in tree.walk() if node.achievement is not None}
