"""The NSPCC reunification risk classification tool and its six-month step rules.

`tool` and `step_rules` are plain Python; models, forms and views build on them.
"""
