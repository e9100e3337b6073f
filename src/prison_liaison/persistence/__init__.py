"""Persistence: the only package that imports Piccolo. Repositories return domain objects."""
