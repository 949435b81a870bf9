"""Imports every model module so Base.metadata is complete (Alembic and tests use it)."""

from __future__ import annotations

from app.audit import models as _audit_models  # noqa: F401
from app.auth import models as _auth_models  # noqa: F401
from app.db import Base
from app.issuers import models as _issuers_models  # noqa: F401

metadata = Base.metadata
