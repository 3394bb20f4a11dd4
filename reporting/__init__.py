"""Caseload, drift, outcomes and exports.

Not built yet: a placeholder for the reporting issue. It has no models, views or
URLs, so nothing in the application relies on it.
"""
