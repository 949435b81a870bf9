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


@dataclass(frozen=True, slots=True)
class _Template:
    code: str
    msgid: str
    pattern: re.Pattern[str]


def _compile(code: str, msgid: str) -> _Template:
    parts, seen, at = [], set(), 0
    for found in _PARAMETER.finditer(msgid):
        parts.append(re.escape(msgid[at : found.start()]))
        name = found.group(1)
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{_SHAPES.get(name, '.+?')})")
        at = found.end()
    parts.append(re.escape(msgid[at:]))
    return _Template(code, msgid, re.compile("".join(parts), re.DOTALL))


# Longer templates first: a specific sentence wins over a shorter one it contains.
_COMPILED: Final = sorted(
    (_compile(code, msgid) for code, msgid in TEMPLATES.items()),
    key=lambda template: -len(_PARAMETER.sub("", template.msgid)),
)


def code_of(reason: str) -> str | None:
    """The code of the template a reason was written from (None: no template matches)."""
    for template in _COMPILED:
        if template.pattern.fullmatch(reason):
            return template.code
    return None


def translate(reason: str) -> str:
    """A verifier's reason in the request's language (unchanged if no template matches)."""
    for template in _COMPILED:
        found = template.pattern.fullmatch(reason)
        if found is None:
            continue
        values = {}
        for name, value in found.groupdict().items():
            if name in _LISTS:
                values[name] = _("; ").join(translate(part) for part in value.split("; "))
            elif name in _NESTED:
                values[name] = translate(value)
            elif name in _WORDS and value in _WORDS[name]:
                values[name] = _(_WORDS[name][value])
            else:
                values[name] = value
        return _(template.msgid) % values
    return reason
