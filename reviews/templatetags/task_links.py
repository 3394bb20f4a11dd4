"""Where a task of "My tasks" and "Team tasks" is done: a deadline linked to the
form that records it (reviews.journey.next_step.deadline_url)."""

from django import template

from reviews.journey.next_step import deadline_url

register = template.Library()


@register.filter
def done_at(deadline) -> str:
    return deadline_url(deadline)


@register.filter
def lower_words(text) -> str:
    """Lower case for a label inside a sentence ("care plan ratified at a child in
    care review chaired by the IRO"), keeping acronyms as they are."""
    return " ".join(
        word if len(word) > 1 and word.isupper() else word.lower() for word in str(text).split(" ")
    )
