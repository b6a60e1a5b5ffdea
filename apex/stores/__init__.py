"""Store implementations: one adapter per backend (PostgreSQL, CSV files)."""
