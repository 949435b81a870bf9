from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, computed_field

from app.auth.scopes import Scope, decode

_NAMES = ", ".join(scope.value for scope in Scope)
_SCOPE_SCHEMA: dict[str, Any] = {
    "description": 'One scope, or a list of them (a key that issues and revokes: ["issue", '
    '"revoke"])',
    "oneOf": [
        {"type": "string", "enum": [scope.value for scope in Scope]},
        {
            "type": "array",
            "items": {"type": "string", "enum": [scope.value for scope in Scope]},
            "minItems": 1,
            "maxItems": 4,
        },
    ],
}


def _one_or_many(value: Any) -> Any:
    """The single-scope form ("issue") is a list of one; its error names the field itself."""
    if isinstance(value, str):
        if value not in Scope.__members__:
            raise ValueError(f"unknown scope {value!r}; expected one of {_NAMES}")
        return [value]
    return value


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scope: Annotated[
        list[Scope],
        BeforeValidator(_one_or_many),
        WithJsonSchema(_SCOPE_SCHEMA),
        Field(min_length=1, max_length=4),
    ]
    issuer: str | None = Field(default=None, max_length=64)

    @property
    def scopes(self) -> frozenset[Scope]:
        return frozenset(self.scope)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    scope: str = Field(description='The scopes, space-separated as in OAuth 2.0: "issue revoke"')
    issuer_slug: str | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def scopes(self) -> list[Scope]:
        """The same scopes as a list."""
        return sorted(decode(self.scope), key=list(Scope).index)


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key; shown once, only its hash is stored.")
