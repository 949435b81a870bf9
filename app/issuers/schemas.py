from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, field_validator

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
KeyType = Literal["Ed25519", "P-256"]


class IssuerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=64, description="lowercase letters, digits, hyphens")
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    email: EmailStr
    description: str | None = Field(default=None, max_length=5000)
    image: HttpUrl | None = None
    key_type: KeyType = "Ed25519"

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError(
                "a slug is lowercase letters, digits and inner hyphens, e.g. 'uni-example'"
            )
        return value


class IssuerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    email: EmailStr | None = None
    description: str | None = Field(default=None, max_length=5000)
    image: HttpUrl | None = None


class SigningKeyRead(BaseModel):
    kid: str = Field(description="DID URL of the Multikey verification method")
    jwk_kid: str = Field(description="DID URL of the JsonWebKey verification method (JWT kid)")
    key_type: str
    status: str
    public_key_multibase: str
    created_at: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None


class IssuerRead(BaseModel):
    slug: str
    did: str
    name: str
    url: str
    email: str
    description: str | None
    image: str | None
    profile_url: str
    did_document_url: str
    jwks_url: str
    keys: list[SigningKeyRead]
    created_at: datetime
    updated_at: datetime


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_type: KeyType | None = Field(
        default=None, description="Defaults to the type of the current active key"
    )


class KeyRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
