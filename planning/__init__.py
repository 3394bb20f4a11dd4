"""Support and planning records: plans, written agreements, family time, services.

Not built yet: a placeholder for the reunification journey issue. It has no models,
views or URLs, so nothing in the application relies on it.
"""
