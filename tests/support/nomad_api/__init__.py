"""A strict Nomad HTTP API contract server for tests (not product code)."""
