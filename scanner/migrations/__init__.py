"""Schema migrations of the store (Alembic), run automatically when a store is opened."""
