"""Offline JSON-LD: the vendored contexts, RDFC-1.0 canonicalization and safety checks.

Nothing here touches the network. Every `@context` URL must be one of `CONTEXT_FILES` (byte
copies in `contexts/`, see its README); any other URL raises `ContextNotAllowed`, as VC Data
Integrity §2.4 asks (treat the VC/DI contexts as already retrieved, never fetch).

Relative IRIs are left relative and therefore dropped from the RDF, as jsonld.js does; pyld
alone would resolve them against `http://example.org/base/` and sign different quads.

Processed contexts are reused across documents (`context_cache`), so after the first document
only the document itself is expanded; that cache is why `@import` is refused.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from pyld.jsonld import JsonLdError

from app.core import budget
from app.core.cache import LruCache
from app.crypto import rdf_template
from app.crypto.context_cache import (
    CachingContextProcessor,
    FastKeyContextResolver,
    KnownContexts,
)
from app.crypto.errors import ContextNotAllowed, JsonLdProcessingError, UnsafeJsonLd
from app.crypto.node_map import indexed_values
from app.crypto.rdfc import DEFAULT_LIMITS, CanonicalizationLimits, canonicalize_dataset

CONTEXTS_DIR: Final = Path(__file__).with_name("contexts")

CONTEXT_FILES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
        "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
        "https://www.w3.org/ns/credentials/undefined-terms/v2": (
            "credentials-undefined-terms-v2.jsonld"
        ),
        "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
        "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
        "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
        "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
        "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
        "https://w3id.org/security/jwk/v1": "jwk-v1.jsonld",
        "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
        "https://www.w3.org/ns/credentials/status/v1": "bitstring-status-list-v1.jsonld",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
            "ob-v3p0-context-3.0.3.1edtech-validator.json"
        ),
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": (
            "ob-v3p0-extensions.1edtech-validator.json"
        ),
        "https://www.w3.org/ns/did/v1": "did-v1.1edtech-validator.jsonld",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
            "clr-v2p0-context-2.0.1.1edtech-validator.json"
        ),
    }
)


@functools.cache
def _parsed_contexts() -> Mapping[str, Any]:
    return MappingProxyType(
        {url: json.loads((CONTEXTS_DIR / name).read_bytes()) for url, name in CONTEXT_FILES.items()}
    )


def load_context(url: str) -> dict[str, Any]:
    """A private copy of the vendored context document for `url`."""
    try:
        document = _parsed_contexts()[url]
    except KeyError:
        raise ContextNotAllowed(url) from None
    private_copy: dict[str, Any] = copy.deepcopy(document)
    return private_copy


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader serving only the vendored contexts."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "tag": "static",
    }


def _shared_document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The loader pyld gets: the parsed vendored documents themselves, never copies.

    Their scoped contexts are then the same objects on every call, which `KnownContexts`
    finds by identity. pyld never writes to a context document (we refuse `@import`, which
    would) except to resolve the URLs of a top-level context array, so that array is copied.
    """
    try:
        context = _parsed_contexts()[url]["@context"]
    except KeyError:
        raise ContextNotAllowed(url) from None
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": list(context) if isinstance(context, list) else context},
        "tag": "static",
    }


@functools.cache
def _known_contexts() -> KnownContexts:
    return KnownContexts(_parsed_contexts().values())


# Our own cache rather than pyld's module-global one, which other loaders in the process could
# fill with different documents for the same URLs. Context objects are cached apart (see
# context_cache), so in practice this holds just the vendored URLs.
_RESOLVED_CONTEXTS: LruCache[str, dict[str, Any]] = LruCache(256)


def _options() -> dict[str, Any]:
    return {
        "base": None,
        "documentLoader": _shared_document_loader,
        "contextResolver": FastKeyContextResolver(
            _RESOLVED_CONTEXTS, _shared_document_loader, _known_contexts()
        ),
    }


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _is_absolute_or_blank(iri: str) -> bool:
    return iri.startswith("_:") or _ABSOLUTE_IRI.match(iri) is not None


