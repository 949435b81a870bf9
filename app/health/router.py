from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from app import migrate
from app.dependencies import MetricsDep, SessionDep, SettingsDep
from app.errors import ServiceUnavailable

router = APIRouter(tags=["Operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or behind"}})
def readyz(settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """The database is reachable and migrated to the head revision."""
    try:
        current = migrate.current_revision(session.connection())
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"The database is not reachable: {type(exc).__name__}.") from exc
    head = migrate.head_revision(settings.database_url)
    if current != head:
        raise ServiceUnavailable(
            f"The database is at revision {current or 'none'}, not {head}: "
            "run `learnproof db upgrade`.",
            extra={"current": current, "head": head},
        )
    return {"status": "ready", "revision": current}


@router.get("/metrics", response_class=Response)
def metrics(registry: MetricsDep) -> Response:
    """Prometheus metrics: request counts and latencies by route."""
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
