"""Make pyld 3.3's processed-context caches hit across documents.

pyld caches each processed context per (resolved context, active context `_uuid`), but for
OB 3.0 and VC 2.0 credentials three things defeat or slow it on every document:

- A type-scoped context (both contexts attach one to nearly every type) is applied with
  `propagate=False`, for which pyld first clones the active context into a fresh dict. The
  clone gets a new `_uuid`, so the lookup misses, the scoped context is processed again, and
  its result (new `_uuid` again) makes every context applied below it miss too.
- `ContextResolver.resolve` keys each context object by its JCS serialization, computed in pure
  Python on every call, hits included.
- `_expand_iri` recomputes the same term → IRI expansions for every node.

`CachingContextProcessor` hands pyld that same clone, built once per frozen active context
with a stable `_uuid`, so pyld's own cache works, and memoizes `_expand_iri` per frozen
context. `FastKeyContextResolver` finds the scoped contexts of the vendored documents by
identity, and keys any other context object by sorted-key JSON. Nothing pyld computes
changes, so neither can the RDF it produces.

All of it relies on pyld never writing to a frozen active context or to a context document
once resolved; `@import`, the one feature that does the latter, is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from frozendict import frozendict
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError, JsonLdProcessor
from pyld.resolved_context import ResolvedContext

from app.core.cache import LruCache


class KnownContexts:
    """Resolved contexts for the context objects inside documents that are never written to.

    Built once from the parsed vendored documents, which live as long as the process: an id
    found here is the object it was taken from, so no lookup needs to serialize anything.
    """

    def __init__(self, documents: Iterable[Any]) -> None:
        self._by_id: dict[int, tuple[dict[str, Any], ResolvedContext]] = {}
        for document in documents:
            self._collect(document)

    def _collect(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._collect(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    for ctx in item if isinstance(item, list) else [item]:
                        if isinstance(ctx, dict):
                            self._by_id[id(ctx)] = (ctx, ResolvedContext(frozendict(ctx)))
                self._collect(item)

    def get(self, ctx: dict[str, Any]) -> ResolvedContext | None:
        entry = self._by_id.get(id(ctx))
        return entry[1] if entry is not None and entry[0] is ctx else None


# Other context objects (inline in documents), by sorted-key JSON. Kept apart from the shared
# cache, where pyld also looks up every @context *string*: a string equal to the key of a
# cached object would otherwise resolve to it without going through the document loader.
# Fed by contexts inline in untrusted documents, so bounded.
_INLINE_CONTEXTS: LruCache[str, ResolvedContext] = LruCache(256)


class FastKeyContextResolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's resolver, finding context objects without serializing them to JCS each time.

    Two contexts with the same sorted-key JSON have the same JCS form (the converse fails only
    for numbers such as 1 and 1.0, which then merely get separate entries), so no lookup can
    return a context that differs from the one asked for. Context documents are frozen at
    the top, where pyld's `@import` handling would write into them.
    """

    def __init__(self, shared_cache: Any, document_loader: Any, known: KnownContexts) -> None:
        super().__init__(shared_cache, document_loader)
        self._known = known

    def resolve(
        self, active_ctx: Any, context: Any, base: Any, cycles: Any = None
    ) -> list[ResolvedContext]:
        # pyld's own loop, one context at a time: URLs, null and invalid values go to pyld.
        cycles = set() if cycles is None else cycles
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        resolved: list[ResolvedContext] = []
        for ctx in context if isinstance(context, list) else [context]:
            if isinstance(ctx, dict):
                resolved.append(self._resolve_object(active_ctx, ctx, base, cycles))
            else:
                resolved.extend(super().resolve(active_ctx, ctx, base, cycles))
        return resolved

    def _resolve_object(
        self, active_ctx: Any, ctx: dict[str, Any], base: Any, cycles: Any
    ) -> ResolvedContext:
        known = self._known.get(ctx)
        if known is not None:
            return known
        try:
            key = json.dumps(ctx, sort_keys=True, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            # Not plain JSON: pyld handles (or refuses) it in its usual way.
            [resolved] = super().resolve(active_ctx, ctx, base, cycles)
            return resolved
        cached = _INLINE_CONTEXTS.get(key)
        if cached is None:
            cached = ResolvedContext(frozendict(ctx))
            _INLINE_CONTEXTS.put(key, cached)
        return cached


# One stable clone per frozen active context, keyed by its `_uuid` (unique per context).
_NON_PROPAGATING_BASES: LruCache[str, frozendict[str, Any]] = LruCache(256)


def _non_propagating_base(active_ctx: frozendict[str, Any]) -> frozendict[str, Any]:
    """What pyld builds before applying a `propagate: false` context, built once."""
    key = active_ctx["_uuid"]
    base = _NON_PROPAGATING_BASES.get(key)
    if base is None or base["previousContext"] is not active_ctx:
        # pyld's _clone_active_context, then previousContext and a _uuid as pyld adds them.
        child: dict[str, Any] = {"mappings": dict(active_ctx["mappings"])}
        for member in ("@base", "previousContext", "@language", "@vocab"):
            if member in active_ctx:
                child[member] = active_ctx[member]
        child["previousContext"] = active_ctx
        child["_uuid"] = str(uuid.uuid1())
        base = frozendict(child)
        _NON_PROPAGATING_BASES.put(key, base)
    return base


def _refuse_import(local_ctx: Any) -> None:
    """pyld 3.3 implements `@import` by writing into the imported (cached, shared) context.

    One document could so change how every later document in the process is read, and pyld
    then mistakes a processed context for the imported one. No VC context needs `@import`.
    """
    if isinstance(local_ctx, dict) and "@context" in local_ctx:
        local_ctx = local_ctx["@context"]
    for ctx in local_ctx if isinstance(local_ctx, list) else [local_ctx]:
        if isinstance(ctx, dict) and "@import" in ctx:
            raise JsonLdError(
                "@import in a context is not supported",
                "jsonld.SyntaxError",
                {"context": ctx},
                code="invalid context entry",
            )


# Expanded IRIs per (frozen active context `_uuid`, value, base, vocab); None (dropped) included.
_EXPANDED_IRIS: LruCache[tuple[str, str, Any, bool], str | None] = LruCache(8192)


class CachingContextProcessor(JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """A JsonLdProcessor whose context processing and IRI expansion reuse earlier results."""

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (no local_ctx), the result depends only on the active
        # context, which pyld never changes once frozen, and the arguments.
        if local_ctx is not None or type(value) is not str or type(active_ctx) is not frozendict:
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (active_ctx["_uuid"], value, base, vocab)
        try:
            return _EXPANDED_IRIS[key]
        except KeyError:
            pass
        expanded: str | None = super()._expand_iri(active_ctx, value, base, vocab)
        _EXPANDED_IRIS[key] = expanded
        return expanded

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        _refuse_import(local_ctx)
        if (
            not propagate
            and type(active_ctx) is frozendict
            and not active_ctx.get("previousContext")
            # The one shape pyld resolves to a single ResolvedContext whose document is
            # `local_ctx` itself, so `@propagate` cannot come from anywhere else.
            and isinstance(local_ctx, dict)
            and "@context" not in local_ctx
            and "@propagate" not in local_ctx
        ):
            # pyld would clone active_ctx and set previousContext on the clone; it keeps a
            # context that already has one as it is, and now finds its earlier result.
            active_ctx = _non_propagating_base(active_ctx)
        return super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
