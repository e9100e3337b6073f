"""Use cases: each owns its transaction, checks object-level access and writes the audit entry."""
