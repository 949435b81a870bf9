from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from app.proofs.branding import (
    MAX_DATA_URL_CHARS,
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    check_colour,
    check_data_image,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
KeyType = Literal["Ed25519", "P-256"]
_HTTP_URL: Final = TypeAdapter(HttpUrl)
_IMAGE_RULES: Final = (
    f"a data: URL of a PNG or JPEG image (data:image/png;base64,…), at most "
    f"{MAX_IMAGE_BYTES // 1024} KB and {MAX_PIXELS:,} pixels; never fetched from elsewhere"
)


def _data_image(value: str) -> str:
    check_data_image(value)
    return value


def _logo(value: str) -> str:
    if value.startswith("data:"):
        return _data_image(value)
    if len(value) > 2000:
        raise ValueError("a URL is at most 2000 characters")
    try:
        return str(_HTTP_URL.validate_python(value))
    except ValidationError:
        raise ValueError("an image is an http(s) URL or a data: URL of a PNG or JPEG") from None


Colour = Annotated[
    str,
    AfterValidator(check_colour),
    Field(examples=["#1f4e79"], description="#rrggbb: the certificate's accent colour"),
]
DataImageUrl = Annotated[
    str,
    AfterValidator(_data_image),
    Field(description=_IMAGE_RULES, json_schema_extra={"maxLength": MAX_DATA_URL_CHARS}),
]
Logo = Annotated[
    str,
    AfterValidator(_logo),
    Field(
        description="An http(s) URL (shown by the Profile only), or the logo itself as "
        + _IMAGE_RULES
        + ": then printed on certificates and pages"
    ),
]


class BrandingFields(BaseModel):
    """How certificates look: set on an issuer, and overridden field by field per achievement."""

    model_config = ConfigDict(extra="forbid")

    brand_color: Colour | None = None
    signatory_name: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["Prof. Dr. Ada Lovelace"]
    )
    signatory_title: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["Dean of Studies"]
    )
    signature_image: DataImageUrl | None = None
    background_image: DataImageUrl | None = Field(
        default=None, description="The certificate's background (drawn faintly): " + _IMAGE_RULES
    )


BRANDING_FIELDS: Final = tuple(BrandingFields.model_fields)


class IssuerCreate(BrandingFields):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=64, description="lowercase letters, digits, hyphens")
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    email: EmailStr
    description: str | None = Field(default=None, max_length=5000)
    image: Logo | None = None
    key_type: KeyType = "Ed25519"

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_PATTERN.match(value):
            raise ValueError(
                "a slug is lowercase letters, digits and inner hyphens, e.g. 'uni-example'"
            )
        return value


class IssuerUpdate(BrandingFields):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    email: EmailStr | None = None
    description: str | None = Field(default=None, max_length=5000)
    image: Logo | None = None


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
    brand_color: str | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    signature_image: str | None = None
    background_image: str | None = None
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
