"""Pure ingest logic: signature schemes, source rules, dedup keys and normalizers (no I/O)."""
