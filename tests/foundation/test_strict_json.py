"""Issue 11 items 4 and 9: NaN/Infinity and duplicate keys are refused in every JSON body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.core import strictjson

_JSON = {"Content-Type": "application/json"}
_VERIFY_BODIES = {
    "/credentials/verify": '{{"verifiableCredential": {{"@context": [], "x": {value}}}}}',
    "/presentations/verify": '{{"verifiablePresentation": {{"type": "x", "x": {value}}}}}',
    "/v1/verify/batch": '{{"credentials": [{{"@context": [], "x": {value}}}]}}',
}


@pytest.mark.parametrize("path", sorted(_VERIFY_BODIES))
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_standard_numbers_are_a_400_problem(
    client: TestClient, path: str, constant: str
) -> None:
    body = _VERIFY_BODIES[path].format(value=constant)

    response = client.post(path, content=body, headers=_JSON)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert constant.lstrip("-") in response.json()["detail"]


@pytest.mark.parametrize("path", sorted(_VERIFY_BODIES))
def test_duplicate_keys_are_a_400_naming_the_key(client: TestClient, path: str) -> None:
    body = _VERIFY_BODIES[path].format(value='{"name": "a", "name": "b"}')

    response = client.post(path, content=body, headers=_JSON)

    assert response.status_code == 400
    assert "'name'" in response.json()["detail"]
    assert "RFC 7493" in response.json()["detail"]


def test_duplicate_keys_are_refused_on_issuance_too(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = '{"slug": "dup-a", "slug": "dup-b", "name": "Dup", "url": "https://d.example"}'

    response = client.post("/v1/issuers", content=body, headers={**admin_headers, **_JSON})

    assert response.status_code == 400
    assert "'slug'" in response.json()["detail"]
    assert client.get("/v1/issuers/dup-b", headers=admin_headers).status_code == 404


def test_vc_media_types_and_bare_credentials_are_checked(client: TestClient) -> None:
    response = client.post(
        "/credentials/verify",
        content='{"@context": [], "a": 1, "a": 2}',
        headers={"Content-Type": "application/vc"},
    )

    assert response.status_code == 400


def test_strict_loads_keeps_ordinary_json() -> None:
    assert strictjson.loads('{"a": [1, 2.5, -0, 1e300], "b": {"a": null}}') == {
        "a": [1, 2.5, 0, 1e300],
        "b": {"a": None},
    }
    assert strictjson.strictness_problem(b"not json") == ""
    with pytest.raises(strictjson.StrictJsonError):
        strictjson.loads('[{"k": 1, "k": 1}]')


@pytest.mark.parametrize("path", sorted(_VERIFY_BODIES))
def test_a_verification_body_is_parsed_once(
    client: TestClient, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verification routes parse their body themselves (`parsed_by_route`): the strict
    middleware leaves it to them rather than parse every body a second time."""
    parsed: list[bytes | str] = []
    loads = strictjson.loads

    def counted(text: bytes | str) -> object:
        parsed.append(text)
        return loads(text)

    monkeypatch.setattr(strictjson, "loads", counted)
    body = _VERIFY_BODIES[path].format(value="1")

    response = client.post(path, content=body, headers=_JSON)

    assert response.status_code in (200, 422)
    assert parsed == [body.encode()]
