"""Alembic environment: always runs on the journal's own connection, in one transaction."""

from alembic import context

from journal.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - we never run Alembic from its own CLI
    raise RuntimeError("migrations run only through journal.storage.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
