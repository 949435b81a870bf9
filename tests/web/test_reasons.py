"""Every reason the verifier gives is shown in Chinese on Chinese pages.

The verifier writes English; ``app/web/reasons.py`` reads each reason back against its
templates (one per sentence the verifier writes, keyed by a stable code) and renders it
through gettext. These tests keep the templates in step with the verifier's source, check that
every template reads back as itself, and that each one has a Chinese translation.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.core import i18n
from app.web import reasons
from tests.credentials.factories import World

ROOT = Path(__file__).resolve().parents[2]
PO = Path(i18n.LOCALES_DIR) / "zh_CN" / "LC_MESSAGES" / "messages.po"
_PARAMETER = re.compile(r"%\((\w+)\)s")
# Sample values by parameter: identifiers as the verifier would write them.
_SAMPLES = {
    "count": "3",
    "bad": "1",
    "position": "2",
    "entries": "8",
    "minimum": "131072",
    "index": "9",
    "size": "2",
    "needed": "4",
    "budget": "0",
    "credits": "20",
    "total": "20",
    "more": "5",
    "min_credits": "25",
    "status": "revoked",
    "amount": "20 of 25 credits",
    "what": "credentials for Databases",
    "missing": "Databases; 5 more credits (20 of 25)",
    "parts": "a credential at EQF level 5 or higher; 10 credits",
    "options": "Databases; Networks",
    "model": "2.0",
    "role": "issuer",
    "purpose": "issuing credentials (assertionMethod)",
    "kind": "credential",
    "reason": "the signature does not match: the content was changed after signing",
    "why": "expired on 2025-01-01 00:00 UTC",
    "problems": "its type Course is not an accredited qualification type (Degree)",
}
# Literal text in the verifier's reason expressions that is no sentence of its own.
_FRAGMENTS_ALLOWED = {
    "; and ",  # _short(): "a; b; c; and 2 more" lists values, shown as written
    " more",
    "co-signer ",  # a role word, translated through _WORDS
    "an invalid proof",  # a proof label
    "(none)",  # an accreditation limit on types when the credential states none
    "the document",  # where a schema problem is, when it is the whole document
}
_REASON_NAMES = {
    "reason", "why", "problem", "what", "who", "said", "where", "shown", "line", "amount",
    "named", "text",
}  # fmt: skip
_REASON_FUNCTIONS = re.compile(
    r"problem|_signature_reason|_describe|_references|_unreadable|exhausted|summary|_why_not"
    r"|_stored_status|_statement|prepares_for|_flags"
)
# Besides the verifier: what the credit bank and the guidance say about credentials.
_OTHER_SOURCES = [
    "app/core/budget.py",
    "app/occupations/guidance.py",
    "app/pathways/evaluation.py",
    "app/pathways/evaluating.py",
    "app/pathways/requirements.py",
    "app/pathways/service.py",
    "app/pathways/rules.py",
    "app/clr/service.py",
]


def _fragments(node: ast.AST) -> list[str]:
    """The literal text in an expression: string constants and the fixed parts of f-strings."""
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.JoinedStr):
            found += [
                part.value
                for part in child.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            ]
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(child.value)
    return found


def _reason_texts(path: Path) -> list[str]:
    """Literal text of everything that becomes a check's reason in one module."""
    tree = ast.parse(path.read_text())
    texts: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for function in functions:
        reason_function = bool(_REASON_FUNCTIONS.search(function.name))
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "Check" and len(node.args) >= 3:
                    texts += _fragments(node.args[2])
                elif name == "add" and len(node.args) >= 3:
                    texts += _fragments(node.args[2])
                elif name in ("append", "_unreadable", "cancel", "ExtractionError") and node.args:
                    if name != "append" or "problems" in ast.unparse(node.func):
                        texts += _fragments(node.args[0])
                texts += [
                    t for k in node.keywords if k.arg == "reason" for t in _fragments(k.value)
                ]
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in ("text", "reason"):
                        texts += _fragments(value)
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                named = [getattr(t, "id", None) or getattr(t, "attr", None) for t in targets]
                if any(name in _REASON_NAMES for name in named):
                    texts += _fragments(node.value)
            elif isinstance(node, ast.Return) and reason_function and node.value is not None:
                texts += _fragments(node.value)
    return texts


def test_every_sentence_the_verifier_writes_has_a_template() -> None:
    # report.py and router.py write problem titles and URLs, not reasons.
    sources = [
        path
        for path in sorted((ROOT / "app" / "verification").glob("*.py"))
        if path.name not in ("report.py", "router.py")
    ]
    sources += [ROOT / path for path in _OTHER_SOURCES]
    sources += sorted((ROOT / "app" / "proofs").glob("*.py"))
    templates = [*reasons.TEMPLATES.values(), *reasons._FLAGS]
    uncovered = set()
    for source in sources:
        for text in _reason_texts(source):
            # Parts too short to be a sentence's words (", ", ": ", "s") join the others.
            # A single word or a field path ("issuer.id", "credentialStatus.") is an identifier.
            if len(text.strip(" :;,.()'")) < 4 or re.fullmatch(r"[\w./'-]+", text.strip()):
                continue
            if text in _FRAGMENTS_ALLOWED:
                continue
            if not any(text in template for template in templates):
                uncovered.add((source.name, text))
    assert not uncovered, sorted(uncovered)


