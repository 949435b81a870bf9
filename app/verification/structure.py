"""Pure structure checks: the VC DM and Open Badges 3.0 JSON Schemas (bundled, never fetched),
identifiers, related resources.

No web, database or network code, like the rest of the verifier's checks (checks.py).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import jsonschema
import jsonschema_rs
import referencing

from app.verification.checks import as_list, data_model, issuer_id, short_list
from app.verification.report import MALFORMED_VALUE_ERROR, Check

OB_TYPES: Final = frozenset({"OpenBadgeCredential", "AchievementCredential"})
OB_SCHEMA_HOST: Final = "https://purl.imsglobal.org/spec/ob/v3p0/schema/"
OB_SCHEMA_FILE: Final = "/ob_v3p0_achievementcredential_schema.json"


_DATA = Path(__file__).with_name("data")


@functools.cache
def _schemas() -> referencing.Registry[Any]:
    """The bundled schemas by their $id, so cross-references never go to the network."""
    resources = []
    for path in sorted(_DATA.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], referencing.Resource.from_contents(contents)))
    return referencing.Registry().with_resources(resources)


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((_DATA / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, registry=_schemas())
    return validator


@functools.cache
def _fast_validator(name: str) -> jsonschema_rs.Validator:
    schemas = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(_DATA.glob("*.json"))
    ]
    registry = jsonschema_rs.Registry([(schema["$id"], schema) for schema in schemas])
    schema = json.loads((_DATA / name).read_text(encoding="utf-8"))
    # Formats are annotations in drafts 2019-09 and 2020-12, as in the jsonschema path.
    return jsonschema_rs.validator_for(schema, registry=registry, validate_formats=False)


def _schema_errors(name: str, document: Any) -> list[str]:
    # jsonschema-rs answers "valid?" some 200 times faster; the reference jsonschema
    # implementation still writes the messages when there is something to report.
    if _fast_validator(name).is_valid(document):
        return []
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    messages = []
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path) or "the document"
        message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
        messages.append(f"{where}: {message}")
    return messages


def _field(path: Sequence[Any]) -> str:
    return ".".join(str(p) for p in path)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For oneOf/anyOf failures, the branch error that says what is wrong, not 'no branch'."""
    while error.context:
        # Branches that fail only on the instance's own type ("is not of type 'array'") are
        # the branches the author did not mean; the others say what is missing.
        meant = [
            e for e in error.context if not (e.validator == "type" and len(e.relative_path) == 0)
        ]
        best = jsonschema.exceptions.best_match(meant or error.context)
        if best is None or best is error:
            break
        error = best
    return error


def schema_problems(name: str, document: Any) -> list[tuple[str, str]]:
    """(field, message) for every way `document` breaks the bundled schema `name`.

    The field is a dotted path ("credentialStatus.0.type"); a missing required member is
    named itself, so a caller can point at exactly what to add.
    """
    if _fast_validator(name).is_valid(document):
        return []
    problems: list[tuple[str, str]] = []
    for error in sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path)):
        error = _deepest(error)
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, Mapping):
            required = error.validator_value if isinstance(error.validator_value, list) else []
            missing = [p for p in required if p not in error.instance]
            path += missing[:1]
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        problems.append((_field(path), message))
    return problems


def names_ob_schema(document: Mapping[str, Any]) -> bool:
    return any(
        isinstance(schema, Mapping)
        and isinstance(schema.get("id"), str)
        and schema["id"].startswith(OB_SCHEMA_HOST)
        and schema["id"].endswith(OB_SCHEMA_FILE)
        for schema in as_list(document.get("credentialSchema"))
    )


def is_open_badge(document: Mapping[str, Any]) -> bool:
    return bool(OB_TYPES & set(map(str, as_list(document.get("type"))))) or names_ob_schema(
        document
    )


