"""Issuer and achievement branding through the API: stored, returned, and hostile input refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.proofs.branding import MAX_IMAGE_BYTES, contrast, text_on
from tests.conftest import make_key
from tests.credentials.factories import ACHIEVEMENT, World
from tests.support.images import (
    claimed_size_png,
    data_url,
    image,
    jpeg_url,
    png_url,
)
from tests.support.problems import assert_problem

BRANDING = {
    "brand_color": "#8A1538",
    "signatory_name": "Prof. Dr. Grace Hopper",
    "signatory_title": "Dean of Studies",
    "signature_image": png_url(120, 40, "#000000"),
    "background_image": jpeg_url(300, 200),
}
_SVG = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
HOSTILE_IMAGES = {
    "not an image": data_url(b"MZ\x90\x00 this is an executable, not a picture" * 4),
    "svg": data_url(_SVG.encode(), "image/svg+xml"),
    "svg declared as png": data_url(_SVG.encode()),
    "jpeg declared as png": data_url(image(kind="JPEG")),
    "oversize": data_url(image()[:8] + b"\x00" * (MAX_IMAGE_BYTES + 1)),
    "huge pixel dimensions": data_url(claimed_size_png(100_000, 100_000)),
    "truncated png": data_url(image()[:40]),
    "bad base64": "data:image/png;base64,iVBORw0KGgo$$$",
    "a remote URL": "https://images.example/signature.png",
    "a javascript URL": "javascript:alert(1)",
}
BAD_COLOURS = ["red", "#12345", "#1234567", "#gggggg", "1f4e79", "#1f4e79 ", ""]


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers, image=png_url(200, 80), **BRANDING)


def test_issuer_branding_round_trips(world: World, client: TestClient) -> None:
    assert world.issuer["brand_color"] == "#8a1538"  # normalised
    for name in ("signatory_name", "signatory_title", "signature_image", "background_image"):
        assert world.issuer[name] == BRANDING[name], name
    assert world.issuer["image"].startswith("data:image/png;base64,")
    change = {"brand_color": "#004D40", "signatory_title": None}
    patched = client.patch(f"/v1/issuers/{world.slug}", json=change, headers=world.admin)
    assert patched.status_code == 200, patched.text
    read = client.get(f"/v1/issuers/{world.slug}", headers=world.admin).json()
    assert read["brand_color"] == "#004d40"
    assert read["signatory_title"] is None
    assert read["signatory_name"] == BRANDING["signatory_name"]
    # A logo given as a data: URL is the Profile's image too (no link to fetch).
    profile = client.get(f"/issuers/{world.slug}").json()
    assert profile["image"]["id"] == read["image"]


def test_an_https_logo_is_still_accepted(world: World, client: TestClient) -> None:
    logo = "https://uni.example.org/logo.png"
    patched = client.patch(f"/v1/issuers/{world.slug}", json={"image": logo}, headers=world.admin)
    assert patched.status_code == 200, patched.text
    assert patched.json()["image"] == logo


def test_achievement_branding_overrides_and_round_trips(world: World, client: TestClient) -> None:
    created = world.create_achievement(signatory_name="Dr. Ada Byron", brand_color="#ffd700")
    assert created["signatory_name"] == "Dr. Ada Byron"
    assert created["brand_color"] == "#ffd700"
    assert created["signature_image"] is None
    url = f"/v1/issuers/{world.slug}/achievements/{created['id']}"
    signature = png_url(90, 30, "#222222")
    change = {"signature_image": signature, "brand_color": None}
    patched = client.patch(url, json=change, headers=world.issue_headers)
    assert patched.status_code == 200, patched.text
    read = client.get(url, headers=world.issue_headers).json()
    assert read["signature_image"] == signature
    assert read["brand_color"] is None
    assert read["signatory_name"] == "Dr. Ada Byron"
    # Only the look may change: what it certifies is signed into credentials.
    renamed = client.patch(url, json={"name": "Other"}, headers=world.issue_headers)
    assert_problem(renamed, 422)


@pytest.mark.parametrize("value", HOSTILE_IMAGES.values(), ids=HOSTILE_IMAGES.keys())
@pytest.mark.parametrize("field", ["signature_image", "background_image"])
def test_hostile_images_are_refused(
    world: World, client: TestClient, field: str, value: str
) -> None:
    for response in (
        client.patch(f"/v1/issuers/{world.slug}", json={field: value}, headers=world.admin),
        client.post(
            f"/v1/issuers/{world.slug}/achievements",
            json={**ACHIEVEMENT, field: value},
            headers=world.issue_headers,
        ),
        client.patch(
            f"/v1/issuers/{world.slug}/achievements/{world.achievement['id']}",
            json={field: value},
            headers=world.issue_headers,
        ),
    ):
        assert_problem(response, 422)
        assert field in response.json()["detail"]
    assert (
        client.get(f"/v1/issuers/{world.slug}", headers=world.admin).json()[field]
        == (BRANDING[field])
    )


@pytest.mark.parametrize(
    "value",
    [v for k, v in HOSTILE_IMAGES.items() if k not in ("a remote URL",)],
    ids=[k for k in HOSTILE_IMAGES if k != "a remote URL"],
)
def test_hostile_logos_are_refused(world: World, client: TestClient, value: str) -> None:
    response = client.patch(f"/v1/issuers/{world.slug}", json={"image": value}, headers=world.admin)
    assert_problem(response, 422)


@pytest.mark.parametrize("colour", BAD_COLOURS)
def test_bad_colours_are_refused(world: World, client: TestClient, colour: str) -> None:
    response = client.patch(
        f"/v1/issuers/{world.slug}", json={"brand_color": colour}, headers=world.admin
    )
    assert_problem(response, 422)
    assert "brand_color" in response.json()["detail"]


def test_another_issuers_key_cannot_brand_what_is_not_theirs(
    world: World, client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    other = World(client, session, admin_headers, slug="other-college", name="Other College")
    other_admin = {"Authorization": f"Bearer {make_key(session, Scope.admin, issuer=other.slug)}"}
    url = f"/v1/issuers/{world.slug}/achievements/{world.achievement['id']}"
    taken = {"signatory_name": "Mallory", "brand_color": "#000000"}
    for headers in (other.issue_headers, other_admin):
        assert client.patch(url, json=taken, headers=headers).status_code in (403, 404)
        refused = client.patch(f"/v1/issuers/{world.slug}", json=taken, headers=headers)
        assert refused.status_code in (403, 404)
    # Nor through its own issuer's path with our achievement's id.
    crossed = f"/v1/issuers/{other.slug}/achievements/{world.achievement['id']}"
    assert_problem(client.patch(crossed, json=taken, headers=other.issue_headers), 404)
    assert client.get(url, headers=world.issue_headers).json()["signatory_name"] is None
    issuer = client.get(f"/v1/issuers/{world.slug}", headers=world.admin).json()
    assert issuer["signatory_name"] == BRANDING["signatory_name"]


@pytest.mark.parametrize(
    "colour", ["#ffd700", "#777777", "#767676", "#1f4e79", "#00ff00", "#8a1538"]
)
def test_text_on_any_brand_colour_reads_at_aa(colour: str) -> None:
    assert contrast(colour, text_on(colour)) >= 4.5
