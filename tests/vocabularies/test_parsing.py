"""The shipped files parse as documented; a file in the wrong format names the line."""

from __future__ import annotations

from collections import Counter

import pytest

from app.vocabularies import loader, parsing
from app.vocabularies.parsing import VocabularyFormatError


@pytest.fixture(scope="module")
def csco() -> list[parsing.ConceptRow]:
    return loader.builtin_rows("csco2022")[1]


def test_csco_levels_and_markers(csco: list[parsing.ConceptRow]) -> None:
    levels = Counter(row.level for row in csco)
    # 1,634 occupation rows in the source; two are exact repeats (修鞋工, 压缩机装配调试工).
    assert levels == {1: 8, 2: 72, 3: 335, 4: 1632}
    occupations = [row for row in csco if row.level == 4]
    assert sum(r.digital for r in occupations) == 95
    assert sum(r.green for r in occupations) == 134
    assert sum(r.digital and r.green for r in occupations) == 23
    assert not any(r.name.endswith(("S", "L")) for r in occupations)


def test_csco_golden_row(csco: list[parsing.ConceptRow]) -> None:
    row = next(r for r in csco if r.code == "2-02-10-03")
    assert row.name == "计算机软件工程技术人员"
    assert row.digital is True
    assert row.green is False
    assert row.parent_code == "2-02-10-00"
    assert row.definition is not None
    assert row.definition.startswith("从事计算机软件研究")
    assert "Python" in row.alt_labels


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("计算机软件工程技术人员S", ("计算机软件工程技术人员", True, False)),
        ("风电机组制造工L", ("风电机组制造工", False, True)),
        ("碳汇计量评估师L/S", ("碳汇计量评估师", True, True)),
        ("Java开发", ("Java开发", False, False)),
        ("车工", ("车工", False, False)),
    ],
)
def test_csco_marker(name: str, expected: tuple[str, bool, bool]) -> None:
    assert parsing.split_csco_marker(name) == expected


@pytest.mark.parametrize(
    ("scheme", "code", "name", "parent"),
    [
        ("naics2022", "541511", "Custom Computer Programming Services", "54151"),
        ("naics2022", "311", "Food Manufacturing", "31-33"),
        ("nace2.1", "62.10", "Computer programming activities", "62.1"),
        ("isic4", "6201", "Computer programming activities", "620"),
        ("isic4", "J", "Information and communication", None),
    ],
)
def test_industry_golden_rows(scheme: str, code: str, name: str, parent: str | None) -> None:
    row = next(r for r in loader.builtin_rows(scheme)[1] if r.code == code)
    assert (row.name, row.name_en, row.parent_code) == (name, name, parent)


CSCO_HEADER = "level,code,code_num,name,definition,tasks,csco_code_num,alias\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "csco-2022.csv line 1: the file is empty"),
        ("code,name\n1,x\n", "csco-2022.csv line 1: the header lacks level"),
        (CSCO_HEADER + "1,1-00-00-00,1,负责人,,,1,\n4,2-2-10-03,1,x,,,1,\n", "line 3: code"),
        (CSCO_HEADER + "7,1-00-00-00,1,负责人,,,1,\n", "line 2: level '7'"),
        (CSCO_HEADER + "1,1-00-00-00,1,,,,1,\n", "line 2: a name must have"),
        (CSCO_HEADER + "1,1-00-00-00,1,甲S,,,1,\n", "line 2: only occupations"),
        (CSCO_HEADER + "4,1-01-00-01,1,甲,,,1,\n4,1-01-00-01,1,乙,,,1,\n", "line 3: code 1-01"),
        (CSCO_HEADER + '4,1-01-00-01,1,"甲,,,1,\n', "line 2"),
        (CSCO_HEADER + "4,1-01-00-01,1,甲,,,1,,extra,more\n", "line 2: 10 fields"),
    ],
)
def test_csco_format_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(VocabularyFormatError, match=message.replace("(", r"\(")):
        parsing.parse_csco(text)


def test_industry_format_errors_name_the_line() -> None:
    with pytest.raises(VocabularyFormatError, match="naics-2022.csv line 3: code '54x'"):
        parsing.parse_naics("code,title\n54,Services\n54x,Bad\n")
    with pytest.raises(VocabularyFormatError, match="nace-rev2.1.csv line 2: code '6.2'"):
        parsing.parse_nace('"code";"parentCode";"level";"name"\n"6.2";"";"2";"x"\n')
    with pytest.raises(VocabularyFormatError, match="isic-rev4-en.json line 1: not valid JSON"):
        parsing.parse_isic("{sections: [")
    with pytest.raises(VocabularyFormatError, match=r"sections\[0\].section"):
        parsing.parse_isic('{"sections": [{"section": "?", "description": "x"}]}')
