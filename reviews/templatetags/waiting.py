"""What waits for the signed-in person's decision, as a table: on "Waiting for
me" and at the top of My cases, so a decision is one click from signing in."""

from django import template

from reviews.journey.selectors import decisions_waiting

register = template.Library()


@register.inclusion_tag("reviews/_waiting_table.html", takes_context=True)
def waiting_for_me(context, items=None, caption="Oldest first", most=None):
    """The table of `items` (what waits for the signed-in person if not given),
    the first `most` of them if given, with a link to the rest."""
    if items is None:
        items = decisions_waiting(context["request"].user)
    more = len(items) - most if most and len(items) > most else 0
    return {"items": items[:most] if most else items, "caption": caption, "more": more}
