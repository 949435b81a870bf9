"""`app.core.json_stream`: an array's members read as the body arrives, each exactly what the
whole-body strict parser gives, wherever the chunks are cut; refusals name what is wrong."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import strictjson
from app.core.json_stream import JsonShapeError, array_members
from app.core.strictjson import StrictJsonError

TRICKY = [
    {"name": "Zoë 李雷 🎓", "n": 125, "f": -1.5e-7, "big": 10**30, "empty": "", "t": True},
    {"escapes": 'a"b\\c\u2028\u0000\U0001f393', "lone": "LONE", "nested": [[{}], []]},
    {"long": "x" * 70_000, "null": None, "neg": -0, "exp": 1e308},
    {},
]


def _cut(body: bytes, rng: random.Random, most: int) -> Iterator[bytes]:
    at = 0
    while at < len(body):
        size = rng.randint(1, most)
        yield body[at : at + size]
        at += size


def _members(body: bytes, *, most: int = 7, seed: int = 0) -> list[Any]:
    return list(array_members(_cut(body, random.Random(seed), most), field="items"))


@pytest.mark.parametrize("most", [1, 3, 64, 65_536])
def test_members_are_the_whole_body_parse_at_any_cut(most: int) -> None:
    for seed in range(5):
        for spacing in (None, 2):
            body = json.dumps({"items": TRICKY}, indent=spacing, ensure_ascii=seed % 2 == 0)
            # A lone surrogate escape: json.loads keeps it, and so must the stream.
            data = body.replace('"LONE"', '"\\ud800"').encode()
            assert _members(data, most=most, seed=seed) == strictjson.loads(data)["items"]


def test_numbers_and_scalars_cut_at_a_chunk_end_are_read_whole() -> None:
    body = b'{"items": [125, 1.5e10, "ab", true, null, [1]]}'
    for cut in range(1, len(body)):
        assert list(array_members(iter([body[:cut], body[cut:]]), field="items")) == [
            125, 1.5e10, "ab", True, None, [1],
        ]  # fmt: skip


def test_members_come_before_the_body_has_ended() -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for part in (b'{"items": [{"a": 1},', b' {"a": 2}', b"]}"):
            sent.append(part)
            yield part

    members = array_members(chunks(), field="items")
    assert next(members) == {"a": 1}
    assert len(sent) == 1  # the first member was read from the first chunk alone
    assert list(members) == [{"a": 2}]


def test_a_byte_order_mark_and_whitespace_everywhere_are_accepted() -> None:
    body = '\ufeff \n{ "items" :\t[ {"a":1} , 2 ]\r\n} \n'.encode()
    assert _members(body, most=2) == [{"a": 1}, 2]
    assert _members(b'{"items":[]}') == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Expected '{' at the start of the body, found the end of the body"),
        (b'["items"]', "Expected '{' at the start of the body, found '['"),
        (b"{}", "only the field 'items'"),
        (b'{"things": []}', "only the field 'items'"),
        (b'{"items": {}}', "Expected '[' as 'items' must be an array"),
        (b'{"items": "x"}', "Expected '[' as 'items' must be an array"),
        (b'{"items": [], "more": 1}', "only the field 'items'"),
        (b'{"items": [1 2]}', "Expected ',' or ']' after items[0], found '2'"),
        (b'{"items": [1,]}', "items[1] is not valid JSON"),
        (b'{"items": [{"a": 1}', "Expected ',' or ']' after items[0], found the end of the body"),
        (b'{"items": [{"a": ', "items[0] is not valid JSON"),
        (b'{"items": []', "Expected '}' after the 'items' array, found the end of the body"),
        (b'{"items": []} x', "goes on after its closing '}'"),
        (b'{"items": ["\xff"]}', "not UTF-8"),
        (b'{"items": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "nested too deeply"),
    ],
)
def test_a_body_of_another_shape_is_refused_with_where(body: bytes, message: str) -> None:
    with pytest.raises(JsonShapeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _members(body, most=1000)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (b'{"a": NaN}', "NaN"),
        (b'{"a": -Infinity}', "-Infinity"),
        (b'{"a": 1e400}', "too large"),
        (b'{"a": 1, "b": {"c": 1, "c": 2}}', "'c' more than once"),
    ],
)
def test_json_that_is_not_strict_is_refused_as_the_whole_body_parser_does(
    member: bytes, message: str
) -> None:
    body = b'{"items": [{"ok": 1}, ' + member + b"]}"
    with pytest.raises(StrictJsonError, match=message):
        strictjson.loads(body)
    for most in (1, 5, 1000):
        members = array_members(_cut(body, random.Random(1), most), field="items")
        assert next(members) == {"ok": 1}
        with pytest.raises(StrictJsonError, match=message):
            next(members)


def test_a_member_longer_than_the_limit_is_refused_without_reading_on() -> None:
    read = []

    def chunks() -> Iterator[bytes]:
        yield b'{"items": ["'
        for _ in range(1000):
            read.append(1)
            yield b"x" * 100

    members = array_members(chunks(), field="items", max_member_chars=5_000)
    with pytest.raises(JsonShapeError, match="items\\[0\\] is longer than 5,000 characters"):
        next(members)
    assert len(read) < 100


def test_the_repeated_items_key_is_refused() -> None:
    with pytest.raises(JsonShapeError, match="only the field 'items'"):
        _members(b'{"items": [1], "items": [2]}')


def test_one_byte_chunks_cost_a_few_parses_of_a_member_not_one_per_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.core import json_stream

    calls = []

    class Counting:
        def raw_decode(self, text: str, at: int) -> tuple[Any, int]:
            calls.append(at)
            return strictjson.STRICT_DECODER.raw_decode(text, at)

    monkeypatch.setattr(json_stream, "STRICT_DECODER", Counting())
    member = {"name": "x" * 200_000, "n": 10**20}
    body = json.dumps({"items": [member, 12345678901234567890]}).encode()
    assert _members(body, most=1) == [member, 12345678901234567890]
    # Each retry waits for the text to double: about log2(200,000) parses, not 200,000.
    assert len(calls) < 60


def test_an_integer_of_more_digits_than_python_converts_is_refused() -> None:
    with pytest.raises(JsonShapeError, match=r"items\[0\] is not accepted"):
        _members(b'{"items": [{"a": ' + b"1" * 5000 + b"}]}", most=1000)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    members=st.lists(_VALUES, max_size=6),
    cuts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=10),
    ascii_only=st.booleans(),
    indent=st.none() | st.integers(min_value=0, max_value=2),
)
def test_any_json_read_member_by_member_is_the_whole_body_parse(
    members: list[Any], cuts: list[int], ascii_only: bool, indent: int | None
) -> None:
    body = json.dumps({"items": members}, ensure_ascii=ascii_only, indent=indent).encode()

    def chunks() -> Iterator[bytes]:
        at, turn = 0, 0
        while at < len(body):
            size = cuts[turn % len(cuts)]
            yield body[at : at + size]
            at, turn = at + size, turn + 1

    assert list(array_members(chunks(), field="items")) == strictjson.loads(body)["items"]
