"""The risk classification tool and its six-month step rules.

Not built yet: this app is a placeholder for the issue that brings the tool. It has
no models, views or URLs, so nothing in the application relies on it.
"""