def _ob_view(value: Any) -> Any:
    """As 1EdTech's validator sees it: a single `proof` object becomes a one-element array.

    Applied to embedded credentials (endorsements) too, since they are validated alike.
    """
    if isinstance(value, list):
        return [_ob_view(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    view = {key: _ob_view(item) for key, item in value.items()}
    if isinstance(view.get("proof"), Mapping):
        view["proof"] = [view["proof"]]
    return view


# VC DM 1.1: which members each object of these properties must have (§4.9, §5.4–§5.8).
_V1_MEMBERS: Final = {
    "credentialStatus": ("id", "type"),
    "credentialSchema": ("id", "type"),
    "refreshService": ("id", "type"),
    "termsOfUse": ("type",),
    "evidence": ("type",),
}


def v1_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for every VC DM 1.1 rule `document` breaks (it has no JSON Schema)."""
    problems = []
    if "VerifiableCredential" not in as_list(document.get("type")):
        problems.append(("type", "type does not include VerifiableCredential"))
    if not isinstance(issuer_id(document), str):
        problems.append(("issuer", "issuer is missing or has no id"))
    subjects = document.get("credentialSubject")
    if not isinstance(subjects, dict | list):
        problems.append(("credentialSubject", "credentialSubject is missing"))
    elif not subjects or not all(isinstance(s, dict) and s for s in as_list(subjects)):
        message = "each credentialSubject must be an object making at least one claim"
        problems.append(("credentialSubject", message))
    if "issuanceDate" not in document:
        problems.append(("issuanceDate", "issuanceDate is missing (required by VC DM 1.1)"))
    for name, members in _V1_MEMBERS.items():
        if name not in document:
            continue
        values = as_list(document[name])
        if not values:
            problems.append((name, f"{name} must not be empty"))
        for position, value in enumerate(values):
            where = f"{name}.{position}" if isinstance(document[name], list) else name
            if not isinstance(value, Mapping):
                problems.append((where, f"{name} must be an object"))
                continue
            for member in members:
                if member not in value:
                    problems.append((f"{where}.{member}", f"{name} needs '{member}' (VC DM 1.1)"))
    return problems


def _v1_shape(document: Mapping[str, Any]) -> list[str]:
    return [message for _, message in v1_problems(document)]


def _vp_view(presentation: Mapping[str, Any]) -> dict[str, Any]:
    """The presentation without its enveloped credentials (VC DM 2.0 §4.13.1 allows them; the
    VP schema predates them). Each credential is verified on its own anyway."""
    view = dict(presentation)
    kept = [
        c
        for c in as_list(view.pop("verifiableCredential", None))
        if not (
            isinstance(c, Mapping) and "EnvelopedVerifiableCredential" in as_list(c.get("type"))
        )
    ]
    if kept:
        view["verifiableCredential"] = kept
    return view


def ob_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for the Open Badges 3.0 schema, as `_open_badge_checks` applies it."""
    view = _ob_view(document)
    statuses = view.get("credentialStatus")
    if isinstance(statuses, list) and len(statuses) > 1:
        view["credentialStatus"] = statuses[0]
        for position, status in enumerate(statuses):
            for member in ("id", "type"):
                if not isinstance(status, Mapping) or member not in status:
                    message = f"each credentialStatus entry needs '{member}' (Open Badges 3.0)"
                    return [(f"credentialStatus.{position}.{member}", message)]
    return schema_problems("ob_v3p0_achievementcredential_schema.json", view)


# An absolute URI (RFC 3986 scheme ':' rest), without spaces: VC DM 2.0 §4.4 "id … MUST be a URL".
_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_ID_HOLDERS: Final = (
    "credentialSubject",
    "credentialStatus",
    "credentialSchema",
    "refreshService",
    "termsOfUse",
    "evidence",
    "relatedResource",
)


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def identifier_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each `id` (and the issuer) that is not a URL (VC DM §4.4, §4.7)."""
    problems = []
    if "id" in document and not is_url(document["id"]):
        problems.append(("id", f"{document['id']!r} is not a URL"))
    issuer = issuer_id(document)
    if issuer is not None and not is_url(issuer):
        where = "issuer.id" if isinstance(document.get("issuer"), Mapping) else "issuer"
        problems.append((where, f"{issuer!r} is not a URL"))
    for name in _ID_HOLDERS:
        value = document.get(name)
        for position, item in enumerate(as_list(value)):
            if isinstance(item, Mapping) and "id" in item and not is_url(item["id"]):
                where = f"{name}.{position}" if isinstance(value, list) else name
                problems.append((f"{where}.id", f"{item['id']!r} is not a URL"))
    return problems


_SRI_HASH: Final = r"(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}"
_SRI: Final = re.compile(rf"^{_SRI_HASH}( +{_SRI_HASH})*$")


def related_resource_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """VC DM 2.0 §5.3: objects, each with a URL `id` (unique) and a digest."""
    if "relatedResource" not in document:
        return []
    value = document["relatedResource"]
    items = as_list(value)
    if not items:
        return [("relatedResource", "relatedResource must hold at least one object")]
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        where = f"relatedResource.{position}" if isinstance(value, list) else "relatedResource"
        if not isinstance(item, Mapping):
            problems.append((where, "each relatedResource must be an object"))
            continue
        ident = item.get("id")
        if not isinstance(ident, str) or not is_url(ident):
            problems.append((f"{where}.id", "each relatedResource needs an 'id' that is a URL"))
        elif ident in seen:
            problems.append((f"{where}.id", f"relatedResource {ident} is listed twice"))
        else:
            seen.add(ident)
        sri, multibase = item.get("digestSRI"), item.get("digestMultibase")
        if sri is None and multibase is None:
            message = "each relatedResource needs a digestSRI or a digestMultibase"
            problems.append((where, message))
        if sri is not None and not (isinstance(sri, str) and _SRI.match(sri)):
            message = "digestSRI must read 'sha256-…', 'sha384-…' or 'sha512-…' (base64)"
            problems.append((f"{where}.digestSRI", message))
        if multibase is not None and not (
            isinstance(multibase, str) and len(multibase) > 1 and multibase[0] in "uz"
        ):
            message = "digestMultibase must be a multibase string: 'u…' (base64url) or 'z…'"
            problems.append((f"{where}.digestMultibase", message))
    return problems


def _open_badge_checks(document: Mapping[str, Any], model: str) -> list[Check]:
    if model != "2.0":
        reason = "the Open Badges 3.0 schema was not applied: it is written for VC DM 2.0 and "
        return [Check("structure", "warning", reason + "this credential uses VC DM 1.1")]
    view = _ob_view(document)
    statuses = view.get("credentialStatus")
    checks = []
    if isinstance(statuses, list) and len(statuses) > 1:
        # Our suspendable credentials carry revocation + suspension entries: VC DM 2.0 allows a
        # list, the OB schema wants one object. Validate the first as the schema's object and
        # hold the others to the same rule (id and type), then say so.
        view["credentialStatus"] = statuses[0]
        if not all(isinstance(s, Mapping) and "id" in s and "type" in s for s in statuses):
            reason = "a credentialStatus entry lacks the id or type Open Badges 3.0 requires"
            return [Check("structure", "failed", reason, MALFORMED_VALUE_ERROR)]
        reason = f"it has {len(statuses)} credentialStatus entries: VC DM 2.0 allows a list, the "
        reason += "Open Badges 3.0 schema expects one object; each entry was checked"
        checks.append(Check("structure", "warning", reason))
    problems = _schema_errors("ob_v3p0_achievementcredential_schema.json", view)
    if problems:
        reason = f"it does not follow the Open Badges 3.0 schema: {short_list(problems)}"
        return [Check("structure", "failed", reason, MALFORMED_VALUE_ERROR)]
    return checks


def check_structure(document: Mapping[str, Any], *, kind: str = "credential") -> list[Check]:
    """VCDM shape (JSON Schema for 2.0), then the OB 3.0 schema when it claims to be a badge."""
    model = data_model(document)
    if kind == "presentation":
        problems = _schema_errors("verifiable-presentation-schema.json", _vp_view(document))
    else:
        problems = (
            _v1_shape(document)
            if model == "1.1"
            else _schema_errors("verifiable-credential-schema.json", document)
        )
    if kind == "credential":
        problems += [
            f"{where}: {message}"
            for where, message in identifier_problems(document)
            + related_resource_problems(document)
        ]
    if problems:
        reason = f"it is not a well-formed VC DM {model or '2.0'} {kind}: {short_list(problems)}"
        return [Check("structure", "failed", reason, MALFORMED_VALUE_ERROR)]
    checks = []
    if kind == "credential" and is_open_badge(document):
        checks.extend(_open_badge_checks(document, model))
        if any(check.outcome == "failed" for check in checks):
            return checks
    other_schemas = [
        str(s.get("id")) if isinstance(s, Mapping) else repr(s)
        for s in as_list(document.get("credentialSchema"))
        if not (isinstance(s, Mapping) and names_ob_schema({"credentialSchema": s}))
    ]
    if other_schemas:
        checks.append(
            Check(
                "structure",
                "warning",
                f"its credentialSchema {short_list(other_schemas)} was not checked: only the "
                "Open Badges 3.0 schema is bundled, and schemas are never fetched",
            )
        )
    badge = " and follows the Open Badges 3.0 schema" if is_open_badge(document) else ""
    if model == "2.0" or kind == "presentation":
        checks.insert(0, Check("structure", "passed", f"a well-formed VC DM 2.0 {kind}{badge}"))
    else:
        checks.insert(0, Check("structure", "passed", f"a well-formed VC DM 1.1 {kind}"))
    return checks
