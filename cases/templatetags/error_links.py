"""Where an error summary's link for a field should take the person.

The GOV.UK Design System asks that each link in an error summary moves focus to
the field with the problem. For a date that is the day box; for radios and
checkboxes, the first option. Linking to the field's own id would point at a
wrapper, or at nothing, and following the link would leave focus where it was.
"""

from django import forms, template

register = template.Library()


@register.filter
def first_input_id(bound_field) -> str:
    if not hasattr(bound_field, "field"):
        # A form with nothing to fill in (moving a stage): its refusal is about
        # the case, so the link goes to the top of the page's content.
        return "main-content"
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        # crispy-forms-gds numbers the options from 1 (gds/layout/radio_item.html).
        return f"id_{bound_field.html_name}_1"
    return bound_field.auto_id
