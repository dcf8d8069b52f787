"""Pure notifier logic: routing, Block Kit builders, Slack limits, retry timing. No I/O here."""
