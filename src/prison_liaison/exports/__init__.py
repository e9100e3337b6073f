"""Renderers: domain objects in, bytes out (iCalendar feeds, PDF documents)."""