def _plain_words(text: str) -> set[str]:
    """Lower-case English words, not identifiers (camelCase, digits, placeholders)."""
    tokens = re.findall(r"(?<![@\w])[A-Za-z][\w'.-]*", _PARAMETER.sub(" ", text))
    return {t for t in tokens if re.fullmatch(r"[a-z]{3,}", t)}


def _example(code: str) -> str:
    template = reasons.TEMPLATES[code]
    return _PARAMETER.sub(lambda found: _SAMPLES.get(found.group(1), "did:web:x"), template)


@pytest.mark.parametrize("code", sorted(reasons.TEMPLATES))
def test_each_template_reads_back_as_itself(code: str) -> None:
    assert reasons.code_of(_example(code)) == code


def test_every_reason_renders_translated_in_chinese() -> None:
    with PO.open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if isinstance(m.id, str)}
    untranslated = sorted(
        m for m in reasons.TEMPLATES.values() if not catalog.get(m) or m == catalog[m]
    )
    assert not untranslated, untranslated
    for words in reasons._WORDS.values():
        assert all(catalog.get(word) for word in words.values())
    with i18n.using("zh_CN"):
        for code in reasons.TEMPLATES:
            english = _example(code)
            chinese = reasons.translate(english)
            assert chinese != english, code
            # No English word of the sentence is left, except the spec's own member names
            # and values ("type", "status", "message"), which are identifiers.
            msgid = reasons.TEMPLATES[code]
            english_words = _plain_words(msgid)
            left = _plain_words(catalog[msgid])
            spec_terms = {"type", "status", "message", "data", "typ", "alg", "multibase"}
            if code == "structure.issuer":  # "issuer is missing": the member, by name
                spec_terms.add("issuer")
            assert not (english_words & left) - spec_terms, (code, chinese)
    with i18n.using("en"):
        assert reasons.translate(_example("proof.position")) == _example("proof.position")


def test_nested_reasons_are_translated_in_turn() -> None:
    english = (
        "proof 2 of 2: the eddsa-rdfc-2022 signature by the issuer did:key:z6Mk (for issuing "
        "credentials (assertionMethod)): the signature does not match: the content was changed "
        "after signing"
    )
    with i18n.using("zh_CN"):
        chinese = reasons.translate(english)
    assert "did:key:z6Mk" in chinese
    assert "eddsa-rdfc-2022" in chinese
    assert "颁发者" in chinese
    assert "签名" in chinese
    assert not re.search(r"\b(signature|issuer|content|changed)\b", chinese), chinese
    assert reasons.translate("a sentence no template knows") == "a sentence no template knows"


def test_the_verify_page_shows_each_reason_in_chinese(client: TestClient, world: World) -> None:
    world.achievement = world.create_achievement(suspendable=True)
    issued = world.issue(recipient={"name": "李小龙", "email": "li@example.org"})
    forged = json.loads(json.dumps(issued["credential"]))
    forged["credentialSubject"]["achievement"]["name"] = "Forged"
    for credential in (issued["credential"], forged):
        english = client.post(
            "/credentials/verify", json={"verifiableCredential": credential}
        ).json()
        for check in english["checks"]:
            if check["check"] != "meaning":
                assert reasons.code_of(check["reason"]), check
        page = client.post(
            "/verify?lang=zh-CN",
            data={"credential": json.dumps(credential)},
            files={"file": ("", b"", "application/octet-stream")},
            headers={"Accept": "text/html"},
        ).text
        for check in english["checks"]:
            if check["check"] != "meaning":
                assert check["reason"] not in page, check["reason"]
    assert "签名不匹配" in page


def test_hostile_reasons_are_shown_as_written() -> None:
    """A credential chooses part of its reasons' text: over-long or over-nested ones are not
    read back (the reading is bounded; see MAX_LENGTH and MAX_DEPTH)."""
    long = "expired on " + "9" * reasons.MAX_LENGTH
    assert reasons.code_of(long) is None
    with i18n.using("zh_CN"):
        assert reasons.translate(long) == long
        nested = "proof 1 of 2: " * (reasons.MAX_DEPTH + 3) + "it has no @context"
        chinese = reasons.translate(nested)
    assert chinese.count("第 1 个证明") == reasons.MAX_DEPTH + 1
    assert chinese.endswith("proof 1 of 2: it has no @context")
    # Parameters end at the first occurrence of the text after them: a value holding the
    # separator is not read as another split.
    assert reasons.code_of("the key k names a as its controller, but it was published by b") == (
        "key_binding.controller"
    )
