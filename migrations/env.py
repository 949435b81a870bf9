"""Alembic environment: runs against the URL set by app.migrate or LEARNPROOF_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from app.config import load_settings
from app.db import UTCDateTime, make_engine
from app.model_registry import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or load_settings().database_url


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our UTCDateTime decorator is stored as a plain timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