class _CheckingProcessor(CachingContextProcessor):
    """Collects what jsonld.js "safe mode" rejects while pyld expands the document.

    Terms that the contexts do not define are silently dropped by JSON-LD (or become relative
    IRIs that RDF cannot hold), so they are not covered by an RDFC signature: a holder could
    change them freely. `@digitalbazaar/vc` refuses such documents; so do we.
    """

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._property_dropped)
        self.problems: list[str] = []

    def _add(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def _property_dropped(self, expanded_property: str | None) -> None:
        if expanded_property is None:
            self._add("a property mapped to null (or named like a keyword) is dropped")
        else:
            self._add(f"property {expanded_property!r} is not defined by the @context")

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        self._inspect(expanded)
        return expanded

    def _expand(self, *args: Any, **kwargs: Any) -> Any:
        budget.check()  # once per element: the request's budget bounds expansion too
        return super()._expand(*args, **kwargs)

    def _create_node_map(self, *args: Any, **kwargs: Any) -> Any:
        budget.check()
        # Linear duplicate checks (see node_map); the recursive calls come back through here.
        with indexed_values():
            return super()._create_node_map(*args, **kwargs)

    def _inspect(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._inspect(item)
            return
        if not isinstance(value, dict):
            return
        if "@value" in value:
            datatype = value.get("@type")
            if isinstance(datatype, str) and datatype != "@json":
                if not _is_absolute_or_blank(datatype):
                    self._add(f"datatype {datatype!r} is not defined by the @context")
            return
        for key, item in value.items():
            if key == "@id":
                if isinstance(item, str) and not _is_absolute_or_blank(item):
                    self._add(f"@id {item!r} is a relative IRI")
            elif key == "@type":
                for type_ in item if isinstance(item, list) else [item]:
                    if isinstance(type_, str) and not _is_absolute_or_blank(type_):
                        self._add(f"type {type_!r} is not defined by the @context")
            elif key.startswith("_:"):
                self._add(f"property {key!r} expands to a blank node")
            elif key == "@reverse" and isinstance(item, dict):
                self._inspect(list(item.values()))
            else:
                self._inspect(item)


def _translate(error: BaseException) -> JsonLdProcessingError:
    """Turn pyld's nested JsonLdError chain into our error, keeping the innermost cause."""
    innermost: JsonLdError | None = None
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ContextNotAllowed):
            return cause
        if isinstance(cause, JsonLdError):
            innermost = cause
        cause = cause.__cause__
    if innermost is None:
        return JsonLdProcessingError(f"invalid JSON-LD: {error}")
    message = innermost.args[0] if innermost.args else "error"
    detail = f" ({innermost.code})" if getattr(innermost, "code", None) else ""
    return JsonLdProcessingError(f"invalid JSON-LD: {message}{detail}")


def _budget_spent(error: BaseException) -> budget.WorkLimitExceeded | None:
    """The request's budget running out inside pyld, should pyld have wrapped it."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, budget.WorkLimitExceeded):
            return cause
        cause = cause.__cause__
    return None


_PYLD_LOCK = threading.RLock()


def _acquire_pyld_lock() -> None:
    """Take the lock; a request waiting for it still stops at its deadline or disconnect."""
    # Expansion may run long and the lock may be held by another thread: not on the loop.
    budget.about_to_wait("JSON-LD processing")
    current = budget.current()
    if current is None:
        _PYLD_LOCK.acquire()
        return
    while not _PYLD_LOCK.acquire(timeout=0.05):
        current.check_now()


def _run(document: Mapping[str, Any], *, to_rdf: bool) -> tuple[Any, list[str]]:
    if not isinstance(document, Mapping):
        raise JsonLdProcessingError("a JSON-LD document must be a JSON object")
    processor = _CheckingProcessor()
    try:
        # pyld's shared context caches (cachetools LRUs) are not thread-safe, and the app
        # canonicalizes from a threadpool; the work is CPU-bound under the GIL anyway.
        _acquire_pyld_lock()
        try:
            if to_rdf:
                # As the reference stack (jsonld.js under the Data Integrity suites) does: a
                # value's base direction becomes the datatype i18n:{language}_{direction}.
                options = {**_options(), "rdfDirection": "i18n-datatype"}
                result = processor.to_rdf(dict(document), options)
            else:
                result = processor.expand(dict(document), _options())
        finally:
            _PYLD_LOCK.release()
    except (JsonLdError, ContextNotAllowed) as error:
        spent = _budget_spent(error)
        if spent is not None:
            raise spent from None
        raise _translate(error) from error
    except (TypeError, ValueError, AttributeError, RecursionError) as error:
        # pyld assumes JSON-shaped input; anything else fails deep inside it.
        raise JsonLdProcessingError(f"invalid JSON-LD: {error!r}") from error
    return result, processor.problems


# What the document's shape may cost in skeleton runs (`rdf_template.fill`): a signer's
# documents are its own; a verifier's come from anyone.
ShapeReuse = Literal["signing", "verifying"]
_SKELETON_RUNS: dict[ShapeReuse, int] = {"signing": rdf_template.MAX_ROUNDS, "verifying": 1}


def undefined_terms(
    document: Mapping[str, Any], *, reuse_shape: ShapeReuse | None = None
) -> list[str]:
    """What JSON-LD safe mode rejects: undefined properties and types, relative IRIs.

    An empty list means every statement in the document reaches the RDF dataset (and so the
    signature). Raises `JsonLdProcessingError` (e.g. `ContextNotAllowed`) for invalid input.
    With `reuse_shape`, a document whose shape has a template takes its problems from it:
    toRDF expands first and adds no problem of its own, so they are expansion's.
    """
    if reuse_shape is not None:
        filled = rdf_template.fill(
            document, _to_rdf, _context_terms(), skeleton_runs=_SKELETON_RUNS[reuse_shape]
        )
        if filled is not None:
            return filled.problems
    _, problems = _run(document, to_rdf=False)
    return problems


@functools.cache
def _context_terms() -> frozenset[str]:
    """Every key of every vendored context document, scoped contexts included."""
    terms: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            terms.update(value)
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(list(_parsed_contexts().values()))
    return frozenset(terms)


def _to_rdf(document: Mapping[str, Any]) -> tuple[Any, list[str]]:
    return _run(document, to_rdf=True)


def _expand(document: Mapping[str, Any]) -> tuple[Any, list[str]]:
    return _run(document, to_rdf=False)


def canonize(
    document: Mapping[str, Any],
    *,
    limits: CanonicalizationLimits = DEFAULT_LIMITS,
    safe: bool = False,
    reuse_shape: ShapeReuse | None = None,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document.

    With `safe`, raise `UnsafeJsonLd` when `undefined_terms` would report anything. With
    `reuse_shape`, expansion and toRDF are shared by documents that differ only in their
    strings (`rdf_template`); the result is the same.
    Raises `ContextNotAllowed`, `CanonicalizationLimitExceeded` or `JsonLdProcessingError`.
    """
    if reuse_shape is not None:
        filled = rdf_template.fill(
            document, _to_rdf, _context_terms(), skeleton_runs=_SKELETON_RUNS[reuse_shape]
        )
        if filled is not None:
            if safe and filled.problems:
                raise UnsafeJsonLd(filled.problems)
            # The template's canonicalization is prepared: no dataset is built (rdfc_template).
            return filled.canonical(limits)
    dataset, problems = _run(document, to_rdf=True)
    if safe and problems:
        raise UnsafeJsonLd(problems)
    return canonicalize_dataset(dataset, limits)
