"""Decisions, stage moves, reviews and visits.

Not built yet: a placeholder for the reunification journey issue. It has no models,
views or URLs, so nothing in the application relies on it.
"""
