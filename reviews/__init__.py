"""Decisions, the stage moves they make, and what follows them.

- `journey`: the rules of stages 1 to 4 (`rules`), the facts they read
  (`selectors`), the decisions and stage moves (`decisions`, `stage`) and their pages.
- `aftercare`: stage 5 (the return home, breakdown and closure) and the
  statutory reviews, recommendations and visits that go on around it.
- `deadlines`: when reviews and visits are due (`rules`, over working days) and the
  Deadline rows derived from a case's records (`refresh`).
- `reminders`: the nightly digest of what is due, claimed before it is sent.
"""
