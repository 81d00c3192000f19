"""Alembic environment: always handed a live connection by ``scanner.store.migrate``; never reads alembic.ini."""

from alembic import context

from scanner.store import Base

connection = context.config.attributes["connection"]
# SQLite cannot ALTER most things in place; batch mode rebuilds a table when a migration needs it.
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
