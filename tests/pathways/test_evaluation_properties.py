"""Properties of counting, checked with generated inputs (hypothesis), on the pure evaluator.

- the result does not depend on the order of the inputs;
- adding a verified credential never lowers it;
- one credential's credits never count twice;
- a rule no longer in force, or an input no longer verified, no longer counts.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.pathways import requirements
from app.pathways.evaluation import Facts, Result, Rule, evaluate
from app.pathways.requirements import Lookups

LOOKUPS = Lookups(
    achievement=lambda value, field: requirements.Achievement(value, value.rsplit("/", 1)[-1]),
    level=lambda framework, level, field: requirements.Level(framework, level, int(level), level),
    isced_f=lambda code, field: code,
)
TREE = requirements.parse(
    [
        {"name": "Programming", "achievement": "https://a.example/python"},
        {"name": "Databases", "any": [{"isced_f": "0612"}, {"achievement": "https://b.example/sql"}]},
        {"at_least": 2, "of": [
            {"framework_level": {"framework": "eqf", "level": "5"}},
            {"isced_f": "06"},
            {"credits": 20},
        ]},
    ],
    LOOKUPS,
)  # fmt: skip
ISSUERS = ["did:web:a", "did:web:b", "did:key:z6Mkoutside"]
ACHIEVEMENTS = ["https://a.example/python", "https://b.example/sql", "https://c.example/web", None]


@st.composite
def facts(draw: st.DrawFn, index: int = 0) -> Facts:
    return Facts(
        index=index,
        key=draw(st.sampled_from([f"urn:c:{n}" for n in range(8)])),
        verified=draw(st.booleans()),
        reason="did not verify",
        trusted=draw(st.booleans()),
        issuer=draw(st.sampled_from(ISSUERS)),
        achievement=draw(st.sampled_from(ACHIEVEMENTS)),
        levels=draw(st.dictionaries(st.just("eqf"), st.integers(1, 8), max_size=1)),
        isced_f=draw(st.sampled_from(["0612", "0613", "0211", None])),
        credits=draw(st.sampled_from([0.0, 2.5, 5.0, 10.0])),
    )


RULES = st.lists(
    st.builds(
        Rule,
        id=st.sampled_from(["r1", "r2", "r3"]),
        issuer=st.sampled_from(ISSUERS),
        credits=st.sampled_from([1.0, 6.0, 12.0]),
        isced_f=st.sampled_from(["06", "0612", None]),
        requirement=st.sampled_from(["Databases", "Programming", None]),
    ),
    max_size=3,
    unique_by=lambda rule: rule.id,
)


def _inputs(items: list[Facts]) -> list[Facts]:
    return [Facts(**{**item.__dict__, "index": i}) for i, item in enumerate(items)]


def _run(items: list[Facts], rules: list[Rule]) -> Result:
    return evaluate(TREE, _inputs(items), rules, min_credits=25)


def _verdict(result: Result) -> tuple[Any, ...]:
    met_paths = sorted(_met_paths(result.requirements))
    return result.met, result.credits, result.missing, met_paths


def _met_paths(node: dict[str, Any]) -> list[str]:
    found = [node["path"]] if node["met"] else []
    for member in node.get("of", []):
        found += _met_paths(member)
    return found


@settings(max_examples=100, deadline=None)
@given(st.lists(facts(), max_size=8), RULES, st.randoms(use_true_random=False))
def test_order_does_not_matter(items: list[Facts], rules: list[Rule], rng: Any) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert _verdict(_run(items, rules)) == _verdict(_run(shuffled, list(reversed(rules))))


@settings(max_examples=100, deadline=None)
@given(st.lists(facts(), max_size=8), facts(), RULES)
def test_adding_a_verified_credential_never_lowers_the_result(
    items: list[Facts], extra: Facts, rules: list[Rule]
) -> None:
    before = _run(items, rules)
    after = _run([*items, Facts(**{**extra.__dict__, "verified": True})], rules)
    assert after.credits >= before.credits
    assert after.met or not before.met
    assert set(_met_paths(after.requirements)) >= set(_met_paths(before.requirements))


@settings(max_examples=100, deadline=None)
@given(st.lists(facts(), max_size=8), RULES)
def test_one_credentials_credits_count_once(items: list[Facts], rules: list[Rule]) -> None:
    result = _run(items, rules)
    credited = [o.key for o in result.credentials if o.credits > 0]
    assert len(credited) == len(set(credited))
    assert result.credits == sum(o.credits for o in result.credentials)
    # Presenting everything twice changes nothing.
    assert _verdict(_run(items + items, rules)) == _verdict(result)


@settings(max_examples=100, deadline=None)
@given(st.lists(facts(), min_size=1, max_size=8), RULES, st.data())
def test_what_is_withdrawn_no_longer_counts(
    items: list[Facts], rules: list[Rule], data: st.DataObject
) -> None:
    victim = data.draw(st.sampled_from(items))
    revoked = [
        Facts(**{**f.__dict__, "verified": False}) if f.key == victim.key else f for f in items
    ]
    result = _run(revoked, rules)
    assert all(not o.counted and o.credits == 0 for o in result.credentials if o.key == victim.key)
    for node in _nodes(result.requirements):
        assert victim.key not in node["satisfied_by"]
    if rules:
        gone = data.draw(st.sampled_from(rules))
        without = _run(items, [r for r in rules if r.id != gone.id])
        assert all(gone.id not in o.rules for o in without.credentials)
        assert gone.id not in {r["id"] for r in without.rules}


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for member in node.get("of", []):
        found += _nodes(member)
    return found
