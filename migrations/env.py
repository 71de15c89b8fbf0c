"""Alembic environment: the database URL comes from the Flask app's configuration."""

from alembic import context
from sqlalchemy.types import TypeDecorator

from screening.database import Base, make_engine
from screening.models import *  # noqa: F403  (register every table on Base.metadata)

config = context.config


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write encrypted columns as their storage type, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl.__class__.__name__}()"
    return False


target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations against the configured database."""
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        # Also when a migration refuses (0013's downgrade): no connection left to the GC.
        engine.dispose()


run_migrations_online()
