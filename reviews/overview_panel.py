"""The journey panel of the case overview: what the current stage needs
(registered in ReviewsConfig.ready)."""

import datetime

from cases.models import ReunificationCase, User
from cases.overview import register_panel

from .aftercare.selectors import reviews_missing_reunification
from .journey import next_step, rules
from .journey.selectors import case_facts


def stage_tasks_panel(case: ReunificationCase, day: datetime.date, user: User) -> dict:
    return {
        "tasks": next_step.tasks_with_links(case, rules.requirements(case_facts(case, day))),
        # Child in Care reviews that do not yet say whether reunification was considered.
        "incomplete_reviews": reviews_missing_reunification(case) if case.is_open else [],
    }


def register() -> None:
    register_panel("stage_tasks", stage_tasks_panel, template="reviews/_overview_tasks.html")
