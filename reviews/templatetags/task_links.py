"""Where a task of "My tasks" and "Team tasks" is done: a deadline linked to the
form that records it (reviews.journey.next_step.deadline_url)."""

from django import template

from reviews.journey.next_step import deadline_url

register = template.Library()


@register.filter
def done_at(deadline) -> str:
    return deadline_url(deadline)
