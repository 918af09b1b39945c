"""SQLite storage: append-only events plus small derived tables."""
