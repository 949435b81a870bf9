"""Wiring for the verification routes: one shared fetch cache per app, a verifier per request.

`DatabaseDocuments` answers the resolver's `OwnDocuments` questions from our database: it
reads issuers, status lists, levels, successions and accreditations, so it lives here, at the
HTTP edge, and the verifier itself imports none of those packages (no package cycle).

What must outlive a request (the fetch and status list caches, the pool) is the app's one
`VerificationState` (``app.verification.state``), taken with the rest of the app's context
as `VerifyingDep`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.accreditation import service as accreditation_service
from app.config import Settings
from app.core.urls import PublicUrls
from app.credentials import successions as credential_service
from app.db import AUTOCOMMIT_INFO, DirectRead
from app.dependencies import SessionDep, Verifying, VerifyingDep
from app.errors import AppError
from app.frameworks import alignment as framework_alignment
from app.frameworks import service as framework_service
from app.issuers import documents
from app.issuers import service as issuer_service
from app.issuers.models import KeyStatus
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.json_middleware import parsed_by_route
from app.status import service as status_service
from app.verification.accreditation import AccreditationView
from app.verification.did_documents import (
    ResolutionError,
    VerificationMethod,
    method_from_document,
    public_key_of,
    split_url,
)
from app.verification.resolver import Resolver
from app.verification.service import Verifier
from app.verification.state import OwnDocumentCaches, VerificationState
from app.vocabularies import recognition

_STATE_LOCK = threading.Lock()

# The two reads every verification of one of our credentials makes, in one round trip: the
# head of its status list and its successor (`DatabaseDocuments.prefetch`).
_HEAD_AND_SUCCESSOR: Final = select(
    status_service.HEAD.subquery(),
    credential_service.SUCCESSOR.scalar_subquery().label("successor"),
)
_DIRECT_HEAD_AND_SUCCESSOR: Final = DirectRead(_HEAD_AND_SUCCESSOR)


def _revoked_method(context: IssuerContext, method_id: str) -> VerificationMethod | None:
    """A revoked key of ours: no longer published, but we can say when and why it went."""
    for key in context.keys:
        if key.status != KeyStatus.revoked:
            continue
        names = (documents.multikey_vm_id(context.did, key), documents.jwk_vm_id(context.did, key))
        if method_id in names:
            return VerificationMethod(
                id=method_id,
                controller=context.did,
                document_id=context.did,
                public_key=public_key_of(
                    {"id": method_id, "publicKeyMultibase": key.public_multikey}
                ),
                relationships=frozenset({"assertionMethod", "authentication"}),
                revoked_at=key.revoked_at,
                revocation_reason=key.revocation_reason,
                own_issuer=context.issuer.slug,
            )
    return None


class DatabaseDocuments:
    """`OwnDocuments` from our database, for one request's session."""

    def __init__(
        self,
        session: Session,
        keyring: KeyRing | None,
        *,
        urls: PublicUrls,
        now: datetime,
        status_ttl_seconds: int = 300,
        caches: OwnDocumentCaches | None = None,
        trusted_accreditors: tuple[str, ...] = (),
    ) -> None:
        self.session = session
        self.trusted_accreditors = trusted_accreditors
        self.caches = caches or OwnDocumentCaches.with_ttl(0)
        self.keyring = keyring
        self.urls = urls
        self.now = now
        self.status_ttl_seconds = status_ttl_seconds
        self._contexts: dict[str, IssuerContext | None] = {}
        self._targets: dict[tuple[str, ...], dict[str, Any] | None] = {}
        # What `prefetch` read for the credential being verified: (list URL, head) and
        # (credential id, successor id), each taken by the next question it answers.
        self._head: tuple[str, status_service.ListHead] | None = None
        self._successor: tuple[str, str | None] | None = None

    def _head_and_successor(self, parameters: Mapping[str, Any]) -> Sequence[Any] | None:
        # A read-only autocommit session (PostgreSQL's readers) that has not connected yet
        # reads on a pooled connection of its own: it has no transaction to share, and its
        # Session and Core's execution cost more than the query. Otherwise Core execution on
        # the session's connection, pending rows of a writing request flushed first, as
        # Session.execute would.
        if self.session.info.get(AUTOCOMMIT_INFO) and not self.session.in_transaction():
            bind = self.session.get_bind()
            assert isinstance(bind, Engine)
            return _DIRECT_HEAD_AND_SUCCESSOR.first(bind, parameters)
        self.session.flush()
        return self.session.connection().execute(_HEAD_AND_SUCCESSOR, parameters).first()

    def prefetch(self, credential_id: str, status_lists: Sequence[str]) -> None:
        """Read in one round trip what `status_list` (of the first of `status_lists` that is
        ours) and `successor_of` are about to ask about one of our credentials.

        Each answer serves only the next such question, so a later credential (of a batch,
        say) reads afresh and a revocation shows at once, as without prefetching.
        """
        self._head = self._successor = None
        own_id = self.urls.parse_credential(credential_id)
        if own_id is None or self.keyring is None:
            return
        for url in status_lists:
            parsed = self.urls.parse_status_list(url)
            parameters = status_service.head_parameters(*parsed) if parsed else None
            if parameters is None:
                continue
            row = self._head_and_successor({**parameters, "credential_id": own_id})
            if row is not None:  # else an unknown list: each question is asked on its own
                self._head = url, status_service.ListHead(row[0], row[1], row[2])
                self._successor = credential_id, row[3]
            return

    def _context(self, did: str) -> IssuerContext | None:
        if did not in self._contexts:
            self._contexts[did] = self.caches.issuers.get(did, lambda: self._load_context(did))
        return self._contexts[did]

    def _load_context(self, did: str) -> IssuerContext | None:
        try:
            context = issuer_service.load_context(
                self.session, did.removeprefix(self.urls.did_prefix), urls=self.urls
            )
        except AppError:
            return None
        # Detached, so a rollback of this request's session cannot expire what other
        # requests read from the cache.
        for row in (context.issuer, *context.keys):
            self.session.expunge(row)
        return context

    def owns_did(self, did: str) -> bool:
        # Any DID under our host is answered here: an unknown slug is then "no such issuer",
        # never a request to our own public URL.
        return self.urls.parse_issuer_did(did) is not None

    def verification_method(self, method_id: str) -> VerificationMethod:
        did, _ = split_url(method_id)
        context = self._context(did)
        if context is None:
            raise ResolutionError(f"{did} is not an issuer of this LearnProof service")
        # The entry holds its context, so the id in the key cannot be reused while it lives.
        cached = self.caches.methods.get(
            (method_id, id(context)), lambda: (context, self._method(context, method_id))
        )
        return cached[1]

    @staticmethod
    def _method(context: IssuerContext, method_id: str) -> VerificationMethod:
        revoked = _revoked_method(context, method_id)
        if revoked is not None:
            return revoked
        document = documents.did_document(context.did, context.keys)
        method = method_from_document(document, method_id, expected_id=context.did)
        return replace(method, own_issuer=context.issuer.slug)

    def successor_of(self, credential_id: str) -> str | None:
        prefetched, self._successor = self._successor, None
        if prefetched is not None and prefetched[0] == credential_id:
            successor = prefetched[1]
        else:
            own_id = self.urls.parse_credential(credential_id)
            if own_id is None:
                return None
            successor = credential_service.successor_of(self.session, own_id)
        return self.urls.credential(successor) if successor is not None else None

    def issuer_name(self, did: str) -> str | None:
        context = self._context(did) if self.owns_did(did) else None
        return context.issuer.name if context is not None else None

    def status_list(self, url: str) -> Any | None:
        parsed = self.urls.parse_status_list(url)
        if parsed is None or self.keyring is None:
            return None
        return self._load_list(url, *parsed)

    def _load_list(self, url: str, slug: str, list_id: str) -> Any:
        assert self.keyring is not None
        prefetched, self._head = self._head, None
        head = prefetched[1] if prefetched is not None and prefetched[0] == url else None
        try:
            published = status_service.published_list(
                self.session,
                self.keyring,
                slug,
                list_id,
                urls=self.urls,
                now=self.now,
                ttl_seconds=self.status_ttl_seconds,
                read_only=True,
                head=head,
            )
        except AppError as error:
            raise ResolutionError(f"{url}: {error.detail}") from None
        return published.document

    def level_of(self, url: str) -> tuple[str, str] | None:
        """(framework, level) when `url` is one of our level pages."""
        return self.urls.parse_level(url) if isinstance(url, str) else None

    def describe_level(self, framework: str, level: str) -> dict[str, Any] | None:
        return self.caches.levels.get(
            (framework, level), lambda: self._describe_level(framework, level)
        )

    def describe_target(self, alignment: Mapping[str, Any]) -> dict[str, Any] | None:
        """An occupation, industry or ESCO skill of our vocabularies that `alignment` names."""
        key = tuple(str(alignment.get(k)) for k in ("targetUrl", "targetCode", "targetFramework"))
        if key not in self._targets:
            self._targets[key] = recognition.recognise(self.session, self.urls, alignment)
        return self._targets[key]

    def _describe_level(self, framework: str, level: str) -> dict[str, Any] | None:
        try:
            return framework_alignment.describe_alignment(self.session, framework, level)
        except AppError:
            return None

    def accreditations(self, did: str) -> list[AccreditationView] | None:
        """The issuer's accreditations from trusted bodies, read fresh (revocation shows);
        None when the service trusts no accrediting body at all (that answer is reused for
        the own-documents cache time, like issuer keys)."""
        configured = self.trusted_accreditors
        if not self.caches.any_accreditor.get(
            configured,
            lambda: bool(accreditation_service.trusted_accreditors(self.session, configured)),
        ):
            return None
        return [
            AccreditationView(
                id=held.id,
                url=self.urls.accreditation(held.id),
                accreditor=held.accreditor,
                accreditor_name=held.accreditor_name,
                limits=held.limits,
                valid_from=held.valid_from,
                valid_until=held.valid_until,
                revoked=held.revoked,
                credential=held.credential,
            )
            for held in accreditation_service.held_by(self.session, did, self.trusted_accreditors)
        ]

    def level_ordinal(self, framework: str, level: str) -> int | None:
        try:
            return framework_service.read_level(self.session, framework, level).ordinal
        except AppError:
            return None


