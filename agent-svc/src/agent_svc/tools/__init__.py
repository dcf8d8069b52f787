"""Tools the sub-agents may call: each one a read-only NATS request to the service owning the data."""
