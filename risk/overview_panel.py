"""The risk classification panel of the case overview (registered in RiskConfig.ready)."""

import datetime

from cases.models import ReunificationCase, User
from cases.overview import register_panel

from .selectors import risk_summary


def risk_panel(case: ReunificationCase, day: datetime.date, user: User) -> dict:
    """The current level and the step-rule dates, read now so the page's template
    runs no queries."""
    summary = risk_summary(case, day)
    return {"summary": summary, "level": summary.level}


def register() -> None:
    register_panel("risk", risk_panel, template="risk/_case_panel.html")
