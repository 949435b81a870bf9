"""A German-DQR-like framework and its referencing report to the EQF, through the API."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

DQR = {
    "code": "de-dqr",
    "name": {"en": "German Qualifications Framework", "de": "Deutscher Qualifikationsrahmen"},
    "jurisdiction": "DE",
    "version": "2011",
    "source_url": "https://www.dqr.de/",
    "domains": [
        {"code": "fachkompetenz", "name": {"en": "Professional competence", "de": "Fachkompetenz"},
         "maps_to": ["knowledge", "skills"]},
        {"code": "personale_kompetenz", "name": {"en": "Personal competence",
         "de": "Personale Kompetenz"}, "maps_to": ["responsibility_autonomy"]},
    ],
    "levels": [
        {"code": str(n), "ordinal": n, "name": f"DQR level {n}",
         "descriptors": {"fachkompetenz": f"Professional competence at DQR level {n}.",
                         "personale_kompetenz": f"Personal competence at DQR level {n}."}}
        for n in range(1, 9)
    ],
}  # fmt: skip


def report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "target": "eqf",
        "title": "Referencing the DQR to the EQF",
        "criteria": [
            {
                "id": str(n),
                "statement": f"How criterion {n} is met.",
                "evidence": [f"https://www.dqr.de/evidence/{n}"],
            }
            for n in range(1, 11)
        ],
        "level_table": [
            {
                "level": str(n),
                "target_level": str(n),
                "relation": "exactMatch",
                "justification": f"DQR {n} descriptors correspond to EQF {n}.",
            }
            for n in range(1, 9)
        ],
        "approved_by": "Bund-Länder-Koordinierungsstelle DQR",
        "approved_on": "2012-05-31",
        "status": "official",
    }
    body.update(changes)
    return body


def create_dqr(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/v1/frameworks", json=copy.deepcopy(DQR), headers=admin)
    assert response.status_code == 201, response.text


def publish(client: TestClient, admin: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/frameworks/de-dqr/referencing-reports", json=report(**changes), headers=admin
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
