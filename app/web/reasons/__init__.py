"""The verifier's reasons in the page's language.

The verifier (``app/verification``) writes each check's reason in English, for the API and the
command line, and stays free of web and i18n code. Its reasons follow a fixed set of sentence
templates; each one is listed here once, as the gettext message id with its parameters named,
and keyed by a stable code. A reason is read back against the templates and rendered through
gettext: identifiers (DIDs, URLs, field paths) and figures pass through unchanged, nested
reasons ("proof 2 of 3: …", "… (credential 2: …)") are translated in turn. A reason no
template matches is shown as written (tests/web/test_reasons.py keeps the templates in step
with the verifier's source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from app.web.i18n import N_
from app.web.i18n import gettext as _
from app.web.reasons.pages import PAGES
from app.web.reasons.verifier import VERIFIER

# Parameters that hold another reason, translated in turn.
_NESTED: Final = frozenset({"reason", "why", "what", "amount"})
# Parameters that list reasons joined by "; ", each translated in turn.
_LISTS: Final = frozenset({"problems", "missing", "parts", "options"})
# Parameters that are one of a few words of the verifier, translated as words.
_WORDS: Final = {
    "role": {
        "issuer": N_("issuer"),
        "holder": N_("holder"),
        "co-signer": N_("co-signer"),
    },
    "purpose": {
        "issuing credentials (assertionMethod)": N_("issuing credentials (assertionMethod)"),
        "authentication": N_("authentication"),
    },
    "kind": {"credential": N_("credential"), "presentation": N_("presentation")},
    "status": {
        "revoked": N_("revoked"),
        "suspended": N_("suspended"),
        "expired": N_("expired"),
        "superseded": N_("superseded"),
    },
}
# What a parameter may look like when it is not "anything": keeps the reading unambiguous.
_SHAPES: Final = {
    "count": r"\d+",
    "bad": r"\d+",
    "position": r"\d+",
    "entries": r"\d+",
    "minimum": r"\d+",
    "index": r"\d+",
    "size": r"\d+",
    "needed": r"\d+",
    "budget": r"\d+",
    "credits": r"\d[\d.e+]*",
    "total": r"\d[\d.e+]*",
    "more": r"\d[\d.e+]*",
    "min_credits": r"\d[\d.e+]*",
    "status": r"\w+",
    "model": r"1\.1|2\.0",
    "role": "|".join(map(re.escape, _WORDS["role"])),
    "purpose": r"issuing credentials \(assertionMethod\)|authentication|[A-Za-z]+",
    "kind": r"credential|presentation",
}


# code → message id; the English text of the id is exactly what the code below writes.
TEMPLATES: Final = {**VERIFIER, **PAGES}


_PARAMETER: Final = re.compile(r"%\((\w+)\)s")


# Reasons quote what a credential says (its ids, its values), so a hostile credential chooses
# part of their text: longer reasons, and nesting deeper than the verifier writes, are shown
# as written rather than read back (the regular expressions below backtrack).
MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 4


@dataclass(frozen=True, slots=True)
class _Template:
    code: str
    msgid: str
    pattern: re.Pattern[str]
    # The fixed text around the parameters: a cheap test before the expression runs.
    head: str
    tail: str
    middle: tuple[str, ...]

    def match(self, reason: str) -> re.Match[str] | None:
        if not (reason.startswith(self.head) and reason.endswith(self.tail)):
            return None
        if any(part not in reason for part in self.middle):
            return None
        return self.pattern.fullmatch(reason)


def _anything(literals: list[str], position: int) -> str:
    """A parameter's text, read in linear time: up to the first occurrence of the text after it
    (the last parameter runs to the end), so hostile text cannot make the expression backtrack
    over every way to split it."""
    following = literals[position]
    if position == len(literals) - 1:
        return ".+"
    if not following:
        return ".+?"
    return f"(?:(?!{re.escape(following)}).)+"


def _compile(code: str, msgid: str) -> _Template:
    parts, seen, at = [], set(), 0
    literals = _PARAMETER.split(msgid)[::2]
    for position, found in enumerate(_PARAMETER.finditer(msgid), start=1):
        parts.append(re.escape(msgid[at : found.start()]))
        name = found.group(1)
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{_SHAPES.get(name) or _anything(literals, position)})")
        at = found.end()
    parts.append(re.escape(msgid[at:]))
    pattern = re.compile("".join(parts), re.DOTALL)
    middle = tuple(part for part in literals[1:-1] if part)
    return _Template(
        code, msgid, pattern, literals[0], literals[-1] if len(literals) > 1 else "", middle
    )


# Longer templates first: a specific sentence wins over a shorter one it contains.
_COMPILED: Final = sorted(
    (_compile(code, msgid) for code, msgid in TEMPLATES.items()),
    key=lambda template: -len(_PARAMETER.sub("", template.msgid)),
)


def _read(reason: str) -> tuple[_Template, re.Match[str]] | None:
    if len(reason) > MAX_LENGTH:
        return None
    for template in _COMPILED:
        found = template.match(reason)
        if found is not None:
            return template, found
    return None


def code_of(reason: str) -> str | None:
    """The code of the template a reason was written from (None: no template matches)."""
    read = _read(reason)
    return read[0].code if read else None


def translate(reason: str, *, depth: int = 0) -> str:
    """A verifier's reason in the request's language (unchanged if no template matches)."""
    read = _read(reason) if depth <= MAX_DEPTH else None
    if read is None:
        return reason
    template, found = read
    values = {}
    for name, value in found.groupdict().items():
        if name in _LISTS:
            parts = value.split("; ")
            values[name] = _("; ").join(translate(part, depth=depth + 1) for part in parts)
        elif name in _NESTED:
            values[name] = translate(value, depth=depth + 1)
        elif name in _WORDS and value in _WORDS[name]:
            values[name] = _(_WORDS[name][value])
        else:
            values[name] = value
    return _(template.msgid) % values


# The occupation flags meaning.py writes inside a target's parentheses.
_FLAGS: Final = {
    ", digital and green occupation)": N_("digital and green occupation"),
    ", digital occupation)": N_("digital occupation"),
    ", green occupation)": N_("green occupation"),
}


def flags(text: str) -> str:
    """Occupation flags ("…, digital occupation)") in the request's language."""
    for written, msgid in _FLAGS.items():
        text = text.replace(written, f", {_(msgid)})")
    return text


def statement(text: str) -> str:
    """What a credential certifies, part by part, in the request's language."""
    if len(text) > MAX_LENGTH:
        return text
    return _("; ").join(flags(translate(part)) for part in text.split("; "))
