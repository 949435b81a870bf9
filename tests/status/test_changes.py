from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.credentials import lifecycle
from app.credentials.models import Credential
from app.errors import Conflict, NotFound
from app.issuers.signing import KeyRing
from app.status.bitstring import Bitstring
from app.status.models import StatusEntry, StatusList
from tests.status.factories import StatusWorld, make_issuer


def _bit(session: Session, credential: Credential, purpose: str) -> tuple[bool, int]:
    """The credential's bit in its list, and that list's version."""
    entry = session.get_one(StatusEntry, (credential.id, purpose))
    status_list = session.get_one(StatusList, entry.list_id)
    session.refresh(status_list)
    return Bitstring.from_bytes(status_list.bits).get(entry.index), status_list.version


def _change(world: StatusWorld, credential: Credential, action: lifecycle.StatusAction) -> None:
    lifecycle.change_status(
        world.session,
        credential,
        action,
        reason=f"test {action}",
        now=world.now + timedelta(hours=1),
        actor="apikey:test",
    )


def test_revoke_sets_the_bit_bumps_the_version_records_and_audits(world: StatusWorld) -> None:
    credential = world.credential()
    _, version = _bit(world.session, credential, "revocation")

    _change(world, credential, "revoke")

    assert _bit(world.session, credential, "revocation") == (True, version + 1)
    assert credential.status == "revoked"
    assert credential.status_reason == "test revoke"
    assert credential.status_changed_at == world.now + timedelta(hours=1)
    world.session.commit()  # audit events are chained and written at commit
    event = world.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "credential.revoked")
    ).one()
    assert (event.issuer_slug, event.credential_id, event.actor) == (
        "uni-example",
        credential.id,
        "apikey:test",
    )
    assert event.details["reason"] == "test revoke"


def test_other_bits_of_the_list_are_untouched(world: StatusWorld) -> None:
    kept, revoked = world.credential(), world.credential()

    _change(world, revoked, "revoke")

    assert _bit(world.session, kept, "revocation")[0] is False
    status_list = world.session.scalars(select(StatusList)).one()
    assert Bitstring.from_bytes(status_list.bits).count() == 1


@pytest.mark.parametrize("action", ["revoke", "suspend", "reinstate"])
def test_revocation_is_final(world: StatusWorld, action: lifecycle.StatusAction) -> None:
    credential = world.credential(suspendable=True)
    _change(world, credential, "revoke")

    with pytest.raises(Conflict, match="revocation is final"):
        _change(world, credential, action)
    assert credential.status == "revoked"


def test_suspend_needs_a_suspension_entry(world: StatusWorld) -> None:
    credential = world.credential()

    with pytest.raises(Conflict, match="not suspendable"):
        _change(world, credential, "suspend")
    assert credential.status == "active"


def test_suspend_then_reinstate_clears_the_bit(world: StatusWorld) -> None:
    credential = world.credential(suspendable=True)
    _, version = _bit(world.session, credential, "suspension")

    _change(world, credential, "suspend")
    assert credential.status == "suspended"
    assert _bit(world.session, credential, "suspension") == (True, version + 1)
    with pytest.raises(Conflict, match="already suspended"):
        _change(world, credential, "suspend")

    _change(world, credential, "reinstate")
    assert credential.status == "active"
    assert _bit(world.session, credential, "suspension") == (False, version + 2)
    assert _bit(world.session, credential, "revocation")[0] is False
    world.session.commit()  # audit events are chained and written at commit
    actions = world.session.scalars(
        select(AuditEvent.action).where(AuditEvent.credential_id == credential.id)
    ).all()
    assert actions == ["credential.suspended", "credential.reinstated"]


def test_reinstating_an_active_credential_is_a_conflict(world: StatusWorld) -> None:
    credential = world.credential(suspendable=True)

    with pytest.raises(Conflict, match="not suspended"):
        _change(world, credential, "reinstate")


def test_a_suspended_credential_can_still_be_revoked(world: StatusWorld) -> None:
    credential = world.credential(suspendable=True)
    _change(world, credential, "suspend")

    _change(world, credential, "revoke")

    assert credential.status == "revoked"
    assert _bit(world.session, credential, "revocation")[0] is True


def test_bulk_change_is_all_or_nothing(world: StatusWorld) -> None:
    fine = [world.credential() for _ in range(3)]
    already = world.credential()
    _change(world, already, "revoke")
    version = _bit(world.session, fine[0], "revocation")[1]
    ids = [c.id for c in fine]

    with pytest.raises(Conflict) as refused:
        lifecycle.bulk_change(
            world.session,
            "uni-example",
            [*ids, already.id],
            "revoke",
            reason=None,
            now=world.now,
            actor="test",
        )
    assert refused.value.extra["conflicts"] == [
        {
            "id": already.id,
            "detail": f"Credential {already.id} is revoked, and revocation is final.",
        }
    ]
    assert already.id in refused.value.detail
    with pytest.raises(NotFound) as unknown:
        lifecycle.bulk_change(
            world.session,
            "uni-example",
            [*ids, "nope"],
            "revoke",
            reason=None,
            now=world.now,
            actor="t",
        )
    assert unknown.value.extra["unknown_ids"] == ["nope"]
    assert {c.status for c in fine} == {"active"}
    assert _bit(world.session, fine[0], "revocation") == (False, version)

    changed = lifecycle.bulk_change(
        world.session,
        "uni-example",
        [*ids, ids[0]],
        "revoke",
        reason="cohort",
        now=world.now,
        actor="t",
    )

    assert [c.id for c in changed] == ids
    assert {c.status for c in fine} == {"revoked"}
    # One version bump for the whole request, not one per credential.
    assert all(_bit(world.session, c, "revocation") == (True, version + 1) for c in fine)


def test_bulk_change_only_reaches_the_named_issuers_credentials(
    world: StatusWorld, keyring: KeyRing
) -> None:
    credential = world.credential()
    make_issuer(world.session, keyring, now=world.now, slug="other-college")

    with pytest.raises(NotFound) as refused:
        lifecycle.bulk_change(
            world.session,
            "other-college",
            [credential.id],
            "revoke",
            reason=None,
            now=world.now,
            actor="t",
        )
    assert refused.value.extra["unknown_ids"] == [credential.id]
    with pytest.raises(NotFound):
        lifecycle.bulk_change(
            world.session,
            "no-such-issuer",
            [credential.id],
            "revoke",
            reason=None,
            now=world.now,
            actor="t",
        )
    assert credential.status == "active"
