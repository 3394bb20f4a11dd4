from django import template

from reunification.clock import today
from reviews.journey import rules
from reviews.journey.selectors import case_facts

register = template.Library()


@register.simple_tag
def stage_tasks(case):
    """The current stage's task list, for the case overview."""
    return rules.requirements(case_facts(case, today()))
