"""Imports every model module so Base.metadata is complete (Alembic and tests use it)."""

from __future__ import annotations

from app.accreditation import models as _accreditation_models  # noqa: F401
from app.achievements import models as _achievements_models  # noqa: F401
from app.audit import models as _audit_models  # noqa: F401
from app.auth import models as _auth_models  # noqa: F401
from app.credentials import models as _credentials_models  # noqa: F401
from app.db import Base
from app.frameworks import models as _frameworks_models  # noqa: F401
from app.issuers import models as _issuers_models  # noqa: F401
from app.pathways import models as _pathways_models  # noqa: F401
from app.status import models as _status_models  # noqa: F401
from app.vocabularies import models as _vocabularies_models  # noqa: F401
from app.wallet import models as _wallet_models  # noqa: F401
from app.webhooks import models as _webhooks_models  # noqa: F401

metadata = Base.metadata
