"""The verify page with several files and a pathway; the CLR download on an award's page."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.pathways.factories import LEARNER, Bank


def _files(items: list[Any]) -> list[tuple[str, tuple[str, bytes, str]]]:
    files = []
    for number, item in enumerate(items, start=1):
        text = item if isinstance(item, str) else json.dumps(item)
        files.append(("file", (f"credential-{number}.json", text.encode(), "application/json")))
    return files


def test_several_files_for_a_pathway_in_plain_words(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    python = bank.mooc.issue(bank.python)
    web = bank.mooc.issue(bank.web)
    assert f'value="{pathway["id"]}"' in client.get(f"/verify?pathway={pathway['id']}").text
    response = client.post(
        "/verify",
        data={"credential": "", "pathway": pathway["id"]},
        files=_files([python["credential"], web["jwt"], bank.outside_databases(), "garbage"]),
    )
    assert response.status_code == 200, response.text
    page = response.text
    assert (
        "counts toward Software Developer (EQF 5): 20 of 25 credits; still missing: Databases; "
        "5 more credits (20 of 25)"
    ) in page
    assert page.count("Verified</h2>") == 3
    assert "Could not read the file credential-4.json" in page
    assert 'Missing</span> <span class="reason" dir="auto">Databases:' in page
    assert 'Does not count</span> <span class="label">the file credential-3.json' in page
    assert "not trusted here" in page


def test_files_are_bounded_and_pathways_must_exist(bank: Bank, client: TestClient) -> None:
    python = bank.mooc.issue(bank.python)["credential"]
    too_many = client.post("/verify", data={"credential": ""}, files=_files([python] * 21))
    assert too_many.status_code == 422
    assert "at most 20 files" in too_many.text
    unknown = client.post("/verify", data={"credential": json.dumps(python), "pathway": "nope"})
    assert unknown.status_code == 404
    assert "No pathway has the id" in unknown.text
    assert client.get("/pathways/nope").status_code == 404


def test_the_award_page_offers_the_learner_record(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    bank.rule(pathway)
    credentials = [
        bank.mooc.issue(bank.python)["credential"],
        bank.mooc.issue(bank.web)["credential"],
        bank.outside_databases(),
    ]
    awarded = client.post(
        f"/v1/issuers/{bank.college.slug}/pathways/{pathway['id']}/award",
        json={"recipient": LEARNER, "credentials": credentials},
        headers=bank.college.issue_headers,
    ).json()
    page = client.get(f"/credentials/{awarded['credential_id']}").text
    link = f"/clr/{awarded['clr_url'].rsplit('/', 1)[-1]}"
    assert f'href="{link}"' in page
    assert "Learner record (CLR 2.0)" in page
    download = client.get(link)
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.json()["type"] == ["VerifiableCredential", "ClrCredential"]
    other = client.get(f"/credentials/{credentials[0]['id'].rsplit('/', 1)[-1]}").text
    assert "Learner record" not in other
