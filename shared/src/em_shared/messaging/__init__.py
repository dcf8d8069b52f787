"""NATS plumbing: the broker factory, stream declaration, idempotent publish, typed request/reply."""
