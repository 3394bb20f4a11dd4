"""The journey panel of the case overview: what the current stage needs
(registered in ReviewsConfig.ready)."""

import datetime

from cases.models import ReunificationCase, User
from cases.overview import register_panel

from .aftercare.selectors import reviews_missing_reunification
from .journey import next_step, rules
from .journey.selectors import case_facts


def stage_tasks_panel(case: ReunificationCase, day: datetime.date, user: User) -> dict:
    requirements = rules.requirements(case_facts(case, day))
    tasks = next_step.tasks_with_links(case, requirements)
    return {
        "tasks": tasks,
        "outstanding": sum(1 for task in tasks if not task.done),
        # The one next thing this person is to do, for the summary at the top.
        "next": next_step.next_step(user, case, requirements) if case.is_open else None,
        # Child in Care reviews that do not yet say whether reunification was considered.
        "incomplete_reviews": reviews_missing_reunification(case) if case.is_open else [],
    }


def register() -> None:
    register_panel("stage_tasks", stage_tasks_panel, template="reviews/_overview_tasks.html")
