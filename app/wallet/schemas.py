"""Shapes of the OID4VCI 1.0 messages (names exactly as the specification spells them) and of
the platform API that makes offers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

CONFIGURATION_ID: Final = "OpenBadgeCredential_ldp_vc"
PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tx_code: StrictBool = Field(
        default=False,
        description="true: the offer also needs a 6-digit transaction code, returned once in "
        "this response for the platform to give the learner through another channel",
    )


class TxCodeRead(BaseModel):
    input_mode: Literal["numeric"] = "numeric"
    length: int
    description: str = Field(max_length=300)


class PreAuthorizedCodeGrant(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    pre_authorized_code: str = Field(alias="pre-authorized_code")
    tx_code: TxCodeRead | None = Field(
        default=None, description="present only when the token request must carry a tx_code"
    )


class OfferGrants(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    pre_authorized_code: PreAuthorizedCodeGrant = Field(alias=PRE_AUTHORIZED_GRANT)


class CredentialOffer(BaseModel):
    """The Credential Offer object (OID4VCI §4.1.1)."""

    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: OfferGrants


class OfferCreated(BaseModel):
    """An offer by value and by reference, and the link that opens a wallet with it."""

    credential_offer: CredentialOffer
    credential_offer_uri: str
    offer_url: str = Field(description="openid-credential-offer://?credential_offer_uri=…")
    tx_code: str | None = Field(
        default=None, description="the transaction code; shown here once and never again"
    )
    expires_at: datetime


class TokenRequest(BaseModel):
    """Token request of the pre-authorized code grant (form-encoded)."""

    model_config = ConfigDict(populate_by_name=True)

    grant_type: Literal["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    pre_authorized_code: str = Field(alias="pre-authorized_code", min_length=1, max_length=200)
    tx_code: str | None = Field(default=None, min_length=1, max_length=64)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class OAuthErrorRead(BaseModel):
    """OAuth 2.0 / OID4VCI error body; these endpoints do not use problem+json."""

    error: str
    error_description: str | None = None


class CredentialRequest(BaseModel):
    # The specification requires unknown parameters to be ignored.
    model_config = ConfigDict(extra="ignore")

    credential_configuration_id: str | None = Field(default=None, max_length=200)
    credential_identifier: str | None = Field(default=None, max_length=200)
    proofs: dict[str, Any] | None = Field(
        default=None, description="accepted and ignored: credentials are not holder-bound"
    )
    credential_response_encryption: dict[str, Any] | None = None


class IssuedCredential(BaseModel):
    credential: dict[str, Any]


class CredentialResponse(BaseModel):
    credentials: list[IssuedCredential]


class Display(BaseModel):
    name: str
    locale: str


class CredentialDefinition(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    context: list[str] = Field(alias="@context")
    type: list[str]


class CredentialMetadata(BaseModel):
    display: list[Display]


class CredentialConfiguration(BaseModel):
    format: Literal["ldp_vc"]
    credential_definition: CredentialDefinition
    credential_metadata: CredentialMetadata
    display: list[Display] = Field(
        description="the same as credential_metadata.display, where wallets built on the "
        "drafts before 1.0 look for it"
    )


class IssuerMetadata(BaseModel):
    """Credential Issuer Metadata (OID4VCI §12.2)."""

    credential_issuer: str
    credential_endpoint: str
    display: list[Display]
    credential_configurations_supported: dict[str, CredentialConfiguration]


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414 metadata of the issuer acting as its own authorization server."""

    model_config = ConfigDict(populate_by_name=True)

    issuer: str
    token_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    pre_authorized_grant_anonymous_access_supported: bool = Field(
        alias="pre-authorized_grant_anonymous_access_supported"
    )
