"""Credit bank figure: the time to evaluate 100 credentials against a pathway.

    .venv/bin/python bench/evaluate.py [--credentials 100] [--runs 5]

A throw-away server on 127.0.0.1 (SQLite unless LEARNPROOF_DATABASE_URL is set): two
issuers, a pathway with nested requirements and a transfer rule, 100 credentials of ours
(JSON-LD and VC-JWT mixed); then ``POST /v1/pathways/{id}/evaluate`` with all of them, which
verifies each one (signature, status, schema) and counts. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import throwaway_server  # noqa: E402

COURSES = [
    ("Python Programming", "5", "0613", 10),
    ("Web Development", "4", "0613", 10),
    ("SQL Basics", "4", "0612", 5),
    ("Networks", "5", "0612", 5),
    ("Statistics", "5", "0542", 5),
]


def _seed(client: httpx.Client, count: int) -> tuple[str, list[Any]]:
    for slug in ("college", "mooc"):
        client.post("/v1/issuers", json={
            "slug": slug, "name": slug.title(), "url": f"https://{slug}.example",
            "email": f"badges@{slug}.example",
        }).raise_for_status()  # fmt: skip
    achievements = []
    for name, level, field, credits in COURSES:
        response = client.post("/v1/issuers/mooc/achievements", json={
            "name": name, "description": name, "criteria": {"narrative": "Pass"},
            "framework_levels": [{"framework": "eqf", "level": level}], "isced_f": field,
            "credits_available": credits,
        })  # fmt: skip
        response.raise_for_status()
        achievements.append(response.json())
    target = client.post("/v1/issuers/college/achievements", json={
        "name": "Software Developer", "description": "Qualification",
        "criteria": {"narrative": "x"},
        "framework_levels": [{"framework": "eqf", "level": "5"}], "isced_f": "0613",
    }).json()  # fmt: skip
    pathway = client.post("/v1/issuers/college/pathways", json={
        "name": "Software Developer (EQF 5)", "target_achievement_id": target["id"],
        "min_credits": 60,
        "requirements": [
            {"name": "Programming", "achievement": achievements[0]["id"]},
            {"name": "Databases",
             "any": [{"isced_f": "0612"}, {"achievement": achievements[2]["id"]}]},
            {"at_least": 2, "of": [{"framework_level": {"framework": "eqf", "level": "5"}},
                                   {"isced_f": "06"}, {"credits": 30}]},
        ],
    })  # fmt: skip
    pathway.raise_for_status()
    client.post("/v1/issuers/college/transfer-rules", json={
        "from": {"issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
        "to": {"pathway": pathway.json()["id"], "requirement": "Databases"}, "credits": 5,
        "valid_from": "2026-01-01T00:00:00Z",
    }).raise_for_status()  # fmt: skip
    items = [
        {
            "achievement_id": achievements[i % len(achievements)]["id"],
            "recipient": {"name": "Ada", "email": f"ada{i}@example.org"},
        }
        for i in range(count)
    ]
    response = client.post("/v1/issuers/mooc/credentials/batch", json={"items": items})
    response.raise_for_status()
    credentials: list[Any] = []
    for number, result in enumerate(response.json()["results"]):
        issued = client.get(f"/v1/credentials/{result['id']}").json()
        credentials.append(issued["jwt"] if number % 2 else issued["credential"])
    return pathway.json()["id"], credentials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d}, {args.credentials} credentials per evaluation")
    with throwaway_server() as server:
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=120) as client:
            pathway_id, credentials = _seed(client, args.credentials)
            samples = []
            for run in range(args.runs + 1):
                started = time.perf_counter()
                response = client.post(
                    f"/v1/pathways/{pathway_id}/evaluate", json={"credentials": credentials}
                )
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                body = response.json()
                counted = sum(1 for c in body["credentials"] if c["counted"])
                if run == 0:
                    print(f"first evaluation (cold caches): {elapsed:.2f} s")
                    print(f"answer: met={body['met']}, credits={body['credits']:g}, "
                          f"{counted}/{len(credentials)} counted; {body['summary']}")  # fmt: skip
                else:
                    samples.append(elapsed)
        print(f"database: {server.backend}")
    print(
        f"evaluate {args.credentials} credentials (API, warm): median "
        f"{statistics.median(samples):.2f} s, max {max(samples):.2f} s over {len(samples)} runs"
    )


if __name__ == "__main__":
    main()
