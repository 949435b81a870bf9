from __future__ import annotations

import json

import pytest

from app.proofs.badge import render_png
from app.proofs.extract import extract_credential, sniff
from app.proofs.payload import MAX_FILE_BYTES, ExtractionError
from app.proofs.png import bake_png
from app.proofs.summary import summarise
from app.proofs.svg import bake_svg
from tests.proofs.samples import JWT, credential


def test_every_form_is_recognised_by_content_not_name() -> None:
    vc = credential()
    summary = summarise(vc)
    forms = {
        "png": bake_png(render_png(summary), json.dumps(vc)),
        "svg": bake_svg(summary, vc).encode(),
        "text": json.dumps(vc).encode(),
    }
    for kind, data in forms.items():
        assert sniff(data) == kind
        assert extract_credential(data) == vc


@pytest.mark.parametrize("data", [JWT.encode(), f"\ufeff {JWT}\n".encode()])
def test_a_jwt_file(data: bytes) -> None:
    assert extract_credential(data) == JWT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\x00\x01\x02\xff", "not a credential"),
        (b"hello world", "neither a JSON credential nor a JWT"),
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"{" + b'"a":' * 1 + b"[" * 50_000 + b"]" * 50_000 + b"}", "not valid JSON"),
        (b" " * (MAX_FILE_BYTES + 1), "larger than 5 MB"),
    ],
)
def test_unreadable_input_is_refused_in_words(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_credential(data)
