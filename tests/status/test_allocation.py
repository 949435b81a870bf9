from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.issuers.signing import KeyRing
from app.status import service as status_service
from app.status.lists import LIST_SIZE
from app.status.models import StatusEntry, StatusList
from tests.conftest import TEST_PUBLIC_URL
from tests.status.factories import StatusWorld, make_achievement, make_credential, make_issuer

LIST_URL = f"{TEST_PUBLIC_URL}/status/uni-example/revocation-1"


def _list(session: Session, public_id: str) -> StatusList:
    purpose, number = public_id.rsplit("-", 1)
    return session.scalars(
        select(StatusList).where(StatusList.purpose == purpose, StatusList.number == int(number))
    ).one()


def test_plain_credential_gets_one_revocation_entry_object(world: StatusWorld) -> None:
    credential = world.credential()

    entry = credential.document["credentialStatus"]
    index = int(entry["statusListIndex"])
    assert entry == {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }
    assert 0 <= index < LIST_SIZE
    row = world.session.get_one(StatusEntry, (credential.id, "revocation"))
    status_list = _list(world.session, "revocation-1")
    assert (row.list_id, row.index) == (status_list.id, index)
    assert status_list.allocated_count == 1
    assert status_list.occupancy[index // 8] == 0x80 >> (index % 8)
    assert status_list.bits == bytes(LIST_SIZE // 8)


def test_suspendable_credential_gets_revocation_and_suspension_entries(
    world: StatusWorld,
) -> None:
    credential = world.credential(suspendable=True)

    revocation, suspension = credential.document["credentialStatus"]
    assert revocation["statusPurpose"] == "revocation"
    assert revocation["statusListCredential"] == LIST_URL
    assert suspension["statusPurpose"] == "suspension"
    assert suspension["statusListCredential"].endswith("/status/uni-example/suspension-1")
    assert (
        suspension["id"] == f"{suspension['statusListCredential']}#{suspension['statusListIndex']}"
    )


def test_indexes_are_random_distinct_and_not_sequential(world: StatusWorld) -> None:
    indexes = [
        int(world.credential().document["credentialStatus"]["statusListIndex"]) for _ in range(200)
    ]

    assert len(set(indexes)) == len(indexes)
    assert indexes != sorted(indexes)
    assert sum(1 for a, b in zip(indexes, indexes[1:], strict=False) if b == a + 1) < 5
    # Spread over the whole list, not clustered at its start.
    assert max(indexes) - min(indexes) > LIST_SIZE // 2
    assert sum(1 for i in indexes if i >= LIST_SIZE // 2) > 50


def test_allocation_and_issuance_never_change_the_published_bits(world: StatusWorld) -> None:
    world.credential()
    status_list = _list(world.session, "revocation-1")
    before = status_list.version

    for _ in range(5):
        world.credential(suspendable=True)

    world.session.refresh(status_list)
    assert status_list.version == before
    assert status_list.bits == bytes(LIST_SIZE // 8)
    assert _list(world.session, "suspension-1").version == 1


def test_near_full_list_fills_exactly_its_free_indexes_then_opens_list_two(
    world: StatusWorld,
) -> None:
    session = world.session
    world.credential()
    status_list = _list(session, "revocation-1")
    rng = random.Random(7)
    free = set(rng.sample(range(LIST_SIZE), 10)) - {
        session.scalars(select(StatusEntry.index)).one()
    }
    occupancy = bytearray(b"\xff" * (LIST_SIZE // 8))
    for index in free:
        occupancy[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    status_list.occupancy = bytes(occupancy)
    status_list.allocated_count = LIST_SIZE - len(free)
    session.flush()

    taken = []
    for _ in free:
        credential = make_credential(session, world.context, world.plain, now=world.now, rng=rng)
        entry = credential.document["credentialStatus"]
        assert entry["statusListCredential"] == LIST_URL
        taken.append(int(entry["statusListIndex"]))
    session.refresh(status_list)
    assert set(taken) == free
    assert status_list.full
    assert status_list.allocated_count == LIST_SIZE

    overflow = world.credential().document["credentialStatus"]
    assert overflow["statusListCredential"].endswith("/status/uni-example/revocation-2")
    second = _list(session, "revocation-2")
    assert (second.allocated_count, second.full, second.size) == (1, False, LIST_SIZE)


def test_unique_list_and_index_is_enforced_by_the_database(world: StatusWorld) -> None:
    first = world.credential()
    second = world.credential()
    taken = world.session.get_one(StatusEntry, (first.id, "revocation"))
    clash = world.session.get_one(StatusEntry, (second.id, "revocation"))

    clash.index = taken.index
    with pytest.raises(IntegrityError), world.session.begin_nested():
        world.session.flush()


def test_lists_are_per_issuer(world: StatusWorld, keyring: KeyRing) -> None:
    other = make_issuer(world.session, keyring, now=world.now, slug="other-college")
    credential = make_credential(
        world.session, other, make_achievement(world.session, other, now=world.now), now=world.now
    )
    world.credential()

    url = credential.document["credentialStatus"]["statusListCredential"]
    assert url == f"{TEST_PUBLIC_URL}/status/other-college/revocation-1"
    assert world.session.scalar(select(func.count()).select_from(StatusList)) == 2


def test_public_ids_parse_only_our_form() -> None:
    assert status_service.parse_public_id("revocation-12") == ("revocation", 12)
    assert status_service.parse_public_id("suspension-1") == ("suspension", 1)
    for bad in ("revocation-0", "revocation-01", "message-1", "revocation", "revocation-1x"):
        assert status_service.parse_public_id(bad) is None
