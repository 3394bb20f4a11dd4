"""Decisions and the stage moves they make (stages 1 to 4 of the journey).

`journey` holds the rules of each stage as plain Python; `services` makes each
decision and move in one transaction.
"""
