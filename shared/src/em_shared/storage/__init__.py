"""PostgreSQL access: a pool per service bound to its own schema, and the migration runner."""
