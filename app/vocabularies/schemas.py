from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class VocabularyRead(BaseModel):
    """A loaded classification and where it comes from."""

    model_config = ConfigDict(from_attributes=True)

    scheme: str = Field(examples=["csco2022"])
    kind: str = Field(description="occupation or industry (ESCO also holds skills)")
    name: str
    label: str = Field(examples=["CSCO 2022"], description="Used as targetFramework")
    version: str
    language: str = Field(description="Language of the names (BCP 47)")
    publisher: str
    source: str = Field(description="Where the loaded file comes from")
    source_url: str
    licence: str
    concept_count: int
    loaded_at: datetime


class ConceptRead(BaseModel):
    scheme: str
    code: str
    kind: str = Field(description="occupation, industry or skill")
    level: int = Field(description="1 = major group / section; CSCO occupations are level 4")
    name: str = Field(description="In the vocabulary's language (CSCO: Chinese)")
    name_en: str | None = Field(description="English name where the vocabulary has one")
    language: str
    definition: str | None
    alt_labels: list[str]
    parent_code: str | None
    digital: bool = Field(description="CSCO 2022 digital occupation (数字职业)")
    green: bool = Field(description="CSCO 2022 green occupation (绿色职业)")
    framework: str = Field(description="The vocabulary's label, e.g. CSCO 2022")
    url: str = Field(description="Our public page for this code (the alignment targetUrl)")


class ConceptPage(BaseModel):
    items: list[ConceptRead]
    total: int = Field(description="Matches in all, of which `items` is one page")


class TargetRef(BaseModel):
    """An occupation or industry reference on an achievement."""

    model_config = ConfigDict(extra="forbid")

    scheme: str = Field(min_length=1, max_length=32, examples=["csco2022"])
    code: str = Field(min_length=1, max_length=200, examples=["2-02-10-03"])
