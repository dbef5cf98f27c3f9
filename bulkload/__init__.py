"""Bulk loading of pandas frames into tables: COPY and ``INSERT … ON CONFLICT`` on PostgreSQL,
``bulk_create`` elsewhere. Knows tables, not tenants: callers decide what may be written."""
