"""HTTP API under /api/v1: parse, authorise, call one service function, serialise."""