def _verifier(
    session: Session,
    settings: Settings,
    now: datetime,
    state: VerificationState,
    keyring: KeyRing | None,
) -> Verifier:
    own = DatabaseDocuments(
        session,
        keyring,
        urls=settings.urls,
        now=now,
        status_ttl_seconds=settings.status_list_ttl_seconds,
        caches=state.own_documents,
        trusted_accreditors=tuple(settings.trusted_accreditors),
    )
    return Verifier(
        resolver=Resolver(state.fetcher, own),
        now=now,
        skew=timedelta(seconds=settings.clock_skew_seconds),
        trusted_issuers=tuple(settings.trusted_issuers),
        status_cache=state.status_cache,
        limits=state.limits,
    )


# Async: building the verifier does no I/O, and a sync dependency costs every verification a
# round trip through the threadpool.
async def get_verifier(session: SessionDep, verifying: VerifyingDep) -> Verifier:
    return _verifier(
        session, verifying.settings, verifying.clock.now(), verifying.state, verifying.keyring
    )


VerifierDep = Annotated[Verifier, Depends(get_verifier)]
"""For routes that verify and then write in the request's one transaction (awards, CLR)."""


_T = TypeVar("_T")


async def run_verification(
    request: Request,
    verifying: Verifying,
    work: Callable[[bytes, Verifier], _T],
    *,
    loop_first: bool = False,
) -> _T:
    """`work(body, verifier)` in the verification pool, under the request's work budget;
    with `loop_first`, tried on the event loop first (`VerificationPool.run`) where the read
    sessions have connections of their own (`Verifying.reads_apart`): on SQLite, writers
    waiting for the database hold connections of the same pool.

    The verification routes take one dependency (`VerifyingDep`) and hand their work here:
    the body is read on the event loop, then one of the pool's threads opens the read-only
    session, builds the verifier, runs the work and closes the session. FastAPI would solve
    a body, a session and a verifier dependency anew for every request, and the strict-JSON
    middleware would parse the body once more (README "Figures", night). The strictness
    check stays: the route's own parse (`request_bodies`) uses the same strict decoder and
    answers 400 the same way.
    """
    parsed_by_route(request)
    raw = await request.body()
    now = verifying.clock.now()

    def run() -> _T:
        # A read-only session: verification never writes (README "Verifying").
        with verifying.open_read_session() as session:
            verifier = _verifier(
                session, verifying.settings, now, verifying.state, verifying.keyring
            )
            return work(raw, verifier)

    state = verifying.state
    loop_first = loop_first and verifying.reads_apart
    return await state.pool.run(request, state.limits, run, loop_first=loop_first)


async def raw_body(request: Request) -> bytes:
    """The body as bytes (already capped by the body size middleware)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
