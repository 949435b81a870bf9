"""Make pyld 3.3's processed-context caches hit across documents.

pyld caches a processed context per (resolved context, active context `_uuid`), but two paths
defeat it on every document we canonicalize:

- A type-scoped context (OB 3.0 and VC 2.0 attach one to nearly every type) is applied with
  `propagate=False`, for which pyld first clones the active context into a fresh dict. The
  clone gets a new `_uuid`, so the lookup misses, the scoped context is processed again, and
  its result (new `_uuid` again) makes every context applied below it miss too.
- `ContextResolver.resolve` keys each inline context object by its JCS serialization, computed
  in pure Python on every call, hits included.

`CachingContextProcessor` hands pyld that same clone, built once per frozen active context
with a stable `_uuid`, so pyld's own cache works; `FastKeyContextResolver` keys inline
contexts by `json.dumps(sort_keys=True)`, which tells apart every pair of contexts JCS does.
Nothing else about context processing changes, so neither can the RDF it produces.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from frozendict import frozendict
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdProcessor
from pyld.resolved_context import ResolvedContext

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class BoundedCache(OrderedDict[_K, _V], Generic[_K, _V]):
    """Size-bounded (oldest out first), thread-safe on insertion.

    The caches below are also fed by contexts inline in untrusted documents, so an unbounded
    dict would let callers grow them without limit.
    """

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self._max_size = max_size
        self._lock = threading.Lock()

    def __setitem__(self, key: _K, value: _V) -> None:
        with self._lock:
            super().__setitem__(key, value)
            while len(self) > self._max_size:
                self.popitem(last=False)


class FastKeyContextResolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's resolver, keying inline context objects by sorted-key JSON rather than JCS.

    Any two contexts with the same sorted-key JSON have the same JCS form (the converse fails
    only for numbers such as 1 and 1.0, which then merely get separate entries), so no lookup
    can return a context that differs from the one asked for.
    """

    def resolve(
        self, active_ctx: Any, context: Any, base: Any, cycles: Any = None
    ) -> list[ResolvedContext]:
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        contexts = context if isinstance(context, list) else [context]
        if not all(isinstance(ctx, dict) for ctx in contexts):
            # URLs (served from the shared cache by pyld itself), null and invalid contexts.
            resolved: list[ResolvedContext] = super().resolve(active_ctx, context, base, cycles)
            return resolved
        return [self._resolve_object(ctx) for ctx in contexts]

    def _resolve_object(self, ctx: dict[str, Any]) -> ResolvedContext:
        try:
            key = json.dumps(ctx, sort_keys=True, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            # Not plain JSON: leave it to pyld, which fails on it in its usual way.
            resolved: list[ResolvedContext] = super().resolve(None, ctx, None)
            return resolved[0]
        cached: ResolvedContext | None = self._get(key)
        if cached is None:
            cached = ResolvedContext(ctx)
            self._cache_resolved_context(key, cached, "static")
        return cached


# One stable clone per frozen active context, keyed by its `_uuid` (unique per context).
_NON_PROPAGATING_BASES: BoundedCache[str, frozendict] = BoundedCache(max_size=512)


def _non_propagating_base(active_ctx: frozendict) -> frozendict:
    """What pyld builds before applying a `propagate: false` context, built once."""
    key = active_ctx["_uuid"]
    base = _NON_PROPAGATING_BASES.get(key)
    if base is None or base["previousContext"] is not active_ctx:
        child: dict[str, Any] = {"mappings": dict(active_ctx["mappings"])}
        for member in ("@base", "previousContext", "@language", "@vocab"):
            if member in active_ctx:
                child[member] = active_ctx[member]
        child["previousContext"] = active_ctx
        child["_uuid"] = str(uuid.uuid1())
        base = frozendict(child)
        _NON_PROPAGATING_BASES[key] = base
    return base


# Expanded IRIs per (frozen active context `_uuid`, value, base, vocab); None (dropped) included.
_EXPANDED_IRIS: BoundedCache[tuple[str, str, Any, bool], str | None] = BoundedCache(8192)


class CachingContextProcessor(JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """A JsonLdProcessor whose type-scoped contexts reuse earlier processing results."""

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
        if (
            not propagate
            and isinstance(active_ctx, frozendict)
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
