"""Test support shared by every service's tests: real servers, isolation by namespace, live services."""
