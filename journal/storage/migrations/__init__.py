"""Alembic migration scripts for the journal's schema."""
