"""Pure incident logic: lifecycle rules, severity mapping, fingerprints, grouping keys. No I/O here."""
